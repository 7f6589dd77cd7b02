// VectorFile.swift: finds the published vector files under Vectors/ and parses the NIST CAVP
// response format (.rsp) and the RFC 4231 text files that share it.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// One published vector file under `Vectors/`, named `<Module>/<stem>.<ext>`.
public struct VectorFile: Sendable, Hashable, CustomStringConvertible {
  /// The path below `Vectors/`, for example `SHA2/sha256-cavp-shortmsg.rsp`.
  public let relativePath: String

  /// The vector directory the path is relative to.
  public let directory: URL

  /// Names a file below a vector directory (by default this checkout's `Vectors/`).
  public init(_ relativePath: String, directory: URL = VectorFile.directory) {
    self.relativePath = relativePath
    self.directory = directory
  }

  /// The file name without directory and extension, which is also the name of its test.
  public var stem: String {
    let name = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
    guard let dot = name.firstIndex(of: ".") else { return name }
    return String(name[..<dot])
  }

  /// The stem in lowerCamel case: the name of the test function that runs the file.
  public var testFunctionName: String {
    let words = stem.split(separator: "-")
    guard let first = words.first else { return stem }
    return words.dropFirst().reduce(String(first)) { name, word in
      name + word.prefix(1).uppercased() + word.dropFirst()
    }
  }

  /// The absolute location of the file.
  public var url: URL { directory.appendingPathComponent(relativePath) }

  /// The file's bytes, exactly as published.
  public func contents() throws -> Data { try Data(contentsOf: url) }

  /// The file's text, with CRLF line ends read as LF.
  public func text() throws -> String {
    guard let text = String(data: try contents(), encoding: .utf8) else {
      throw VectorFileError.notText(relativePath)
    }
    return text.replacingOccurrences(of: "\r\n", with: "\n")
  }

  /// The path below the vector directory.
  public var description: String { relativePath }

  /// The `Vectors/` directory of this checkout, found by walking up from this source file, or
  /// from `SECURE_API_VECTORS` when that environment variable is set.
  public static let directory: URL = defaultDirectory()

  private static func defaultDirectory() -> URL {
    if let override = ProcessInfo.processInfo.environment["SECURE_API_VECTORS"] {
      return URL(fileURLWithPath: override, isDirectory: true)
    }
    var candidate = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while candidate.path != "/" {
      let vectors = candidate.appendingPathComponent("Vectors", isDirectory: true)
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: vectors.path, isDirectory: &isDirectory),
        isDirectory.boolValue
      {
        return vectors
      }
      candidate.deleteLastPathComponent()
    }
    return URL(fileURLWithPath: "Vectors", isDirectory: true)
  }
}

/// Why a vector file could not be used.
public enum VectorFileError: Error, CustomStringConvertible {
  /// The file is not UTF-8 text.
  case notText(String)
  /// A field the test needs is missing or malformed.
  case malformed(file: String, line: Int, reason: String)

  /// The problem in one line.
  public var description: String {
    switch self {
    case .notText(let path): "\(path): not UTF-8 text"
    case .malformed(let file, let line, let reason): "\(file):\(line): \(reason)"
    }
  }
}

/// One record of a CAVP response file: the `Name = value` lines between blank lines.
public struct RSPRecord: Sendable {
  /// The file the record comes from.
  public let file: VectorFile
  /// The innermost `[...]` header in force, such as `ENCRYPT` or `L = 32`.
  public let section: String
  /// The 1-based line of the record's first field.
  public let line: Int
  /// The fields, by name as written (`Len`, `Msg`, `MD`, `KEY`, ...).
  public let fields: [String: String]

  /// The field `name`, or an error naming the record.
  public func field(_ name: String) throws -> String {
    guard let value = fields[name] else {
      throw VectorFileError.malformed(
        file: file.relativePath, line: line, reason: "missing field \(name)")
    }
    return value
  }

  /// The field `name` decoded from hexadecimal.
  public func hexField(_ name: String) throws -> [UInt8] {
    let text = try field(name)
    guard let bytes = VectorHex.decode(text) else {
      throw VectorFileError.malformed(
        file: file.relativePath, line: line, reason: "field \(name) is not hexadecimal")
    }
    return bytes
  }

  /// The field `name` as a decimal integer.
  public func intField(_ name: String) throws -> Int {
    guard let value = Int(try field(name)) else {
      throw VectorFileError.malformed(
        file: file.relativePath, line: line, reason: "field \(name) is not a number")
    }
    return value
  }

  /// A short label for the record: file stem and line.
  public var label: String { "\(file.stem):\(line)" }
}

/// The parser for CAVP response files.
public enum RSP {
  /// Splits `text` into records. Comment lines (`#`) are skipped, `[...]` lines set the section,
  /// and a blank line ends a record.
  public static func records(of file: VectorFile) throws -> [RSPRecord] {
    let text = try file.text()
    var records: [RSPRecord] = []
    var section = ""
    var fields: [String: String] = [:]
    var firstLine = 0
    func flush() {
      if !fields.isEmpty {
        records.append(RSPRecord(file: file, section: section, line: firstLine, fields: fields))
      }
      fields = [:]
    }
    for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated()
    {
      let line = rawLine.trimmingCharacters(in: .whitespaces)
      if line.isEmpty {
        flush()
      } else if line.hasPrefix("#") {
        continue
      } else if line.hasPrefix("[") && line.hasSuffix("]") {
        flush()
        section = String(line.dropFirst().dropLast())
      } else if let equals = line.firstIndex(of: "=") {
        if fields.isEmpty { firstLine = offset + 1 }
        let name = line[..<equals].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        fields[name] = value
      } else {
        throw VectorFileError.malformed(
          file: file.relativePath, line: offset + 1, reason: "unrecognised line")
      }
    }
    flush()
    return records
  }

  /// Counts the lines of `file` that start with `marker` (for example `COUNT =`), independently
  /// of the parser, so a test can prove that no case was dropped.
  public static func countLines(of file: VectorFile, startingWith marker: String) throws -> Int {
    try file.text().split(separator: "\n").filter { $0.hasPrefix(marker) }.count
  }
}

/// Hexadecimal text for vector data, independent of the `Encodings` module that is under test.
public enum VectorHex {
  /// Decodes an even number of hex digits; `nil` on anything else.
  public static func decode(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
      guard let high = value(of: digits[index]), let low = value(of: digits[index + 1]) else {
        return nil
      }
      bytes.append(high << 4 | low)
      index += 2
    }
    return bytes
  }

  /// Encodes bytes as lowercase hex.
  public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0xf)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  private static func value(of digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
