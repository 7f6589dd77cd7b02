// AES128Tests.swift: known answers for AES-128 and a cross-check of the bitsliced
// implementation against the textbook one on random keys and blocks.
// Reference: FIPS 197 Appendix C.1.
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import CryptoSupport
import Testing
import _TestSupport

/// Turns 16 bytes into a block.
func block(_ bytes: [UInt8]) -> InlineArray<16, UInt8> {
  precondition(bytes.count == 16)
  return InlineArray<16, UInt8> { bytes[$0] }
}

/// Turns a block into bytes.
func bytes(_ block: InlineArray<16, UInt8>) -> [UInt8] {
  (0..<16).map { block[$0] }
}

/// Decodes hexadecimal test data.
func hex(_ text: String) -> [UInt8] {
  guard let bytes = VectorHex.decode(text) else {
    preconditionFailure("bad hex in a test: \(text)")
  }
  return bytes
}

@Suite struct AES128Tests {
  @Test("FIPS 197 Appendix C.1") func fips197AppendixC1() throws {
    let key = hex("000102030405060708090a0b0c0d0e0f")
    let plaintext = hex("00112233445566778899aabbccddeeff")
    let ciphertext = hex("69c4e0d86a7b0430d8cdb78070b4c55a")
    let cipher = AES128(key: block(key))
    var data = block(plaintext)
    cipher.encrypt(block: &data)
    #expect(bytes(data) == ciphertext)
    cipher.decrypt(block: &data)
    #expect(bytes(data) == plaintext)

    let fromSpan = try AES128(key: key.span)
    var again = block(plaintext)
    fromSpan.encrypt(block: &again)
    #expect(bytes(again) == ciphertext)

    let fromKey = try AES128(key: SymmetricKey(copying: key))
    var third = block(plaintext)
    fromKey.encrypt(block: &third)
    #expect(bytes(third) == ciphertext)
  }

  @Test("the reference S-box matches FIPS 197 §5.1.1") func referenceSBox() {
    #expect(ReferenceAES.sBox[0x00] == 0x63)
    #expect(ReferenceAES.sBox[0x53] == 0xED)
    #expect(ReferenceAES.sBox[0xFF] == 0x16)
    #expect(ReferenceAES.inverseSBox[0x63] == 0x00)
  }

  @Test("single blocks match ReferenceAES on random keys (seed 0xAE5_0001)")
  func randomSingleBlocks() {
    var rng = SeededGenerator(seed: 0xAE5_0001)
    for _ in 0..<2000 {
      let key = rng.bytes(16)
      let plaintext = rng.bytes(16)
      let reference = ReferenceAES(key: key)
      let cipher = AES128(key: block(key))
      var data = block(plaintext)
      cipher.encrypt(block: &data)
      let expected = reference.encrypt(plaintext)
      #expect(bytes(data) == expected, "key \(VectorHex.encode(key))")
      var back = block(expected)
      cipher.decrypt(block: &back)
      #expect(bytes(back) == plaintext, "key \(VectorHex.encode(key))")
      #expect(reference.decrypt(expected) == plaintext)
    }
  }

  @Test("four-block calls match ReferenceAES on random keys (seed 0xAE5_0004)")
  func randomFourBlocks() {
    var rng = SeededGenerator(seed: 0xAE5_0004)
    for _ in 0..<1000 {
      let key = rng.bytes(16)
      let plaintexts = (0..<4).map { _ in rng.bytes(16) }
      let reference = ReferenceAES(key: key)
      let cipher = AES128(key: block(key))
      var data = InlineArray<4, InlineArray<16, UInt8>> { block(plaintexts[$0]) }
      cipher.encrypt(blocks: &data)
      let expected = plaintexts.map { reference.encrypt($0) }
      for lane in 0..<4 {
        #expect(bytes(data[lane]) == expected[lane], "key \(VectorHex.encode(key)), lane \(lane)")
      }
      var back = InlineArray<4, InlineArray<16, UInt8>> { block(expected[$0]) }
      cipher.decrypt(blocks: &back)
      for lane in 0..<4 {
        #expect(bytes(back[lane]) == plaintexts[lane], "key \(VectorHex.encode(key)), lane \(lane)")
      }
    }
  }

  @Test("the word form decrypts as the block form")
  func wordFormMatchesBlocks() {
    var rng = SeededGenerator(seed: 0xAE5_0006)
    for _ in 0..<200 {
      let cipher = AES128(key: block(rng.bytes(16)))
      let ciphertexts = (0..<4).map { _ in rng.bytes(16) }
      var blocks = InlineArray<4, InlineArray<16, UInt8>> { block(ciphertexts[$0]) }
      cipher.decrypt(blocks: &blocks)
      // Block l is words 2l (bytes 0...7) and 2l + 1 (bytes 8...15), little-endian.
      var words = InlineArray<8, UInt64> { index in
        (0..<8).reduce(0) { word, byte in
          word | UInt64(ciphertexts[index / 2][8 * (index % 2) + byte]) << (8 * byte)
        }
      }
      cipher.decrypt(words: &words)
      for lane in 0..<4 {
        let fromWords = (0..<16).map {
          UInt8(truncatingIfNeeded: words[2 * lane + $0 / 8] >> (8 * ($0 % 8)))
        }
        #expect(fromWords == bytes(blocks[lane]), "lane \(lane)")
      }
    }
  }

  @Test("lanes are independent: equal blocks in any lane give equal results")
  func lanesAreIndependent() {
    var rng = SeededGenerator(seed: 0xAE5_0005)
    let cipher = AES128(key: block(rng.bytes(16)))
    let plaintext = block(rng.bytes(16))
    var single = plaintext
    cipher.encrypt(block: &single)
    for lane in 0..<4 {
      var data = InlineArray<4, InlineArray<16, UInt8>> { _ in block(rng.bytes(16)) }
      data[lane] = plaintext
      cipher.encrypt(blocks: &data)
      #expect(bytes(data[lane]) == bytes(single), "lane \(lane)")
    }
  }

  @Test("keys that are not 16 bytes are rejected", arguments: [0, 1, 15, 17, 24, 32])
  func invalidKeyLength(length: Int) {
    let key = [UInt8](repeating: 0x2A, count: length)
    #expect(throws: CipherError.invalidKeyLength) { _ = try AES128(key: key.span) }
    #expect(throws: CipherError.invalidKeyLength) {
      _ = try AES128(key: SymmetricKey(copying: key))
    }
  }
}
