// FernetKeyTests.swift: the Fernet specification's vectors, pyca's decryption rules, key
// handling and rotation.
// SPDX-License-Identifier: Apache-2.0

import Encodings
import Fernet
import HostSystem
import Testing
import _TestSupport

private func inlineIV(_ bytes: [UInt8]) -> InlineArray<16, UInt8> {
  var iv = InlineArray<16, UInt8>(repeating: 0)
  for index in 0..<16 { iv[index] = bytes[index] }
  return iv
}

@Suite struct FernetKeyTests {
  @Test(
    "fernet-spec-generate", arguments: try JSONVectors.fernetCases(VectorCatalog.fernetSpecGenerate)
  )
  func fernetSpecGenerate(_ vector: FernetVector) throws {
    let key = try FernetKey(base64URL: vector.secret)
    let source = try #require(vector.source)
    let iv = try #require(vector.iv)
    let token = key.encrypt(Array(source.utf8).span, at: vector.now, iv: inlineIV(iv))
    #expect(token == vector.token)
  }

  @Test(
    "fernet-spec-verify", arguments: try JSONVectors.fernetCases(VectorCatalog.fernetSpecVerify))
  func fernetSpecVerify(_ vector: FernetVector) throws {
    let key = try FernetKey(base64URL: vector.secret)
    let ttl = try #require(vector.timeToLive)
    let plaintext = try key.decrypt(vector.token, ttl: ttl, now: vector.now)
    #expect(plaintext == Array(try #require(vector.source).utf8))
    #expect(try key.decrypt(vector.token) == plaintext)
  }

  @Test(
    "fernet-spec-invalid", arguments: try JSONVectors.fernetCases(VectorCatalog.fernetSpecInvalid))
  func fernetSpecInvalid(_ vector: FernetVector) throws {
    let key = try FernetKey(base64URL: vector.secret)
    let ttl = try #require(vector.timeToLive)
    #expect(throws: FernetError.invalidToken) {
      try key.decrypt(vector.token, ttl: ttl, now: vector.now)
    }
  }

  /// pyca applies the TTL and skew checks only when a TTL is given: the expired and far-future
  /// spec tokens are authentic, so they decrypt without one.
  @Test func timeChecksOnlyWithTTL() throws {
    let key = try FernetKey(base64URL: "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=")
    let cases = try JSONVectors.fernetCases(VectorCatalog.fernetSpecInvalid)
    let timeOnly = cases.filter {
      ($0.reason ?? "").contains("TTL") || ($0.reason ?? "").contains("skew")
    }
    try #require(timeOnly.count == 2)
    for vector in timeOnly {
      #expect(throws: Never.self) { try key.decrypt(vector.token) }
    }
  }

  @Test func ttlBoundaries() throws {
    var rng = SeededGenerator(seed: 0x7474_6c)
    let key = FernetKey.generate(using: &rng)
    let token = key.encrypt(Array("m".utf8), at: 1_000, using: &rng)
    #expect(try key.decrypt(token, ttl: 10, now: 1_010) == Array("m".utf8))
    #expect(throws: FernetError.invalidToken) { try key.decrypt(token, ttl: 10, now: 1_011) }
    #expect(try key.decrypt(token, ttl: 10, now: 940) == Array("m".utf8))
    #expect(throws: FernetError.invalidToken) { try key.decrypt(token, ttl: 10, now: 939) }
    // No overflow trap at the ends of the range.
    #expect(try key.decrypt(token, ttl: .max, now: .max - 1) == Array("m".utf8))
    let late = key.encrypt(Array("m".utf8), at: .max, using: &rng)
    #expect(try key.extractTimestamp(late) == .max)
    #expect(try key.decrypt(late, ttl: 5, now: .max) == Array("m".utf8))
  }

  @Test func extractTimestampNeedsAuthenticToken() throws {
    var rng = SeededGenerator(seed: 0x7473)
    let key = FernetKey.generate(using: &rng)
    let other = FernetKey.generate(using: &rng)
    let token = key.encrypt(Array("x".utf8), at: 123_456_789, using: &rng)
    #expect(try key.extractTimestamp(token) == 123_456_789)
    #expect(throws: FernetError.invalidToken) { try other.extractTimestamp(token) }
  }

  /// Every single-bit change anywhere in the decoded token is refused, as is every truncation.
  @Test func tamperingIsRefused() throws {
    var rng = SeededGenerator(seed: 0x7461_6d70)
    let key = FernetKey.generate(using: &rng)
    let token = key.encrypt(Array("attack at dawn!!x".utf8), at: 42, using: &rng)
    let data = try Base64URL.decode(token)
    for byteIndex in data.indices {
      for bit in 0..<8 {
        var changed = data
        changed[byteIndex] ^= 1 << UInt8(bit)
        #expect(throws: FernetError.invalidToken) { try key.decrypt(Base64URL.encode(changed)) }
      }
    }
    for length in 0..<data.count {
      #expect(throws: FernetError.invalidToken) {
        try key.decrypt(Base64URL.encode(Array(data[..<length])))
      }
    }
    // Non-canonical spellings that Python tolerates are refused here.
    #expect(throws: FernetError.invalidToken) { try key.decrypt(String(token.dropLast())) }
    #expect(throws: FernetError.invalidToken) { try key.decrypt(" " + token) }
    #expect(throws: FernetError.invalidToken) { try key.decrypt(token + "\n") }
    #expect(throws: FernetError.invalidToken) { try key.decrypt("") }
  }

  @Test func keyTextErrorsArePrecise() {
    #expect(throws: FernetError.invalidKeyLength(byteCount: 31)) {
      _ = try FernetKey(base64URL: Base64URL.encode([UInt8](repeating: 1, count: 31)))
    }
    #expect(throws: FernetError.invalidKeyEncoding(.invalidCharacter(offset: 2))) {
      _ = try FernetKey(base64URL: "cw+0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=")
    }
    #expect(throws: FernetError.invalidKeyEncoding(.invalidLength)) {
      _ = try FernetKey(base64URL: "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4")
    }
    #expect(throws: FernetError.invalidKeyLength(byteCount: 0)) { _ = try FernetKey(rawBytes: []) }
    let message = FernetError.invalidKeyLength(byteCount: 31).description
    #expect(message.contains("32 bytes") && message.contains("44"))
  }

  @Test func keyTextRoundTrip() throws {
    let text = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
    #expect(try FernetKey(base64URL: text).base64URL() == text)
    let generated = FernetKey.generate()
    #expect(generated.base64URL().utf8.count == 44)
  }

  /// Token lengths are exact functions of the message length, for every length 0...100.
  @Test func tokenLengths() {
    var rng = SeededGenerator(seed: 0x6c65_6e)
    let key = FernetKey.generate(using: &rng)
    for length in 0...100 {
      let token = key.encrypt(rng.bytes(length), at: 7, using: &rng)
      #expect(token.utf8.count == FernetKey.tokenLength(forMessageByteCount: length))
    }
  }

  @Test func systemClockAndGenerator() throws {
    let key = FernetKey.generate()
    let token = key.encrypt(Array("now".utf8))
    #expect(try key.decrypt(token, ttl: 60) == Array("now".utf8))
    let stamp = try key.extractTimestamp(token)
    let now = SystemClock.unixSeconds()
    #expect(stamp <= now && now - stamp < 60)
    // Each token has its own IV (bytes 9..<25 of the decoded token).
    let tokens = (0..<64).map { _ in key.encrypt(Array("same".utf8)) }
    let ivs = try tokens.map { try Array(Base64URL.decode($0)[9..<25]) }
    #expect(Set(ivs).count == tokens.count)
  }

  @Test func systemRandomFillsWholeBuffersWithFreshBytes() {
    // 8 KiB from the generator: every byte value appears (a value missing has probability
    // about 256 * (255/256)^8192, below 1e-11), and a second draw differs.
    var first = [UInt8](repeating: 0, count: 8192)
    var span = first.mutableSpan
    SystemRandom.fill(&span)
    #expect(Set(first).count == 256)
    var second = [UInt8](repeating: 0, count: 8192)
    var secondSpan = second.mutableSpan
    SystemRandom.fill(&secondSpan)
    #expect(first != second)
    var empty: [UInt8] = []
    var emptySpan = empty.mutableSpan
    SystemRandom.fill(&emptySpan)
    #expect(empty.isEmpty)
    let ivs = (0..<1000).map { _ in
      let iv = FernetKey.systemRandomIV()
      return (0..<16).map { iv[$0] }
    }
    #expect(Set(ivs).count == ivs.count)
  }
}

@Suite struct MultiFernetTests {
  @Test func decryptsWithAnyKeyAndEncryptsWithFirst() throws {
    var rng = SeededGenerator(seed: 0x6d75_6c74)
    let old = FernetKey.generate(using: &rng)
    let new = FernetKey.generate(using: &rng)
    let ring = try MultiFernet(base64URLKeys: [new.base64URL(), old.base64URL()])
    let oldToken = old.encrypt(Array("old".utf8), at: 100, using: &rng)
    #expect(try ring.decrypt(oldToken) == Array("old".utf8))
    let fresh = ring.encrypt(Array("fresh".utf8).span, at: 200, using: &rng)
    #expect(try new.decrypt(fresh) == Array("fresh".utf8))
    #expect(throws: FernetError.invalidToken) { try old.decrypt(fresh) }
    #expect(try ring.extractTimestamp(oldToken) == 100)
  }

  @Test func rotateKeepsTimestamp() throws {
    var rng = SeededGenerator(seed: 0x726f_74)
    let old = FernetKey.generate(using: &rng)
    let new = FernetKey.generate(using: &rng)
    let ring = try MultiFernet(base64URLKeys: [new.base64URL(), old.base64URL()])
    let token = old.encrypt(Array("keep".utf8), at: 1_234, using: &rng)
    let rotated = try ring.rotate(token, using: &rng)
    #expect(try new.extractTimestamp(rotated) == 1_234)
    #expect(try new.decrypt(rotated) == Array("keep".utf8))
    #expect(throws: FernetError.invalidToken) { try old.decrypt(rotated) }
    let stranger = FernetKey.generate(using: &rng)
    #expect(throws: FernetError.invalidToken) {
      try ring.rotate(stranger.encrypt(Array("x".utf8), at: 1, using: &rng), using: &rng)
    }
    #expect(try ring.decrypt(token, ttl: 10, now: 1_240) == Array("keep".utf8))
    #expect(throws: FernetError.invalidToken) { try ring.decrypt(token, ttl: 10, now: 1_245) }
  }

  @Test func emptyAndBadKeyLists() {
    #expect(throws: FernetError.noKeys) { _ = try MultiFernet(base64URLKeys: []) }
    #expect(throws: FernetError.invalidKeyLength(byteCount: 3)) {
      _ = try MultiFernet(base64URLKeys: ["cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=", "AAAA"])
    }
  }
}
