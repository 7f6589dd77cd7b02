// HMACTests.swift: HMAC-SHA224 and HMAC-SHA256 against RFC 4231 and the incremental contract.
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport
import MessageAuthentication
import SHA2
import Testing
import _TestSupport

/// Checks one RFC 4231 record. The file leaves out the truncated-output case (test 5), so every
/// record carries a full-length tag.
private func check<H: HashFunction>(_: H.Type, _ record: RSPRecord) throws {
  let key = SymmetricKey(copying: try record.hexField("Key"))
  let message = try record.hexField("Msg")
  let expected = try record.hexField("MD")
  try #require(try record.intField("Len") == message.count * 8)
  let code = HMAC<H>.authenticationCode(for: message, using: key)
  #expect(code.bytes == expected)
  var tampered = expected
  tampered[tampered.count - 1] ^= 1
  let acceptsExpected = HMAC<H>.isValidAuthenticationCode(
    expected, authenticating: message, using: key)
  let acceptsTampered = HMAC<H>.isValidAuthenticationCode(
    tampered, authenticating: message, using: key)
  let acceptsTruncated = HMAC<H>.isValidAuthenticationCode(
    Array(expected.dropLast()), authenticating: message, using: key)
  #expect(acceptsExpected)
  #expect(!acceptsTampered)
  #expect(!acceptsTruncated)
}

@Suite struct HMACTests {
  @Test("hmac-sha224-rfc4231", arguments: try VectorCatalog.hmacSha224Rfc4231.records())
  func hmacSha224Rfc4231(_ record: RSPRecord) throws {
    try check(SHA224.self, record)
  }

  @Test("hmac-sha256-rfc4231", arguments: try VectorCatalog.hmacSha256Rfc4231.records())
  func hmacSha256Rfc4231(_ record: RSPRecord) throws {
    try check(SHA256.self, record)
  }

  /// Incremental updates, in any split, equal the one-shot code, and a keyed state can be reused
  /// by copying it. Seed 0x484d4143.
  @Test func incrementalEqualsOneShot() {
    var rng = SeededGenerator(seed: 0x484d_4143)
    for keyLength in [0, 1, 16, 63, 64, 65, 200] {
      let keyBytes = rng.bytes(keyLength)
      let key = SymmetricKey(copying: keyBytes)
      let keyed = HMAC<SHA256>(key: keyBytes.span)
      for length in [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000] {
        let message = rng.bytes(length)
        let whole = HMAC<SHA256>.authenticationCode(for: message, using: key)
        let split = Int.random(in: 0...length, using: &rng)
        var state = keyed
        state.update(Array(message[..<split]))
        state.update(Array(message[split...]))
        #expect(state.finalize() == whole, "key \(keyLength), length \(length), split \(split)")
      }
    }
  }

  @Test func emptyKeyAndMessage() {
    // HMAC-SHA256 with an empty key over an empty message, a widely published value.
    let code = HMAC<SHA256>.authenticationCode(for: [], using: SymmetricKey(copying: []))
    #expect(code.description == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
  }
}
