// CBC.swift: the cipher block chaining mode, in place and in one call, with and without
// PKCS #7 padding.
// References: NIST SP 800-38A §6.2 (CBC); RFC 5652 §6.3 (PKCS #7 padding).
// SPDX-License-Identifier: Apache-2.0

/// Cipher block chaining (SP 800-38A §6.2) over any ``BlockCipher`` with 16-byte blocks.
///
/// Encryption computes C_i = E(P_i ^ C_(i-1)) with C_0 the IV, one block after the other.
/// Decryption computes P_i = D(C_i) ^ C_(i-1); its block decryptions are independent, so it
/// runs four at a time through ``BlockCipher/decrypt(blocks:)``.
///
/// The in-place forms take the chaining value `inout` and leave in it the last ciphertext
/// block, so a long message can be processed in chunks of whole blocks with the same result as
/// one call. The IV must be unpredictable for each message (SP 800-38A Appendix C); CBC gives
/// no integrity, so authenticate the ciphertext (as Fernet does with HMAC) before decrypting it.
public enum CBC {
  // MARK: - In place

  /// Encrypts whole blocks in place and updates the chaining value.
  ///
  /// - Parameters:
  ///   - data: The plaintext, a multiple of 16 bytes long (possibly empty); replaced by the
  ///     ciphertext.
  ///   - iv: The IV for the first call; on return, the last ciphertext block, ready for the
  ///     next chunk of the same message.
  ///   - cipher: The block cipher with its key.
  /// - Throws: ``CipherError/notBlockAligned`` when the length is not a multiple of 16; then
  ///   nothing is changed.
  /// - Timing: depends on the length only.
  public static func encrypt<C: BlockCipher & ~Copyable>(
    _ data: inout MutableSpan<UInt8>, chaining iv: inout InlineArray<16, UInt8>,
    with cipher: borrowing C
  ) throws(CipherError) {
    guard data.count % 16 == 0 else { throw .notBlockAligned }
    encryptBlocks(&data, from: 0, chaining: &iv, with: cipher)
  }

  /// Decrypts whole blocks in place and updates the chaining value.
  ///
  /// - Parameters:
  ///   - data: The ciphertext, a multiple of 16 bytes long (possibly empty); replaced by the
  ///     plaintext.
  ///   - iv: The IV for the first call; on return, the last ciphertext block, ready for the
  ///     next chunk of the same message.
  ///   - cipher: The block cipher with its key.
  /// - Throws: ``CipherError/notBlockAligned`` when the length is not a multiple of 16; then
  ///   nothing is changed.
  /// - Timing: depends on the length only.
  public static func decrypt<C: BlockCipher & ~Copyable>(
    _ data: inout MutableSpan<UInt8>, chaining iv: inout InlineArray<16, UInt8>,
    with cipher: borrowing C
  ) throws(CipherError) {
    guard data.count % 16 == 0 else { throw .notBlockAligned }
    decryptBlocks(&data, from: 0, chaining: &iv, with: cipher)
  }

  // MARK: - With PKCS #7 padding

  /// Pads `plaintext` with PKCS #7 and encrypts it.
  ///
  /// - Parameters:
  ///   - plaintext: The message, of any length.
  ///   - iv: The initialisation vector.
  ///   - cipher: The block cipher with its key.
  /// - Returns: The ciphertext: the padded length, 1 to 16 bytes more than `plaintext`.
  /// - Timing: depends on the length only.
  public static func encrypt<C: BlockCipher & ~Copyable>(
    padding plaintext: Span<UInt8>, iv: InlineArray<16, UInt8>, with cipher: borrowing C
  ) -> [UInt8] {
    var output: [UInt8] = []
    encrypt(padding: plaintext, iv: iv, with: cipher, into: &output)
    return output
  }

  /// Pads `plaintext` with PKCS #7, encrypts it and appends the ciphertext to `output`.
  ///
  /// Use this form to build a larger message (a token with a header and a tag) without
  /// copying the ciphertext.
  ///
  /// - Parameters:
  ///   - plaintext: The message, of any length.
  ///   - iv: The initialisation vector.
  ///   - cipher: The block cipher with its key.
  ///   - output: The buffer to append to; its existing contents are kept.
  /// - Timing: depends on the length only.
  public static func encrypt<C: BlockCipher & ~Copyable>(
    padding plaintext: Span<UInt8>, iv: InlineArray<16, UInt8>, with cipher: borrowing C,
    into output: inout [UInt8]
  ) {
    let start = output.count
    let padding = PKCS7.paddingCount(forLength: plaintext.count)
    output.reserveCapacity(start + plaintext.count + padding)
    append(plaintext, to: &output)
    output.append(contentsOf: repeatElement(UInt8(truncatingIfNeeded: padding), count: padding))
    var chain = iv
    var span = output.mutableSpan
    encryptBlocks(&span, from: start, chaining: &chain, with: cipher)
  }

  /// Decrypts `ciphertext` and removes its PKCS #7 padding.
  ///
  /// - Parameters:
  ///   - ciphertext: The ciphertext, a non-zero multiple of 16 bytes long.
  ///   - iv: The initialisation vector.
  ///   - cipher: The block cipher with its key.
  /// - Returns: The message without its padding.
  /// - Throws: ``CipherError/notBlockAligned`` when `ciphertext` is empty or not a multiple of
  ///   16 bytes long; ``CipherError/invalidPadding`` when the decrypted padding is malformed.
  /// - Timing: depends on the length only; the padding is checked in constant time (see
  ///   ``PKCS7/unpaddedCount(of:blockByteCount:)``).
  public static func decrypt<C: BlockCipher & ~Copyable>(
    unpadding ciphertext: Span<UInt8>, iv: InlineArray<16, UInt8>, with cipher: borrowing C
  ) throws(CipherError) -> [UInt8] {
    var output: [UInt8] = []
    try decrypt(unpadding: ciphertext, iv: iv, with: cipher, into: &output)
    return output
  }

  /// Decrypts `ciphertext`, removes its PKCS #7 padding and appends the message to `output`.
  ///
  /// - Parameters:
  ///   - ciphertext: The ciphertext, a non-zero multiple of 16 bytes long.
  ///   - iv: The initialisation vector.
  ///   - cipher: The block cipher with its key.
  ///   - output: The buffer to append to; its existing contents are kept. On error nothing is
  ///     appended (the bytes decrypted meanwhile are overwritten with zeros and removed).
  /// - Throws: ``CipherError/notBlockAligned`` when `ciphertext` is empty or not a multiple of
  ///   16 bytes long; ``CipherError/invalidPadding`` when the decrypted padding is malformed.
  /// - Timing: depends on the length only; the padding is checked in constant time (see
  ///   ``PKCS7/unpaddedCount(of:blockByteCount:)``).
  public static func decrypt<C: BlockCipher & ~Copyable>(
    unpadding ciphertext: Span<UInt8>, iv: InlineArray<16, UInt8>, with cipher: borrowing C,
    into output: inout [UInt8]
  ) throws(CipherError) {
    guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else { throw .notBlockAligned }
    let start = output.count
    append(ciphertext, to: &output)
    var chain = iv
    let kept: Int?
    do {
      var span = output.mutableSpan
      decryptBlocks(&span, from: start, chaining: &chain, with: cipher)
      do {
        kept = try PKCS7.unpaddedCount(of: span.span.extracting(start...))
      } catch {
        for index in start..<span.count {
          span[index] = 0
        }
        kept = nil
      }
    }
    guard let kept else {
      output.removeLast(ciphertext.count)
      throw .invalidPadding
    }
    output.removeLast(ciphertext.count - kept)
  }

  // MARK: - Without padding

  /// Encrypts whole blocks into a new array.
  ///
  /// - Parameters:
  ///   - plaintext: The message, a multiple of 16 bytes long (possibly empty).
  ///   - iv: The initialisation vector.
  ///   - cipher: The block cipher with its key.
  /// - Returns: The ciphertext, as long as `plaintext`.
  /// - Throws: ``CipherError/notBlockAligned`` when the length is not a multiple of 16.
  /// - Timing: depends on the length only.
  public static func encrypt<C: BlockCipher & ~Copyable>(
    _ plaintext: Span<UInt8>, iv: InlineArray<16, UInt8>, with cipher: borrowing C
  ) throws(CipherError) -> [UInt8] {
    guard plaintext.count % 16 == 0 else { throw .notBlockAligned }
    var output: [UInt8] = []
    append(plaintext, to: &output)
    var chain = iv
    do {
      var span = output.mutableSpan
      encryptBlocks(&span, from: 0, chaining: &chain, with: cipher)
    }
    return output
  }

  /// Decrypts whole blocks into a new array.
  ///
  /// - Parameters:
  ///   - ciphertext: The ciphertext, a multiple of 16 bytes long (possibly empty).
  ///   - iv: The initialisation vector.
  ///   - cipher: The block cipher with its key.
  /// - Returns: The plaintext, as long as `ciphertext`.
  /// - Throws: ``CipherError/notBlockAligned`` when the length is not a multiple of 16.
  /// - Timing: depends on the length only.
  public static func decrypt<C: BlockCipher & ~Copyable>(
    _ ciphertext: Span<UInt8>, iv: InlineArray<16, UInt8>, with cipher: borrowing C
  ) throws(CipherError) -> [UInt8] {
    guard ciphertext.count % 16 == 0 else { throw .notBlockAligned }
    var output: [UInt8] = []
    append(ciphertext, to: &output)
    var chain = iv
    do {
      var span = output.mutableSpan
      decryptBlocks(&span, from: 0, chaining: &chain, with: cipher)
    }
    return output
  }

  // MARK: - Cores

  /// Appends `bytes` to `array`, growing its storage at most once.
  static func append(_ bytes: Span<UInt8>, to array: inout [UInt8]) {
    array.append(addingCapacity: bytes.count) { output in
      for index in bytes.indices {
        output.append(bytes[index])
      }
    }
  }

  /// CBC encryption, in place, of the whole blocks of `data` from offset `start` on (the
  /// caller checked alignment).
  static func encryptBlocks<C: BlockCipher & ~Copyable>(
    _ data: inout MutableSpan<UInt8>, from start: Int, chaining iv: inout InlineArray<16, UInt8>,
    with cipher: borrowing C
  ) {
    encryptBlocks(&data, in: start..<data.count, chaining: &iv, with: cipher)
  }

  /// CBC encryption, in place, of the whole blocks of `data[range]`, leaving the rest of
  /// `data` alone: for this package's modules that build a message around its ciphertext
  /// (a Fernet token) in one buffer.
  package static func encryptBlocks<C: BlockCipher & ~Copyable>(
    _ data: inout MutableSpan<UInt8>, in range: Range<Int>,
    chaining iv: inout InlineArray<16, UInt8>, with cipher: borrowing C
  ) {
    precondition(range.upperBound <= data.count, "the range lies within the data")
    var chain = iv
    var offset = range.lowerBound
    while offset + 16 <= range.upperBound {
      for index in 0..<16 {
        chain[index] ^= data[offset + index]
      }
      cipher.encrypt(block: &chain)
      for index in 0..<16 {
        data[offset + index] = chain[index]
      }
      offset += 16
    }
    iv = chain
  }

  /// CBC decryption, in place, of the whole blocks of `data` from offset `start` on, four
  /// blocks per cipher call (the caller checked alignment).
  static func decryptBlocks<C: BlockCipher & ~Copyable>(
    _ data: inout MutableSpan<UInt8>, from start: Int, chaining iv: inout InlineArray<16, UInt8>,
    with cipher: borrowing C
  ) {
    precondition(start >= 0 && (data.count - start) % 16 == 0, "whole blocks")
    // Four blocks (64 bytes) at a time as eight little-endian words, loaded and stored through
    // a raw pointer: every group lies inside `data`, as the loop condition checks. A short
    // final group fills the unused lanes with copies of its first block; they are decrypted
    // and discarded, which costs a bitsliced cipher nothing extra.
    var previous = (Self.word(iv, 0), Self.word(iv, 8))
    unsafe data.withUnsafeMutableBytes { bytes in
      guard let base = bytes.baseAddress else { return }
      var offset = start
      while offset < bytes.count {
        let blockCount = min(4, (bytes.count - offset) / 16)
        let ciphertext = InlineArray<8, UInt64> { index in
          let source = offset + 16 * min(index / 2, blockCount - 1) + 8 * (index % 2)
          return UInt64(
            littleEndian: unsafe base.loadUnaligned(fromByteOffset: source, as: UInt64.self))
        }
        var plaintext = ciphertext
        cipher.decrypt(words: &plaintext)
        for block in 0..<blockCount {
          let low = plaintext[2 * block] ^ previous.0
          let high = plaintext[2 * block + 1] ^ previous.1
          unsafe base.storeBytes(
            of: low.littleEndian, toByteOffset: offset + 16 * block, as: UInt64.self)
          unsafe base.storeBytes(
            of: high.littleEndian, toByteOffset: offset + 16 * block + 8, as: UInt64.self)
          previous = (ciphertext[2 * block], ciphertext[2 * block + 1])
        }
        offset += 16 * blockCount
      }
    }
    for index in 0..<8 {
      iv[index] = UInt8(truncatingIfNeeded: previous.0 >> (8 * UInt64(index)))
      iv[8 + index] = UInt8(truncatingIfNeeded: previous.1 >> (8 * UInt64(index)))
    }
  }

  /// The little-endian word at bytes `offset ..< offset + 8` of a block.
  private static func word(_ block: InlineArray<16, UInt8>, _ offset: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in 0..<8 {
      value |= UInt64(block[offset + index]) << (8 * UInt64(index))
    }
    return value
  }
}
