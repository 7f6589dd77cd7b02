// PythonInteropTests.swift: tokens sealed here open in the Python reference of the deployed
// system, and tokens it seals open here, for many random keys and messages.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SecureAPI
import Testing
import _TestSupport

/// Key files for the batch: standard 512-character keys, plus shapes the wire document allows:
/// one layer (40 characters: 8 past the last layer key) and 513 characters of printable ASCII.
private func keyText(_ index: Int, using rng: inout SeededGenerator) -> [UInt8] {
  switch index % 8 {
  case 6:
    return (0..<40).map { _ in UInt8.random(in: 0x21...0x7e, using: &rng) }
  case 7:
    return (0..<513).map { _ in UInt8.random(in: 0x20...0x7e, using: &rng) }
  default:
    return KeyFile.generate(using: &rng).serialized()
  }
}

/// Messages: empty, multi-byte UTF-8, 10 KB, and random short readings.
private func message(_ index: Int, using rng: inout SeededGenerator) -> [UInt8] {
  switch index % 4 {
  case 0: return []
  case 1: return Array("température 21°C ✓ 湿度 40% 🌡".utf8)
  case 2: return Array(String(repeating: "0123456789", count: 1024).utf8)
  default: return Array("reading=\(Int.random(in: 0..<1_000_000, using: &rng))".utf8)
  }
}

@Suite struct PythonInteropTests {
  @Test(.enabled(if: PythonReference.isAvailable, "python3 with cryptography is not installed"))
  func tokensOpenBothWays() throws {
    var rng = SeededGenerator(seed: 0x7631_696e_7465_726f)
    var keys: [[UInt8]] = []
    var bodies: [[UInt8]] = []
    var cases: [[String: Any]] = []
    for index in 0..<24 {
      let key = keyText(index, using: &rng)
      let file = try KeyFile(contents: key)
      let time = Timestamp(ticks: UInt64.random(in: 0...Timestamp.maximum.ticks, using: &rng))
      let frame = MessageFrame(
        time: time, code: index % 2 == 0 ? .put : .get, payload: message(index, using: &rng))
      let body = frame.encoded()
      let token = SecureChannel.seal(
        body: body.span, ring: file.keyRing(), fernetTime: time.unixSeconds, using: &rng)
      keys.append(key)
      bodies.append(body)
      cases.append([
        "id": index, "key": String(decoding: key, as: UTF8.self),
        "swiftToken": String(decoding: token, as: UTF8.self),
        "body": Data(body).base64EncodedString(),
      ])
    }
    let output = try PythonReference.run(
      arguments: [PythonReference.script("Python/token_batch.py")],
      input: try JSONSerialization.data(withJSONObject: ["cases": cases]))
    try #require(output.status == 0, "python failed: \(output.standardError)")
    let results = try #require(
      try JSONSerialization.jsonObject(with: output.standardOutput) as? [[String: Any]])
    try #require(results.count == cases.count)
    for (index, result) in results.enumerated() {
      let label = "case \(index), key of \(keys[index].count) bytes, body of \(bodies[index].count)"
      let opened = (result["swiftBody"] as? String).flatMap { Data(base64Encoded: $0) }
      #expect(opened == Data(bodies[index]), "\(label): Python opens our token")
      let pythonToken = try #require(result["pythonToken"] as? String)
      let ring = try KeyFile(contents: keys[index]).keyRing()
      #expect(
        try SecureChannel.openBody(Array(pythonToken.utf8).span, ring: ring) == bodies[index],
        "\(label): we open Python's token")
    }
  }
}
