// CBCTests.swift: the NIST CAVP AES-128 CBC vectors, and the contract of the CBC functions
// (chunking, IV chaining, in place vs copied, alignment, padding).
// References: NIST SP 800-38A §6.2; CAVP AESAVS (the .rsp files under Vectors/BlockCiphers).
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import Testing
import _TestSupport

/// A textbook cipher that has only the single-block functions, so that CBC runs through the
/// protocol's default four-block and word implementations.
struct ReferenceCipher: BlockCipher {
  static var blockByteCount: Int { 16 }
  let reference: ReferenceAES

  func encrypt(block: inout InlineArray<16, UInt8>) {
    block = BlockCiphersTests.block(reference.encrypt(bytes(block)))
  }

  func decrypt(block: inout InlineArray<16, UInt8>) {
    block = BlockCiphersTests.block(reference.decrypt(bytes(block)))
  }
}

/// Encrypts `data` in place in chunks that end at `cuts`, chaining the IV between calls.
func encryptInChunks(
  _ data: [UInt8], cuts: [Int], iv: InlineArray<16, UInt8>, with cipher: borrowing AES128
) throws -> (output: [UInt8], chain: InlineArray<16, UInt8>) {
  var output = data
  var chain = iv
  var start = 0
  for end in cuts + [data.count] {
    var chunk = Array(output[start..<end])
    var span = chunk.mutableSpan
    try CBC.encrypt(&span, chaining: &chain, with: cipher)
    output.replaceSubrange(start..<end, with: chunk)
    start = end
  }
  return (output, chain)
}

/// Decrypts `data` in place in chunks that end at `cuts`, chaining the IV between calls.
func decryptInChunks(
  _ data: [UInt8], cuts: [Int], iv: InlineArray<16, UInt8>, with cipher: borrowing AES128
) throws -> (output: [UInt8], chain: InlineArray<16, UInt8>) {
  var output = data
  var chain = iv
  var start = 0
  for end in cuts + [data.count] {
    var chunk = Array(output[start..<end])
    var span = chunk.mutableSpan
    try CBC.decrypt(&span, chaining: &chain, with: cipher)
    output.replaceSubrange(start..<end, with: chunk)
    start = end
  }
  return (output, chain)
}

@Suite struct CBCTests {
  // MARK: - CAVP vectors (one test per file)

  /// Runs one CAVP record: ENCRYPT records encrypt PLAINTEXT, DECRYPT records decrypt
  /// CIPHERTEXT, both without padding.
  static func check(_ record: RSPRecord) throws {
    let key = try record.hexField("KEY")
    let iv = block(try record.hexField("IV"))
    let plaintext = try record.hexField("PLAINTEXT")
    let ciphertext = try record.hexField("CIPHERTEXT")
    let cipher = try AES128(key: key.span)
    switch record.section {
    case "ENCRYPT":
      #expect(try CBC.encrypt(plaintext.span, iv: iv, with: cipher) == ciphertext)
    case "DECRYPT":
      #expect(try CBC.decrypt(ciphertext.span, iv: iv, with: cipher) == plaintext)
    default:
      Issue.record("unexpected section \(record.section)")
    }
  }

  @Test("aes128-cbc-cavp-gfsbox", arguments: try VectorCatalog.aes128CbcCavpGfsbox.records())
  func aes128CbcCavpGfsbox(_ record: RSPRecord) throws {
    try CBCTests.check(record)
  }

  @Test("aes128-cbc-cavp-keysbox", arguments: try VectorCatalog.aes128CbcCavpKeysbox.records())
  func aes128CbcCavpKeysbox(_ record: RSPRecord) throws {
    try CBCTests.check(record)
  }

  @Test("aes128-cbc-cavp-varkey", arguments: try VectorCatalog.aes128CbcCavpVarkey.records())
  func aes128CbcCavpVarkey(_ record: RSPRecord) throws {
    try CBCTests.check(record)
  }

  @Test("aes128-cbc-cavp-vartxt", arguments: try VectorCatalog.aes128CbcCavpVartxt.records())
  func aes128CbcCavpVartxt(_ record: RSPRecord) throws {
    try CBCTests.check(record)
  }

  @Test("aes128-cbc-cavp-mmt", arguments: try VectorCatalog.aes128CbcCavpMmt.records())
  func aes128CbcCavpMmt(_ record: RSPRecord) throws {
    try CBCTests.check(record)
  }

  @Test(
    "every declared case of the CBC vector files is run",
    arguments: [
      VectorCatalog.aes128CbcCavpGfsbox, VectorCatalog.aes128CbcCavpKeysbox,
      VectorCatalog.aes128CbcCavpVarkey, VectorCatalog.aes128CbcCavpVartxt,
      VectorCatalog.aes128CbcCavpMmt,
    ])
  func vectorCaseCounts(_ entry: VectorEntry) throws {
    let count = try entry.records().count
    #expect(count > 0, "\(entry.file)")
    #expect(count == (try entry.declaredCaseCount()), "\(entry.file)")
  }

  // MARK: - Contract

  @Test("chunked in-place calls equal one whole call, for 1 to 35 blocks (seed 0xCBC_0001)")
  func chunkedEqualsWhole() throws {
    var rng = SeededGenerator(seed: 0xCBC_0001)
    let cipher = AES128(key: block(rng.bytes(16)))
    let iv = block(rng.bytes(16))
    for blockCount in 1...35 {
      let plaintext = rng.bytes(16 * blockCount)
      let whole = try CBC.encrypt(plaintext.span, iv: iv, with: cipher)
      let lastBlock = Array(whole.suffix(16))
      for cut in 0...blockCount {
        let encrypted = try encryptInChunks(plaintext, cuts: [16 * cut], iv: iv, with: cipher)
        #expect(encrypted.output == whole, "\(blockCount) blocks, cut after \(cut)")
        #expect(bytes(encrypted.chain) == lastBlock, "\(blockCount) blocks, cut after \(cut)")
        let decrypted = try decryptInChunks(whole, cuts: [16 * cut], iv: iv, with: cipher)
        #expect(decrypted.output == plaintext, "\(blockCount) blocks, cut after \(cut)")
        #expect(bytes(decrypted.chain) == lastBlock, "\(blockCount) blocks, cut after \(cut)")
      }
      let everyBlock = Array(stride(from: 16, to: 16 * blockCount, by: 16))
      let encrypted = try encryptInChunks(plaintext, cuts: everyBlock, iv: iv, with: cipher)
      #expect(encrypted.output == whole, "\(blockCount) blocks, one call per block")
      let decrypted = try decryptInChunks(whole, cuts: everyBlock, iv: iv, with: cipher)
      #expect(decrypted.output == plaintext, "\(blockCount) blocks, one call per block")
      #expect(try CBC.decrypt(whole.span, iv: iv, with: cipher) == plaintext)
    }
  }

  @Test("each ciphertext block is the cipher of the plaintext XOR the previous block")
  func chainingDefinition() throws {
    var rng = SeededGenerator(seed: 0xCBC_0002)
    let key = rng.bytes(16)
    let reference = ReferenceAES(key: key)
    let cipher = AES128(key: block(key))
    let iv = rng.bytes(16)
    let plaintext = rng.bytes(16 * 9)
    let ciphertext = try CBC.encrypt(plaintext.span, iv: block(iv), with: cipher)
    var previous = iv
    for index in 0..<9 {
      let range = (16 * index)..<(16 * index + 16)
      let input = zip(plaintext[range], previous).map { $0 ^ $1 }
      #expect(Array(ciphertext[range]) == reference.encrypt(input), "block \(index)")
      previous = Array(ciphertext[range])
    }
  }

  @Test("a cipher using the default four-block functions gives the same results")
  func defaultFourBlockPath() throws {
    var rng = SeededGenerator(seed: 0xCBC_0003)
    let key = rng.bytes(16)
    let fast = AES128(key: block(key))
    let slow = ReferenceCipher(reference: ReferenceAES(key: key))
    let iv = block(rng.bytes(16))
    for length in [0, 1, 15, 16, 17, 63, 64, 65, 100] {
      let plaintext = rng.bytes(length)
      let ciphertext = CBC.encrypt(padding: plaintext.span, iv: iv, with: fast)
      #expect(CBC.encrypt(padding: plaintext.span, iv: iv, with: slow) == ciphertext)
      #expect(try CBC.decrypt(unpadding: ciphertext.span, iv: iv, with: slow) == plaintext)
    }
  }

  @Test("in-place and copying forms agree, and the copying forms leave the input alone")
  func inPlaceEqualsCopied() throws {
    var rng = SeededGenerator(seed: 0xCBC_0004)
    let cipher = AES128(key: block(rng.bytes(16)))
    let iv = block(rng.bytes(16))
    let plaintext = rng.bytes(16 * 7)
    let copy = plaintext
    let copied = try CBC.encrypt(plaintext.span, iv: iv, with: cipher)
    #expect(plaintext == copy)
    var inPlace = plaintext
    var chain = iv
    var span = inPlace.mutableSpan
    try CBC.encrypt(&span, chaining: &chain, with: cipher)
    #expect(inPlace == copied)

    let decrypted = try CBC.decrypt(copied.span, iv: iv, with: cipher)
    var back = copied
    var decryptChain = iv
    var backSpan = back.mutableSpan
    try CBC.decrypt(&backSpan, chaining: &decryptChain, with: cipher)
    #expect(back == decrypted)
    #expect(decrypted == plaintext)
  }

  @Test("an empty message is a no-op for the unpadded forms")
  func emptyUnpadded() throws {
    let cipher = AES128(key: InlineArray(repeating: 7))
    let iv = InlineArray<16, UInt8>(repeating: 9)
    let empty: [UInt8] = []
    #expect(try CBC.encrypt(empty.span, iv: iv, with: cipher) == [])
    #expect(try CBC.decrypt(empty.span, iv: iv, with: cipher) == [])
    var data: [UInt8] = []
    var chain = iv
    var span = data.mutableSpan
    try CBC.encrypt(&span, chaining: &chain, with: cipher)
    #expect(bytes(chain) == bytes(iv))
  }

  @Test("lengths that are not whole blocks are rejected", arguments: [1, 8, 15, 17, 31, 33, 47])
  func misalignedLengths(length: Int) {
    let cipher = AES128(key: InlineArray(repeating: 7))
    let iv = InlineArray<16, UInt8>(repeating: 9)
    let data = [UInt8](repeating: 0x5A, count: length)
    #expect(throws: CipherError.notBlockAligned) {
      _ = try CBC.encrypt(data.span, iv: iv, with: cipher)
    }
    #expect(throws: CipherError.notBlockAligned) {
      _ = try CBC.decrypt(data.span, iv: iv, with: cipher)
    }
    #expect(throws: CipherError.notBlockAligned) {
      _ = try CBC.decrypt(unpadding: data.span, iv: iv, with: cipher)
    }
    var buffer = data
    var chain = iv
    #expect(throws: CipherError.notBlockAligned) {
      var span = buffer.mutableSpan
      try CBC.encrypt(&span, chaining: &chain, with: cipher)
    }
    #expect(throws: CipherError.notBlockAligned) {
      var span = buffer.mutableSpan
      try CBC.decrypt(&span, chaining: &chain, with: cipher)
    }
    #expect(buffer == data, "rejected input is left unchanged")
    #expect(bytes(chain) == bytes(iv), "rejected input leaves the IV unchanged")
  }

  @Test("decryption with padding removal needs at least one block")
  func emptyPaddedCiphertext() {
    let cipher = AES128(key: InlineArray(repeating: 7))
    let empty: [UInt8] = []
    #expect(throws: CipherError.notBlockAligned) {
      _ = try CBC.decrypt(unpadding: empty.span, iv: InlineArray(repeating: 0), with: cipher)
    }
  }

  @Test("PKCS #7 padding round trip through CBC for lengths 0 to 48 (seed 0xCBC_0005)")
  func paddedRoundTrip() throws {
    var rng = SeededGenerator(seed: 0xCBC_0005)
    let cipher = AES128(key: block(rng.bytes(16)))
    let iv = block(rng.bytes(16))
    for length in 0...48 {
      let plaintext = rng.bytes(length)
      let ciphertext = CBC.encrypt(padding: plaintext.span, iv: iv, with: cipher)
      #expect(ciphertext.count == 16 * (length / 16 + 1), "length \(length)")
      let padded = PKCS7.padded(plaintext.span)
      #expect(try CBC.encrypt(padded.span, iv: iv, with: cipher) == ciphertext)
      #expect(try CBC.decrypt(unpadding: ciphertext.span, iv: iv, with: cipher) == plaintext)

      let prefix: [UInt8] = [1, 2, 3]
      var appended = prefix
      CBC.encrypt(padding: plaintext.span, iv: iv, with: cipher, into: &appended)
      #expect(appended == prefix + ciphertext, "length \(length)")
      var decrypted = prefix
      try CBC.decrypt(unpadding: ciphertext.span, iv: iv, with: cipher, into: &decrypted)
      #expect(decrypted == prefix + plaintext, "length \(length)")
    }
  }

  @Test("bad padding is reported and appends nothing")
  func invalidPaddingThroughCBC() throws {
    var rng = SeededGenerator(seed: 0xCBC_0006)
    let cipher = AES128(key: block(rng.bytes(16)))
    let iv = block(rng.bytes(16))
    // A final block ending in 0x00 is never valid padding.
    var plaintext = rng.bytes(32)
    plaintext[31] = 0
    let ciphertext = try CBC.encrypt(plaintext.span, iv: iv, with: cipher)
    #expect(throws: CipherError.invalidPadding) {
      _ = try CBC.decrypt(unpadding: ciphertext.span, iv: iv, with: cipher)
    }
    let prefix: [UInt8] = [9, 8, 7]
    var output = prefix
    #expect(throws: CipherError.invalidPadding) {
      try CBC.decrypt(unpadding: ciphertext.span, iv: iv, with: cipher, into: &output)
    }
    #expect(output == prefix)
  }
}
