// AES128.swift: the AES-128 block cipher, bitsliced so that it runs in constant time.
// Reference: FIPS 197 (Advanced Encryption Standard), with Nk = 4 and Nr = 10.
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

/// AES with a 128-bit key (FIPS 197), implemented without tables or secret-dependent branches.
///
/// The key is expanded once, at initialisation, into round keys kept in memory that is
/// overwritten with zeros when the value goes away; the type is `~Copyable` so that the
/// expanded key has exactly one owner. Every operation runs in time independent of the key
/// and the data: the state is bitsliced (see `AES128+Bitsliced.swift`), so no memory address
/// depends on a secret.
///
/// Use it through a mode of operation such as ``CBC``; a single-block ``encrypt(block:)`` is
/// the raw permutation (ECB), which is rarely what an application wants.
public struct AES128: BlockCipher, ~Copyable {
  /// The block length in bytes: 16.
  ///
  /// - Timing: constant.
  public static var blockByteCount: Int { 16 }

  /// The key length in bytes: 16.
  ///
  /// - Timing: constant.
  public static var keyByteCount: Int { 16 }

  /// The round keys in the fixsliced layout (see `AES128+KeySchedule.swift`).
  let roundKeys: SecretStorage<UInt64>

  /// Creates a cipher from a 16-byte key.
  ///
  /// - Parameter key: The AES-128 key.
  /// - Timing: constant.
  public init(key: InlineArray<16, UInt8>) {
    roundKeys = AES128.expandKey(key)
  }

  /// Creates a cipher from key bytes, which must number exactly 16.
  ///
  /// - Parameter key: The AES-128 key.
  /// - Throws: ``CipherError/invalidKeyLength`` when `key` is not 16 bytes long.
  /// - Timing: constant (the length is public).
  public init(key: Span<UInt8>) throws(CipherError) {
    guard key.count == AES128.keyByteCount else { throw .invalidKeyLength }
    var bytes = InlineArray<16, UInt8>(repeating: 0)
    for index in 0..<16 {
      bytes[index] = key[index]
    }
    self.init(key: bytes)
  }

  /// Creates a cipher from a ``SymmetricKey``, which must be 16 bytes long.
  ///
  /// - Parameter key: The AES-128 key.
  /// - Throws: ``CipherError/invalidKeyLength`` when `key` is not 16 bytes long.
  /// - Timing: constant (the length is public).
  public init(key: borrowing SymmetricKey) throws(CipherError) {
    guard key.byteCount == AES128.keyByteCount else { throw .invalidKeyLength }
    let bytes = key.withBytes { span in
      InlineArray<16, UInt8> { index in span[index] }
    }
    self.init(key: bytes)
  }

  /// Encrypts one block in place.
  ///
  /// The block occupies one of the four bitsliced lanes, so this costs about as much as
  /// ``encrypt(blocks:)``; prefer the four-block form when blocks are independent.
  ///
  /// - Parameter block: The plaintext block, replaced by its ciphertext.
  /// - Timing: constant.
  public borrowing func encrypt(block: inout InlineArray<16, UInt8>) {
    var state = BitslicedState(packing: block)
    unsafe roundKeys.withUnsafeBufferPointer { keys in
      unsafe state.encrypt(roundKeys: keys)
    }
    state.unpack(into: &block)
  }

  /// Decrypts one block in place.
  ///
  /// - Parameter block: The ciphertext block, replaced by its plaintext.
  /// - Timing: constant.
  public borrowing func decrypt(block: inout InlineArray<16, UInt8>) {
    var state = BitslicedState(packing: block)
    unsafe roundKeys.withUnsafeBufferPointer { keys in
      unsafe state.decrypt(roundKeys: keys)
    }
    state.unpack(into: &block)
  }

  /// Encrypts four independent blocks in place, in one bitsliced pass.
  ///
  /// - Parameter blocks: Four plaintext blocks, replaced by their ciphertexts.
  /// - Timing: constant.
  public borrowing func encrypt(blocks: inout InlineArray<4, InlineArray<16, UInt8>>) {
    var state = BitslicedState(packing: blocks)
    unsafe roundKeys.withUnsafeBufferPointer { keys in
      unsafe state.encrypt(roundKeys: keys)
    }
    state.unpack(into: &blocks)
  }

  /// Decrypts four independent blocks in place, in one bitsliced pass.
  ///
  /// - Parameter blocks: Four ciphertext blocks, replaced by their plaintexts.
  /// - Timing: constant.
  public borrowing func decrypt(blocks: inout InlineArray<4, InlineArray<16, UInt8>>) {
    var state = BitslicedState(packing: blocks)
    unsafe roundKeys.withUnsafeBufferPointer { keys in
      unsafe state.decrypt(roundKeys: keys)
    }
    state.unpack(into: &blocks)
  }

  /// Decrypts four independent blocks given as 64-bit words, in one bitsliced pass.
  ///
  /// - Parameter words: Four ciphertext blocks, block l as `words[2 * l]` (bytes 0...7,
  ///   little-endian) and `words[2 * l + 1]` (bytes 8...15); replaced by their plaintexts.
  /// - Timing: constant.
  public borrowing func decrypt(words: inout InlineArray<8, UInt64>) {
    var state = BitslicedState(packingWords: words)
    unsafe roundKeys.withUnsafeBufferPointer { keys in
      unsafe state.decrypt(roundKeys: keys)
    }
    state.unpack(intoWords: &words)
  }
}
