// JSONVectors.swift: reads the Fernet specification's JSON vector files.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// One case of a Fernet specification file (`generate.json`, `verify.json`, `invalid.json`).
public struct FernetVector: Sendable {
  /// The file the case comes from.
  public let file: VectorFile
  /// The 0-based position in the file's array.
  public let index: Int
  /// The token (expected output of generate, input of verify and invalid).
  public let token: String
  /// The key as 44 characters of base64url.
  public let secret: String
  /// The reference time, in Unix seconds.
  public let now: UInt64
  /// The IV for generate cases.
  public let iv: [UInt8]?
  /// The plaintext for generate and verify cases.
  public let source: String?
  /// The time-to-live for verify and invalid cases.
  public let timeToLive: UInt64?
  /// The description for invalid cases.
  public let reason: String?

  /// A short label for the case: file stem, index and description.
  public var label: String { "\(file.stem)[\(index)]" + (reason.map { " \($0)" } ?? "") }
}

/// The parser for the Fernet JSON vector files.
public enum JSONVectors {
  /// The top-level array of `file`.
  public static func elements(of file: VectorFile) throws -> [[String: Any]] {
    let object = try JSONSerialization.jsonObject(with: file.contents())
    guard let array = object as? [[String: Any]] else {
      throw VectorFileError.malformed(
        file: file.relativePath, line: 1, reason: "top level is not an array of objects")
    }
    return array
  }

  /// Every case of a Fernet specification file.
  public static func fernetCases(_ entry: VectorEntry) throws -> [FernetVector] {
    let file = entry.file
    return try elements(of: file).enumerated().map { index, element in
      func fail(_ reason: String) -> VectorFileError {
        .malformed(file: file.relativePath, line: index, reason: reason)
      }
      guard let token = element["token"] as? String, let secret = element["secret"] as? String,
        let nowText = element["now"] as? String
      else { throw fail("missing token, secret or now") }
      guard let now = unixSeconds(iso8601: nowText) else { throw fail("bad time \(nowText)") }
      let iv = (element["iv"] as? [Int])?.map { UInt8($0) }
      let ttl = (element["ttl_sec"] as? Int).map { UInt64($0) }
      return FernetVector(
        file: file, index: index, token: token, secret: secret, now: now, iv: iv,
        source: element["src"] as? String, timeToLive: ttl, reason: element["desc"] as? String)
    }
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS±HH:MM` into Unix seconds.
  static func unixSeconds(iso8601 text: String) -> UInt64? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else { return nil }
    return UInt64(date.timeIntervalSince1970)
  }
}
