// AES128LanesTests.swift: the four-key, four-lane AES-128 against one-key encryptions, with keys
// moving in and out of lanes.
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import Testing
import _TestSupport

/// Splits four blocks into the little-endian word pairs `AES128Lanes.encrypt(words:)` takes.
private func words(_ blocks: [[UInt8]]) -> InlineArray<8, UInt64> {
  InlineArray<8, UInt64> { index in
    let block = blocks[index / 2]
    var word: UInt64 = 0
    for byte in 0..<8 { word |= UInt64(block[8 * (index % 2) + byte]) << (8 * UInt64(byte)) }
    return word
  }
}

/// Joins lane `lane`'s word pair back into 16 bytes.
private func laneBytes(_ words: InlineArray<8, UInt64>, lane: Int) -> [UInt8] {
  (0..<16).map { byte in
    UInt8(truncatingIfNeeded: words[2 * lane + byte / 8] >> (8 * UInt64(byte % 8)))
  }
}

@Suite struct AES128LanesTests {
  @Test("each lane encrypts with its own key, through 500 random lane reloads (seed 0xAE5_1A4E)")
  func mixedKeysAndReloads() {
    var rng = SeededGenerator(seed: 0xAE5_1A4E)
    let lanes = AES128Lanes()
    var laneKeys: [[UInt8]] = []
    for lane in 0..<4 {
      let key = rng.bytes(16)
      lanes.load(AES128(key: block(key)), intoLane: lane)
      laneKeys.append(key)
    }
    for round in 0..<500 {
      // Replace the keys of a random set of lanes (sometimes none, sometimes all).
      for lane in 0..<4 where Bool.random(using: &rng) {
        let key = rng.bytes(16)
        lanes.load(AES128(key: block(key)), intoLane: lane)
        laneKeys[lane] = key
      }
      let plaintexts = (0..<4).map { _ in rng.bytes(16) }
      var data = words(plaintexts)
      lanes.encrypt(words: &data)
      for lane in 0..<4 {
        var expected = block(plaintexts[lane])
        AES128(key: block(laneKeys[lane])).encrypt(block: &expected)
        #expect(laneBytes(data, lane: lane) == bytes(expected), "round \(round), lane \(lane)")
        #expect(
          laneBytes(data, lane: lane)
            == ReferenceAES(key: laneKeys[lane]).encrypt(plaintexts[lane]),
          "round \(round), lane \(lane)")
      }
    }
  }

  @Test("the same key in every lane gives the four-block encryption of AES128")
  func oneKeyInEveryLane() {
    var rng = SeededGenerator(seed: 0xAE5_1A4F)
    let key = rng.bytes(16)
    let cipher = AES128(key: block(key))
    let lanes = AES128Lanes()
    for lane in 0..<4 { lanes.load(cipher, intoLane: lane) }
    let plaintexts = (0..<4).map { _ in rng.bytes(16) }
    var data = words(plaintexts)
    lanes.encrypt(words: &data)
    var expected = InlineArray<4, InlineArray<16, UInt8>> { block(plaintexts[$0]) }
    cipher.encrypt(blocks: &expected)
    for lane in 0..<4 {
      #expect(laneBytes(data, lane: lane) == bytes(expected[lane]), "lane \(lane)")
    }
  }

  @Test("FIPS 197 Appendix C.1 in each lane, the other lanes holding other keys")
  func fips197InEachLane() {
    let key = hex("000102030405060708090a0b0c0d0e0f")
    let plaintext = hex("00112233445566778899aabbccddeeff")
    let ciphertext = hex("69c4e0d86a7b0430d8cdb78070b4c55a")
    var rng = SeededGenerator(seed: 0xAE5_1A50)
    for lane in 0..<4 {
      let lanes = AES128Lanes()
      for other in 0..<4 { lanes.load(AES128(key: block(rng.bytes(16))), intoLane: other) }
      lanes.load(AES128(key: block(key)), intoLane: lane)
      var blocks = (0..<4).map { _ in rng.bytes(16) }
      blocks[lane] = plaintext
      var data = words(blocks)
      lanes.encrypt(words: &data)
      #expect(laneBytes(data, lane: lane) == ciphertext, "lane \(lane)")
    }
  }
}
