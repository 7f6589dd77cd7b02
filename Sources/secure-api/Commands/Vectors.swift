// Vectors.swift: `secure-api vectors [DIR]`, a self-test that runs every published vector file
// of the catalog (NIST CAVP SHA-2 and AES, RFC 4231 HMAC, the Fernet specification) found
// under DIR.
// References: FIPS 180-4 and the SHAVS Monte Carlo procedure, RFC 4231, NIST AESAVS, the
// Fernet specification.
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import Fernet
import Foundation
import MessageAuthentication
import SHA2
import VectorFiles

extension Command {
  /// `vectors`: runs the catalog's vector files and prints per-file and total counts.
  static let vectors = Command(
    name: "vectors",
    summary: "run the published test vectors under DIR (default ./Vectors)",
    details: """
      Runs every file of the vector catalog (SHA-224/256 ShortMsg, LongMsg and Monte; HMAC
      RFC 4231; AES-128-CBC GFSbox, KeySbox, VarKey, VarTxt and MMT; Fernet generate, verify
      and invalid) below DIR, and prints one line per file, 'FILE: N passed, M failed', then
      the total, 'vectors: N passed, M failed'. Failed cases are described on standard error.
      A catalog file that is missing or unreadable counts as one failure; a file whose parsed
      case count differs from the count of case markers in its text counts the difference as
      failures. Exits with status 1 when anything failed or DIR holds no catalog file.
      """,
    positionals: [.optional("DIR")],
    action: { invocation throws(CLIError) in try VectorsCommand.run(invocation) })
}

/// The `vectors` subcommand.
enum VectorsCommand {
  /// The counts for one vector file.
  struct Tally {
    /// Cases that gave the published answer.
    var passed = 0
    /// Cases that did not, plus file-level problems.
    var failed = 0
    /// The number of cases parsed from the file.
    var parsed = 0
  }

  /// Runs the vector files under the directory given (or `Vectors`).
  ///
  /// - Throws: ``CLIError/failure(_:)`` when the directory does not exist,
  ///   ``CLIError/failureReported`` when a case failed or no catalog file was found.
  static func run(_ invocation: Invocation) throws(CLIError) {
    let path = invocation.positionals.first ?? "Vectors"
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw .failure("\(path) is not a directory")
    }
    let directory = URL(fileURLWithPath: path, isDirectory: true)
    var total = Tally()
    var found = 0
    for catalogEntry in VectorCatalog.all {
      let entry = catalogEntry.located(in: directory)
      let name = entry.file.relativePath
      var tally = Tally()
      var note: String?
      if !FileManager.default.fileExists(atPath: entry.file.url.path) {
        tally.failed = 1
        note = "missing"
      } else {
        found += 1
        do {
          tally = try check(entry)
          let declared = try entry.declaredCaseCount()
          if declared != tally.parsed {
            tally.failed += abs(declared - tally.parsed)
            note = "parsed \(tally.parsed) cases, file declares \(declared)"
          }
        } catch {
          tally.failed += 1
          note = "\(error)"
        }
      }
      let suffix = note.map { " (\($0))" } ?? ""
      IO.writeLine("\(name): \(tally.passed) passed, \(tally.failed) failed\(suffix)")
      total.passed += tally.passed
      total.failed += tally.failed
    }
    IO.writeLine("vectors: \(total.passed) passed, \(total.failed) failed")
    if found == 0 {
      IO.writeError("no recognised vector file under \(path)")
      throw .failureReported
    }
    if total.failed > 0 { throw .failureReported }
  }

  /// Runs the cases of one catalog file with the checker for its kind.
  ///
  /// - Throws: when the file cannot be read or parsed as a whole.
  static func check(_ entry: VectorEntry) throws -> Tally {
    switch entry.file.relativePath {
    case VectorCatalog.sha224CavpShortmsg.file.relativePath,
      VectorCatalog.sha224CavpLongmsg.file.relativePath:
      return try hashMessages(SHA224.self, entry)
    case VectorCatalog.sha256CavpShortmsg.file.relativePath,
      VectorCatalog.sha256CavpLongmsg.file.relativePath:
      return try hashMessages(SHA256.self, entry)
    case VectorCatalog.sha224CavpMonte.file.relativePath:
      return try monteCarlo(SHA224.self, entry)
    case VectorCatalog.sha256CavpMonte.file.relativePath:
      return try monteCarlo(SHA256.self, entry)
    case VectorCatalog.hmacSha224Rfc4231.file.relativePath:
      return try authenticationCodes(SHA224.self, entry)
    case VectorCatalog.hmacSha256Rfc4231.file.relativePath:
      return try authenticationCodes(SHA256.self, entry)
    case VectorCatalog.fernetSpecGenerate.file.relativePath:
      return try fernetGenerate(entry)
    case VectorCatalog.fernetSpecVerify.file.relativePath:
      return try fernetVerify(entry)
    case VectorCatalog.fernetSpecInvalid.file.relativePath:
      return try fernetInvalid(entry)
    case VectorCatalog.aes128CbcCavpGfsbox.file.relativePath,
      VectorCatalog.aes128CbcCavpKeysbox.file.relativePath,
      VectorCatalog.aes128CbcCavpVarkey.file.relativePath,
      VectorCatalog.aes128CbcCavpVartxt.file.relativePath,
      VectorCatalog.aes128CbcCavpMmt.file.relativePath:
      return try aes128CBC(entry)
    default:
      throw VectorFileError.malformed(
        file: entry.file.relativePath, line: 0, reason: "no checker for this file in secure-api")
    }
  }

  // MARK: - Counting

  /// Runs `check` on every case; it returns `nil` for a pass or says what went wrong. Failures
  /// are described on standard error, prefixed with the case's label.
  static func tally<Case>(
    _ cases: [Case], label: (Case) -> String, _ check: (Case) throws -> String?
  ) -> Tally {
    var tally = Tally(parsed: cases.count)
    for vector in cases {
      let problem: String?
      do {
        problem = try check(vector)
      } catch {
        problem = "\(error)"
      }
      if let problem {
        tally.failed += 1
        IO.writeError("\(label(vector)): \(problem)")
      } else {
        tally.passed += 1
      }
    }
    return tally
  }

  /// Runs `check` on every case record of a CAVP-style file.
  static func tally(_ entry: VectorEntry, _ check: (RSPRecord) throws -> String?) throws
    -> Tally
  {
    try tally(entry.records(), label: { "\($0.file.relativePath):\($0.line)" }, check)
  }

  /// `nil` when `actual` equals `expected`, else a description of the difference.
  static func compare(_ actual: [UInt8], _ expected: [UInt8], _ what: String) -> String? {
    guard actual != expected else { return nil }
    return "\(what) \(VectorHex.encode(actual)), expected \(VectorHex.encode(expected))"
  }

  // MARK: - SHA-2

  /// ShortMsg and LongMsg: the digest of the first `Len` bits of `Msg` is `MD`.
  static func hashMessages<H: HashFunction>(_: H.Type, _ entry: VectorEntry) throws -> Tally {
    try tally(entry) { record in
      let bits = try record.intField("Len")
      let message = try record.hexField("Msg")
      guard bits % 8 == 0, bits / 8 <= message.count else {
        return "Len \(bits) is not a whole number of bytes of Msg"
      }
      let digest = Array(H.hash(Array(message.prefix(bits / 8))))
      return compare(digest, try record.hexField("MD"), "digest")
    }
  }

  /// Monte Carlo (SHAVS §6.4): from a seed, 1000 iterations of
  /// `MD[i] = H(MD[i-3] || MD[i-2] || MD[i-1])` with `MD[0] = MD[1] = MD[2] = seed` give the
  /// checkpoint; each checkpoint is the seed of the next. Each checkpoint here starts from the
  /// published previous one (the first from `Seed`), so one failure does not hide the others.
  static func monteCarlo<H: HashFunction>(_: H.Type, _ entry: VectorEntry) throws -> Tally {
    guard
      let seedRecord = try RSP.records(of: entry.file).first(where: { $0.fields["Seed"] != nil })
    else {
      throw VectorFileError.malformed(file: entry.file.relativePath, line: 0, reason: "no Seed")
    }
    var seed = try seedRecord.hexField("Seed")
    return try tally(entry) { record in
      let expected = try record.hexField("MD")
      defer { seed = expected }
      var window = [seed, seed, seed]
      for _ in 0..<1000 {
        let next = Array(H.hash(window[0] + window[1] + window[2]))
        window = [window[1], window[2], next]
      }
      return compare(window[2], expected, "checkpoint")
    }
  }

  // MARK: - HMAC

  /// RFC 4231: the HMAC of `Msg` under `Key` is `MD`.
  static func authenticationCodes<H: HashFunction>(_: H.Type, _ entry: VectorEntry) throws
    -> Tally
  {
    try tally(entry) { record in
      let key = try record.hexField("Key")
      let message = try record.hexField("Msg")
      var state = HMAC<H>(key: key.span)
      state.update(message)
      return compare(state.finalize().bytes, try record.hexField("MD"), "tag")
    }
  }

  // MARK: - AES-128-CBC

  /// CAVP AES CBC files: records under `[ENCRYPT]` map `PLAINTEXT` to `CIPHERTEXT`, records
  /// under `[DECRYPT]` the other way, both without padding.
  static func aes128CBC(_ entry: VectorEntry) throws -> Tally {
    try tally(entry) { record in
      let key = try record.hexField("KEY")
      let ivBytes = try record.hexField("IV")
      let plaintext = try record.hexField("PLAINTEXT")
      let ciphertext = try record.hexField("CIPHERTEXT")
      guard ivBytes.count == 16 else { return "IV is not 16 bytes" }
      let iv = InlineArray<16, UInt8> { ivBytes[$0] }
      let cipher = try AES128(key: key.span)
      switch record.section {
      case "ENCRYPT":
        return compare(
          try CBC.encrypt(plaintext.span, iv: iv, with: cipher), ciphertext, "ciphertext")
      case "DECRYPT":
        return compare(
          try CBC.decrypt(ciphertext.span, iv: iv, with: cipher), plaintext, "plaintext")
      default:
        return "unknown section [\(record.section)]"
      }
    }
  }

  // MARK: - Fernet

  /// `generate.json`: encrypting `src` at `now` with `iv` gives exactly `token`.
  static func fernetGenerate(_ entry: VectorEntry) throws -> Tally {
    tally(try JSONVectors.fernetCases(entry), label: \.label) { vector in
      guard let ivBytes = vector.iv, ivBytes.count == 16, let source = vector.source else {
        return "needs a 16-byte iv and src"
      }
      let key = try FernetKey(base64URL: vector.secret)
      let iv = InlineArray<16, UInt8> { ivBytes[$0] }
      let token = key.encrypt(Array(source.utf8).span, at: vector.now, iv: iv)
      return token == vector.token ? nil : "token \(token), expected \(vector.token)"
    }
  }

  /// `verify.json`: `token` decrypts to `src` at `now` with `ttl_sec`.
  static func fernetVerify(_ entry: VectorEntry) throws -> Tally {
    tally(try JSONVectors.fernetCases(entry), label: \.label) { vector in
      guard let source = vector.source else { return "needs src" }
      let key = try FernetKey(base64URL: vector.secret)
      let plaintext = try decrypt(vector, with: key)
      return compare(plaintext, Array(source.utf8), "plaintext")
    }
  }

  /// `invalid.json`: `token` is refused at `now` with `ttl_sec`.
  static func fernetInvalid(_ entry: VectorEntry) throws -> Tally {
    tally(try JSONVectors.fernetCases(entry), label: \.label) { vector in
      let key = try FernetKey(base64URL: vector.secret)
      do {
        _ = try decrypt(vector, with: key)
      } catch {
        return nil
      }
      return "token was accepted"
    }
  }

  /// Decrypts the case's token at its `now`, with its `ttl_sec` when it has one.
  ///
  /// - Throws: ``FernetError/invalidToken`` when the token is refused.
  static func decrypt(_ vector: FernetVector, with key: borrowing FernetKey) throws(FernetError)
    -> [UInt8]
  {
    guard let ttl = vector.timeToLive else { return try key.decrypt(vector.token) }
    return try key.decrypt(vector.token, ttl: ttl, now: vector.now)
  }
}
