// SHA256LanesTests.swift: the four-lane SHA-256 compression function against SHA256 on four
// different messages at once.
// Reference: FIPS 180-4 §5.1.1 (padding), §6.2 (computation).
// SPDX-License-Identifier: Apache-2.0

import SHA2
import Testing
import _TestSupport

/// `message` with the SHA-256 padding: 0x80, zeros, and the bit length in 8 big-endian bytes.
private func padded(_ message: [UInt8]) -> [UInt8] {
  var bytes = message + [0x80]
  while bytes.count % 64 != 56 { bytes.append(0) }
  let bitCount = UInt64(message.count) * 8
  for byte in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bitCount >> (56 - 8 * UInt64(byte)))) }
  return bytes
}

/// The digest bytes of a final state (its words, big-endian).
private func digest(_ state: InlineArray<8, UInt32>) -> [UInt8] {
  (0..<32).map { UInt8(truncatingIfNeeded: state[$0 / 4] >> (24 - 8 * UInt32($0 % 4))) }
}

@Suite struct SHA256LanesTests {
  @Test("four messages of 1 to 5 blocks each hash as SHA256 does (seed 0x5A_4E5)")
  func fourMessagesAtOnce() {
    var rng = SeededGenerator(seed: 0x5A_4E5)
    for _ in 0..<200 {
      let blockCount = Int.random(in: 1...5, using: &rng)
      // Lengths whose padding makes exactly `blockCount` blocks: 64(n - 1) - 8 ... 64n - 9.
      let messages = (0..<4).map { _ in
        rng.bytes(Int.random(in: max(0, 64 * blockCount - 72)...(64 * blockCount - 9), using: &rng))
      }
      // The four padded messages one after the other in one buffer.
      let buffer = messages.flatMap(padded)
      var states = InlineArray<4, InlineArray<8, UInt32>>(repeating: SHA256.initialState)
      for block in 0..<blockCount {
        let offsets = InlineArray<4, Int> { lane in 64 * (blockCount * lane + block) }
        SHA256Lanes.compress(&states, blocks: buffer.span, offsets: offsets)
      }
      for lane in 0..<4 {
        #expect(
          digest(states[lane]) == Array(SHA256.hash(messages[lane])),
          "\(messages[lane].count) bytes in lane \(lane)")
      }
    }
  }

  @Test("lanes reading the same block give the same state: SHA-256 of \"abc\"")
  func sharedBlock() {
    let block = padded(Array("abc".utf8))
    var states = InlineArray<4, InlineArray<8, UInt32>>(repeating: SHA256.initialState)
    SHA256Lanes.compress(&states, blocks: block.span, offsets: InlineArray(repeating: 0))
    for lane in 0..<4 {
      #expect(
        VectorHex.encode(digest(states[lane]))
          == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "lane \(lane)")
    }
  }
}
