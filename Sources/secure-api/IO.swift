// IO.swift: standard streams, input files and argument decoding shared by the commands.
// SPDX-License-Identifier: Apache-2.0

import Encodings
import Foundation

/// Reading and writing the standard streams as raw bytes.
enum IO {
  /// The size of the pieces in which files are hashed.
  static let chunkByteCount = 64 * 1024

  /// All of standard input.
  static func readStandardInput() -> [UInt8] {
    [UInt8](FileHandle.standardInput.readDataToEndOfFile())
  }

  /// Writes `bytes` to standard output unchanged.
  static func write(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
  }

  /// Writes `line` and a newline to standard output.
  static func writeLine(_ line: String) {
    write(Array((line + "\n").utf8))
  }

  /// Writes `text` to standard output as it is (help text ends in its own newline).
  static func write(_ text: String) {
    write(Array(text.utf8))
  }

  /// Writes `line`, prefixed with `secure-api: `, and a newline to standard error.
  static func writeError(_ line: String) {
    FileHandle.standardError.write(Data("secure-api: \(line)\n".utf8))
  }

  /// Calls `body` with successive pieces of the file at `path`, or of standard input for `-`.
  ///
  /// - Throws: ``CLIError/failure(_:)`` naming the file when it cannot be opened or read.
  static func forEachChunk(ofInput path: String, _ body: ([UInt8]) -> Void) throws(CLIError) {
    let handle: FileHandle
    if path == "-" {
      handle = FileHandle.standardInput
    } else {
      do {
        handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
      } catch {
        throw .failure("cannot open \(path): \(reason(error))")
      }
    }
    defer { if path != "-" { try? handle.close() } }
    do {
      while let data = try handle.read(upToCount: chunkByteCount), !data.isEmpty {
        body([UInt8](data))
      }
    } catch {
      throw .failure("cannot read \(path): \(reason(error))")
    }
  }

  /// The operating system's explanation of a file error, without Foundation's wrapping.
  private static func reason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain,
      let code = POSIXErrorCode(rawValue: Int32(underlying.code))
    {
      return String(cString: strerror(code.rawValue))
    }
    if nsError.domain == NSPOSIXErrorDomain {
      return String(cString: strerror(Int32(nsError.code)))
    }
    if nsError.domain == NSCocoaErrorDomain {
      switch nsError.code {
      case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file"
      case NSFileReadNoPermissionError: return "permission denied"
      default: break
      }
    }
    return nsError.localizedDescription
  }
}

extension Invocation {
  /// The value of the option `name` decoded from hexadecimal.
  ///
  /// - Parameters:
  ///   - name: The option's spelling.
  ///   - byteCount: The length the value must have, or `nil` for any length (even zero).
  /// - Returns: The bytes, or `nil` when the option was not given.
  /// - Throws: ``CLIError/usage(_:help:)`` for text that is not hex or has the wrong length.
  func hexBytes(_ name: String, byteCount: Int? = nil) throws(CLIError) -> [UInt8]? {
    guard let text = value(name) else { return nil }
    let bytes: [UInt8]
    do {
      bytes = try Hex.decode(text)
    } catch {
      switch error {
      case .invalidCharacter(let offset):
        throw usage("\(name): character at offset \(offset) is not a hexadecimal digit")
      default:
        throw usage("\(name): odd number of hexadecimal digits (\(text.utf8.count))")
      }
    }
    if let byteCount, bytes.count != byteCount {
      throw usage(
        "\(name) must be \(byteCount) bytes (\(2 * byteCount) hex digits), got \(bytes.count) byte"
          + (bytes.count == 1 ? "" : "s"))
    }
    return bytes
  }

  /// The value of the option `name` as a 16-byte block (a key or an IV).
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` for text that is not 32 hex digits.
  func block(_ name: String) throws(CLIError) -> InlineArray<16, UInt8>? {
    guard let bytes = try hexBytes(name, byteCount: 16) else { return nil }
    return InlineArray<16, UInt8> { bytes[$0] }
  }

  /// The value of the option `name`, which must be given, as a 16-byte block.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` when the option is missing or not 32 hex digits.
  func requiredBlock(_ name: String) throws(CLIError) -> InlineArray<16, UInt8> {
    guard let block = try block(name) else { throw usage("missing option \(name)") }
    return block
  }
}
