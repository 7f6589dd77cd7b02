// NestedEncryptionTests.swift: Fernet tokens nested with several layers in flight, byte for
// byte against one layer after the other.
// SPDX-License-Identifier: Apache-2.0

import Fernet
import Testing
import _TestSupport

/// `count` random layer keys.
private func boxedKeys(_ count: Int, using rng: inout SeededGenerator) -> [FernetKeyBox] {
  (0..<count).map { _ in FernetKeyBox(FernetKey.generate(using: &rng)) }
}

/// The reference: layer k encrypts the whole text of layer k - 1 with the public API.
private func layerByLayer(
  _ message: [UInt8], keys: [FernetKeyBox], at timestamp: UInt64, ivs: [InlineArray<16, UInt8>]
) -> [UInt8] {
  var current = message
  for (index, box) in keys.enumerated() {
    current = box.key.encryptToASCII(current.span, at: timestamp, iv: ivs[index])
  }
  return current
}

/// Checks `encryptNested` against `layerByLayer` for one message and fresh IVs.
private func expectSameAsLayerByLayer(
  _ message: [UInt8], keys: [FernetKeyBox], using rng: inout SeededGenerator,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let timestamp = rng.next() >> 1
  let ivs = keys.map { _ in FernetKey.randomIV(using: &rng) }
  let nested = FernetKey.encryptNested(message.span, keys: keys, at: timestamp, ivs: ivs)
  let expected = layerByLayer(message, keys: keys, at: timestamp, ivs: ivs)
  #expect(
    nested == expected, "\(keys.count) layers, \(message.count) bytes, seed \(rng.seed)",
    sourceLocation: sourceLocation)
}

@Suite struct NestedEncryptionTests {
  @Test(
    "every message length 0...200 equals layer-by-layer encryption (seed 0x4E_0000 + layers)",
    arguments: [1, 2, 3, 5, 16])
  func everyShortLength(layerCount: Int) {
    var rng = SeededGenerator(seed: 0x4E_0000 + UInt64(layerCount))
    let keys = boxedKeys(layerCount, using: &rng)
    for length in 0...200 {
      expectSameAsLayerByLayer(rng.bytes(length), keys: keys, using: &rng)
    }
  }

  @Test(
    "1000- and 5000-byte messages equal layer-by-layer encryption (seed 0x4E_1000 + length)",
    arguments: [1000, 5000])
  func longMessages(length: Int) {
    var rng = SeededGenerator(seed: 0x4E_1000 + UInt64(length))
    for layerCount in [1, 4, 16] {
      expectSameAsLayerByLayer(
        rng.bytes(length), keys: boxedKeys(layerCount, using: &rng), using: &rng)
    }
  }

  @Test("every layer count 1...20 equals layer-by-layer encryption (seed 0x4E_2000)")
  func everyLayerCount() {
    var rng = SeededGenerator(seed: 0x4E_2000)
    for layerCount in 1...20 {
      let keys = boxedKeys(layerCount, using: &rng)
      for length in [0, 1, 15, 16, 17, 47, 48, 100] {
        expectSameAsLayerByLayer(rng.bytes(length), keys: keys, using: &rng)
      }
    }
  }

  @Test("a nested token opens layer by layer, and the same key may appear in several layers")
  func opensLayerByLayer() throws {
    var rng = SeededGenerator(seed: 0x4E_3000)
    let keys = boxedKeys(3, using: &rng)
    let repeated = [keys[0], keys[1], keys[0], keys[2], keys[0]]
    let message = Array("temperature=21.4C".utf8)
    let ivs = repeated.map { _ in FernetKey.randomIV(using: &rng) }
    var current = FernetKey.encryptNested(
      message.span, keys: repeated, at: 1_796_412_688, ivs: ivs)
    for box in repeated.reversed() {
      #expect(
        try box.key.extractTimestamp(String(decoding: current, as: UTF8.self)) == 1_796_412_688)
      current = try box.key.decrypt(current.span)
    }
    #expect(current == message)
  }
}
