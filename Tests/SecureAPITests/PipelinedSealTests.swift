// PipelinedSealTests.swift: the seal, which computes its layers together, against the plain
// composition of the wire format: the mask, then one Fernet token per layer key, each layer
// encrypting the whole text of the one below.
// Reference: wire format v1 §3 (mask) and §4 (layering).
// SPDX-License-Identifier: Apache-2.0

import Fernet
import SecureAPI
import Testing
import _TestSupport

/// A key file of `byteCount` characters (one layer per 32) from a seeded generator.
private func keyFile(byteCount: Int, seed: UInt64) throws -> KeyFile {
  var rng = SeededGenerator(seed: seed)
  let contents = (0..<byteCount).map { _ in
    KeyFile.alphabet[Int.random(in: 0..<KeyFile.alphabet.count, using: &rng)]
  }
  return try KeyFile(contents: contents)
}

/// The reference seal: the same random draws in the same order (the mask, then one IV per
/// layer, innermost first), each layer made by `FernetKey.encryptToASCII` from the key file's
/// bytes.
private func layerByLayerSeal(
  body: [UInt8], file: borrowing KeyFile, fernetTime: UInt64, using rng: inout SeededGenerator
) throws -> [UInt8] {
  let bytes = file.serialized()
  var current = Masking.wrap(body.span, ring: file.keyRing(), using: &rng)
  for layer in 0..<(bytes.count / 32) {
    let key = try FernetKey(rawBytes: Array(bytes[(32 * layer)..<(32 * layer + 32)]))
    current = key.encryptToASCII(current.span, at: fernetTime, iv: FernetKey.randomIV(using: &rng))
  }
  return current
}

@Suite struct PipelinedSealTests {
  @Test(
    "bodies of 0...200 bytes seal as layer by layer, for 1, 2, 3, 5 and 16 layers",
    arguments: [32, 64, 96, 160, 512])
  func everyShortBody(keyFileLength: Int) throws {
    let file = try keyFile(byteCount: keyFileLength, seed: 0x5EA1_0000 + UInt64(keyFileLength))
    let ring = file.keyRing()
    var bodies = SeededGenerator(seed: 0x5EA1_1000 + UInt64(keyFileLength))
    for length in 0...200 {
      let body = bodies.bytes(length)
      let seed = bodies.next()
      var pipelined = SeededGenerator(seed: seed)
      var embedded = SeededGenerator(seed: seed)
      var reference = SeededGenerator(seed: seed)
      let token = SecureChannel.seal(
        body: body.span, ring: ring, fernetTime: 1_796_412_688, using: &pipelined)
      let expected = try layerByLayerSeal(
        body: body, file: file, fernetTime: 1_796_412_688, using: &reference)
      #expect(token == expected, "\(keyFileLength / 32) layers, body of \(length), seed \(seed)")
      // The Embedded builds' seal gives the same bytes.
      let small = SecureChannel.sealLayerByLayer(
        body: body.span, ring: ring, fernetTime: 1_796_412_688, using: &embedded)
      #expect(small == expected, "\(keyFileLength / 32) layers, body of \(length), seed \(seed)")
      // All consumed the same random numbers.
      let next = reference.next()
      #expect(pipelined.next() == next && embedded.next() == next)
    }
  }

  @Test("1000- and 5000-byte bodies seal as layer by layer", arguments: [1000, 5000])
  func longBodies(length: Int) throws {
    let file = try keyFile(byteCount: 512, seed: 0x5EA1_2000)
    var rng = SeededGenerator(seed: 0x5EA1_3000 + UInt64(length))
    let body = rng.bytes(length)
    var pipelined = rng
    var reference = rng
    let token = SecureChannel.seal(
      body: body.span, ring: file.keyRing(), fernetTime: 7, using: &pipelined)
    #expect(
      token == (try layerByLayerSeal(body: body, file: file, fernetTime: 7, using: &reference)))
    #expect(try SecureChannel.openBody(token.span, ring: file.keyRing()) == body)
  }
}
