// PythonCryptographyTests.swift: differential tests against Python's pyca `cryptography`, in
// both directions: our hashes, tags, ciphertexts and Fernet tokens must equal or open in Python,
// and Python's must open here; tampered tokens are refused by both.
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import CryptoSupport
import Encodings
import Fernet
import Foundation
import MessageAuthentication
import SHA2
import Testing
import _TestSupport

/// The seed of the case batch; change it to explore, keep it to reproduce.
private let batchSeed: UInt64 = 0x7079_6361_2d78_6368

/// Message lengths: every length 0...64, then random lengths, mostly short, some up to 64 KiB.
private func messageLengths(using rng: inout SeededGenerator) -> [Int] {
  var lengths = Array(0...64)
  while lengths.count < 1_000 {
    let long = Int.random(in: 0..<10, using: &rng) == 0
    lengths.append(Int.random(in: 0...(long ? 65_536 : 1_024), using: &rng))
  }
  return lengths
}

private func inline16(_ bytes: [UInt8]) -> InlineArray<16, UInt8> {
  var value = InlineArray<16, UInt8>(repeating: 0)
  for index in 0..<16 { value[index] = bytes[index] }
  return value
}

/// Flips one bit of a token's decoded bytes and re-encodes it canonically.
private func tampered(_ token: String, position: Int) throws -> String {
  var raw = try Base64URL.decode(token)
  raw[position % raw.count] ^= 1 << UInt8(position % 8)
  return Base64URL.encode(raw)
}

private struct Case {
  let id: Int
  let message: [UInt8]
  let hmacKey: [UInt8]
  let aesKey: [UInt8]
  let iv: [UInt8]
  let fernetKey: String
  let fernetTime: UInt64
  let tamperPosition: Int
  let swiftToken: String
  let swiftTampered: String
}

@Suite struct PythonCryptographyTests {
  @Test func pythonIsPresentWhenRequired() {
    #expect(
      PythonReference.requirementProblem == nil, "\(PythonReference.requirementProblem ?? "")")
  }

  @Test(.enabled(if: PythonReference.isAvailable, "python3 with cryptography is not installed"))
  func bothDirections() throws {
    var rng = SeededGenerator(seed: batchSeed)
    var cases: [Case] = []
    for (id, length) in messageLengths(using: &rng).enumerated() {
      let message = rng.bytes(length)
      let fernetKey = FernetKey.generate(using: &rng)
      let fernetTime = UInt64.random(in: 0...4_000_000_000, using: &rng)
      let token = fernetKey.encrypt(message.span, at: fernetTime, using: &rng)
      let position = Int.random(in: 0..<1_000_000, using: &rng)
      cases.append(
        Case(
          id: id, message: message, hmacKey: rng.bytes(Int.random(in: 0...100, using: &rng)),
          aesKey: rng.bytes(16), iv: rng.bytes(16), fernetKey: fernetKey.base64URL(),
          fernetTime: fernetTime, tamperPosition: position, swiftToken: token,
          swiftTampered: try tampered(token, position: position)))
    }
    let request: [String: Any] = [
      "cases": cases.map { item -> [String: Any] in
        [
          "id": item.id, "message": Data(item.message).base64EncodedString(),
          "hmacKey": Data(item.hmacKey).base64EncodedString(),
          "aesKey": Data(item.aesKey).base64EncodedString(),
          "iv": Data(item.iv).base64EncodedString(), "fernetKey": item.fernetKey,
          "fernetTime": item.fernetTime, "tamperPosition": item.tamperPosition,
          "swiftToken": item.swiftToken, "swiftTampered": item.swiftTampered,
        ]
      }
    ]
    let output = try PythonReference.run(
      arguments: [PythonReference.script("crypto_reference.py")],
      input: try JSONSerialization.data(withJSONObject: request))
    try #require(output.status == 0, "python failed: \(output.standardError)")
    let results = try #require(
      try JSONSerialization.jsonObject(with: output.standardOutput) as? [[String: Any]])
    try #require(results.count == cases.count)

    var checked = 0
    for (item, result) in zip(cases, results) {
      func bytes(_ name: String) throws -> [UInt8] {
        let text = try #require(result[name] as? String, "case \(item.id): no \(name)")
        return [UInt8](try #require(Data(base64Encoded: text)))
      }
      let label = "case \(item.id), \(item.message.count) bytes"
      #expect(result["id"] as? Int == item.id)
      #expect(try bytes("sha224") == Array(SHA224.hash(item.message)), "\(label): SHA-224")
      #expect(try bytes("sha256") == Array(SHA256.hash(item.message)), "\(label): SHA-256")
      let hmacKey = SymmetricKey(copying: item.hmacKey)
      #expect(
        try bytes("hmacSha224")
          == HMAC<SHA224>.authenticationCode(for: item.message, using: hmacKey).bytes,
        "\(label): HMAC-SHA224")
      #expect(
        try bytes("hmacSha256")
          == HMAC<SHA256>.authenticationCode(for: item.message, using: hmacKey).bytes,
        "\(label): HMAC-SHA256")

      // AES-128-CBC: the same ciphertext, and Python's ciphertext decrypts here.
      let cipher = AES128(key: inline16(item.aesKey))
      let ours = CBC.encrypt(padding: item.message.span, iv: inline16(item.iv), with: cipher)
      let theirs = try bytes("cbc")
      #expect(theirs == ours, "\(label): AES-128-CBC")
      #expect(
        try CBC.decrypt(unpadding: theirs.span, iv: inline16(item.iv), with: cipher)
          == item.message,
        "\(label): AES-128-CBC decrypt of Python's")

      // Fernet, Swift to Python.
      #expect(
        (result["swiftTokenPlaintext"] as? String).flatMap { Data(base64Encoded: $0) }
          == Data(item.message), "\(label): Python decrypts our token")
      #expect(
        result["swiftTamperedRejected"] as? Bool == true, "\(label): Python refuses tampering")

      // Fernet, Python to Swift.
      let key = try FernetKey(base64URL: item.fernetKey)
      let pythonToken = try #require(result["pythonToken"] as? String)
      #expect(try key.decrypt(pythonToken) == item.message, "\(label): we decrypt Python's token")
      #expect(try key.extractTimestamp(pythonToken) == item.fernetTime)
      let pythonTampered = try #require(result["pythonTampered"] as? String)
      #expect(throws: FernetError.invalidToken, "\(label): we refuse Python's tampered token") {
        try key.decrypt(pythonTampered)
      }
      #expect(throws: FernetError.invalidToken) { try key.decrypt(item.swiftTampered) }
      checked += 1
    }
    #expect(checked >= 1_000)
  }
}
