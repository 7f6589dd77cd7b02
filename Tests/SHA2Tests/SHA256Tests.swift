// SHA256Tests.swift: SHA-256 and SHA-224 against the NIST CAVP vectors and the hash contracts.
// SPDX-License-Identifier: Apache-2.0

import SHA2
import Testing
import _TestSupport

/// Hashes the `Msg` of a ShortMsg or LongMsg record (only the first `Len` bits, which for these
/// byte-oriented files is whole bytes; `Len = 0` carries a placeholder `00`).
private func message(of record: RSPRecord) throws -> [UInt8] {
  let bitCount = try record.intField("Len")
  let bytes = try record.hexField("Msg")
  try #require(bitCount % 8 == 0 && bitCount / 8 <= bytes.count)
  return Array(bytes.prefix(bitCount / 8))
}

/// Runs one checkpoint of the CAVP Monte Carlo test (SHAVS §6.4): starting from `seed`, 1,000
/// iterations of MD[i] = H(MD[i-3] || MD[i-2] || MD[i-1]).
private func monteCheckpoint<H: HashFunction>(_: H.Type, seed: [UInt8]) -> [UInt8] {
  var window = [seed, seed, seed]
  for _ in 0..<1000 {
    let next = Array(H.hash(window[0] + window[1] + window[2]))
    window = [window[1], window[2], next]
  }
  return window[2]
}

/// The Monte Carlo cases of a file, each paired with the seed it starts from: the file's
/// `Seed` for COUNT 0, the previous checkpoint's published digest after that. This makes every
/// checkpoint an independent case.
private func monteCases(_ entry: VectorEntry) throws -> [MonteCase] {
  let all = try RSP.records(of: entry.file)
  guard let seedRecord = all.first(where: { $0.fields["Seed"] != nil }) else {
    throw VectorFileError.malformed(file: entry.file.relativePath, line: 0, reason: "no Seed")
  }
  var seed = try seedRecord.hexField("Seed")
  var cases: [MonteCase] = []
  for record in try entry.records() {
    let expected = try record.hexField("MD")
    cases.append(MonteCase(record: record, seed: seed, expected: expected))
    seed = expected
  }
  return cases
}

/// One Monte Carlo checkpoint.
struct MonteCase: Sendable, CustomTestStringConvertible {
  let record: RSPRecord
  let seed: [UInt8]
  let expected: [UInt8]
  var testDescription: String { record.testDescription }
}

@Suite struct SHA256Tests {
  @Test("sha256-cavp-shortmsg", arguments: try VectorCatalog.sha256CavpShortmsg.records())
  func sha256CavpShortmsg(_ record: RSPRecord) throws {
    #expect(Array(SHA256.hash(try message(of: record))) == (try record.hexField("MD")))
  }

  @Test("sha256-cavp-longmsg", arguments: try VectorCatalog.sha256CavpLongmsg.records())
  func sha256CavpLongmsg(_ record: RSPRecord) throws {
    #expect(Array(SHA256.hash(try message(of: record))) == (try record.hexField("MD")))
  }

  @Test("sha256-cavp-monte", arguments: try monteCases(VectorCatalog.sha256CavpMonte))
  func sha256CavpMonte(_ monte: MonteCase) {
    #expect(monteCheckpoint(SHA256.self, seed: monte.seed) == monte.expected)
  }

  @Test func contracts() {
    HashContracts.check(SHA256.self, seed: 0x5348_4132_3536)
  }

  @Test func digestTextAndEquality() {
    let digest = SHA256.hash(Array("abc".utf8))
    #expect(
      digest.description == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(digest == SHA256.hash(Array("abc".utf8)))
    #expect(digest != SHA256.hash(Array("abd".utf8)))
    #expect(Array(digest).count == SHA256.byteCount)
  }

  /// A length that crosses the 32-bit bit-count boundary would take too long; instead check that
  /// one million 'a' bytes fed in uneven chunks give the FIPS 180-2 Appendix B.3 digest.
  @Test func millionA() {
    var state = SHA256()
    let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 997)
    var remaining = 1_000_000
    while remaining > 0 {
      let take = min(remaining, chunk.count)
      state.update(Array(chunk[0..<take]))
      remaining -= take
    }
    #expect(
      state.finalize().hexString
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }
}

@Suite struct SHA224Tests {
  @Test("sha224-cavp-shortmsg", arguments: try VectorCatalog.sha224CavpShortmsg.records())
  func sha224CavpShortmsg(_ record: RSPRecord) throws {
    #expect(Array(SHA224.hash(try message(of: record))) == (try record.hexField("MD")))
  }

  @Test("sha224-cavp-longmsg", arguments: try VectorCatalog.sha224CavpLongmsg.records())
  func sha224CavpLongmsg(_ record: RSPRecord) throws {
    #expect(Array(SHA224.hash(try message(of: record))) == (try record.hexField("MD")))
  }

  @Test("sha224-cavp-monte", arguments: try monteCases(VectorCatalog.sha224CavpMonte))
  func sha224CavpMonte(_ monte: MonteCase) {
    #expect(monteCheckpoint(SHA224.self, seed: monte.seed) == monte.expected)
  }

  @Test func contracts() {
    HashContracts.check(SHA224.self, seed: 0x5348_4132_3234)
  }

  @Test func digestText() {
    #expect(SHA224.hash([]).hexString == "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f")
  }
}
