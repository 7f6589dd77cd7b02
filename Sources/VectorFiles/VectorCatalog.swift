// VectorCatalog.swift: every published vector file the tests run, with the marker that counts
// its cases independently of the parser.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// A vector file together with how to count the cases it holds.
public struct VectorEntry: Sendable {
  /// The file.
  public let file: VectorFile
  /// A line prefix that starts exactly one case (`Len =`, `COUNT =`), or `nil` for JSON files,
  /// whose top-level array elements are the cases.
  public let caseMarker: String?

  /// The same entry, read from another vector directory.
  public func located(in directory: URL) -> VectorEntry {
    VectorEntry(file: VectorFile(file.relativePath, directory: directory), caseMarker: caseMarker)
  }

  /// The records of a CAVP-style file that are cases (those holding the marker's field).
  public func records() throws -> [RSPRecord] {
    let all = try RSP.records(of: file)
    guard let marker = caseMarker else { return all }
    let fieldName = marker.split(separator: "=").first.map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    return all.filter { record in fieldName.map { record.fields[$0] != nil } ?? true }
  }

  /// The number of cases the file holds, counted from its raw text.
  public func declaredCaseCount() throws -> Int {
    if let marker = caseMarker {
      return try RSP.countLines(of: file, startingWith: marker)
    }
    return try JSONVectors.elements(of: file).count
  }
}

/// The catalog of published vector files, one per parameterized test.
public enum VectorCatalog {
  // MARK: - SHA2
  /// `Vectors/SHA2/sha224-cavp-shortmsg.rsp`.
  public static let sha224CavpShortmsg = cavp("SHA2/sha224-cavp-shortmsg.rsp", "Len =")
  /// `Vectors/SHA2/sha224-cavp-longmsg.rsp`.
  public static let sha224CavpLongmsg = cavp("SHA2/sha224-cavp-longmsg.rsp", "Len =")
  /// `Vectors/SHA2/sha224-cavp-monte.rsp`.
  public static let sha224CavpMonte = cavp("SHA2/sha224-cavp-monte.rsp", "COUNT =")
  /// `Vectors/SHA2/sha256-cavp-shortmsg.rsp`.
  public static let sha256CavpShortmsg = cavp("SHA2/sha256-cavp-shortmsg.rsp", "Len =")
  /// `Vectors/SHA2/sha256-cavp-longmsg.rsp`.
  public static let sha256CavpLongmsg = cavp("SHA2/sha256-cavp-longmsg.rsp", "Len =")
  /// `Vectors/SHA2/sha256-cavp-monte.rsp`.
  public static let sha256CavpMonte = cavp("SHA2/sha256-cavp-monte.rsp", "COUNT =")

  // MARK: - MessageAuthentication
  /// `Vectors/MessageAuthentication/hmac-sha224-rfc4231.txt`.
  public static let hmacSha224Rfc4231 = cavp(
    "MessageAuthentication/hmac-sha224-rfc4231.txt", "Len =")
  /// `Vectors/MessageAuthentication/hmac-sha256-rfc4231.txt`.
  public static let hmacSha256Rfc4231 = cavp(
    "MessageAuthentication/hmac-sha256-rfc4231.txt", "Len =")

  // MARK: - BlockCiphers
  /// `Vectors/BlockCiphers/aes128-cbc-cavp-gfsbox.rsp`.
  public static let aes128CbcCavpGfsbox = cavp("BlockCiphers/aes128-cbc-cavp-gfsbox.rsp", "COUNT =")
  /// `Vectors/BlockCiphers/aes128-cbc-cavp-keysbox.rsp`.
  public static let aes128CbcCavpKeysbox = cavp(
    "BlockCiphers/aes128-cbc-cavp-keysbox.rsp", "COUNT =")
  /// `Vectors/BlockCiphers/aes128-cbc-cavp-varkey.rsp`.
  public static let aes128CbcCavpVarkey = cavp("BlockCiphers/aes128-cbc-cavp-varkey.rsp", "COUNT =")
  /// `Vectors/BlockCiphers/aes128-cbc-cavp-vartxt.rsp`.
  public static let aes128CbcCavpVartxt = cavp("BlockCiphers/aes128-cbc-cavp-vartxt.rsp", "COUNT =")
  /// `Vectors/BlockCiphers/aes128-cbc-cavp-mmt.rsp`.
  public static let aes128CbcCavpMmt = cavp("BlockCiphers/aes128-cbc-cavp-mmt.rsp", "COUNT =")

  // MARK: - Fernet
  /// `Vectors/Fernet/fernet-spec-generate.json`.
  public static let fernetSpecGenerate = json("Fernet/fernet-spec-generate.json")
  /// `Vectors/Fernet/fernet-spec-verify.json`.
  public static let fernetSpecVerify = json("Fernet/fernet-spec-verify.json")
  /// `Vectors/Fernet/fernet-spec-invalid.json`.
  public static let fernetSpecInvalid = json("Fernet/fernet-spec-invalid.json")

  /// Every entry, in the order above.
  public static let all: [VectorEntry] = [
    sha224CavpShortmsg, sha224CavpLongmsg, sha224CavpMonte,
    sha256CavpShortmsg, sha256CavpLongmsg, sha256CavpMonte,
    hmacSha224Rfc4231, hmacSha256Rfc4231,
    aes128CbcCavpGfsbox, aes128CbcCavpKeysbox, aes128CbcCavpVarkey, aes128CbcCavpVartxt,
    aes128CbcCavpMmt,
    fernetSpecGenerate, fernetSpecVerify, fernetSpecInvalid,
  ]

  private static func cavp(_ path: String, _ marker: String) -> VectorEntry {
    VectorEntry(file: VectorFile(path), caseMarker: marker)
  }

  private static func json(_ path: String) -> VectorEntry {
    VectorEntry(file: VectorFile(path), caseMarker: nil)
  }
}
