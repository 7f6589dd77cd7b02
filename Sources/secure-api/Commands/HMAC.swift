// HMAC.swift: `secure-api hmac sha224|sha256 --key-hex HEX [FILE]`.
// Reference: RFC 2104, FIPS 198-1.
// SPDX-License-Identifier: Apache-2.0

import MessageAuthentication
import SHA2

extension Command {
  /// `hmac`: the tag of a file or of standard input in lowercase hex.
  static let hmac = Command(
    name: "hmac",
    summary: "print the HMAC-SHA-224 or HMAC-SHA-256 tag of a file or standard input",
    details: """
      Prints the tag in lowercase hex and a newline. With no FILE, or with -, standard input is
      read. The key may have any length, including zero (--key-hex "").
      """,
    positionals: [.choice(HashAlgorithm.names), .optional("FILE")],
    options: [.required("--key-hex", "HEX", "the key in hexadecimal (may be empty)")],
    action: { invocation throws(CLIError) in try HMACCommand.run(invocation) })
}

/// The `hmac` subcommand.
enum HMACCommand {
  /// Prints the tag of the input under the given key.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` for a missing or malformed key,
  ///   ``CLIError/failure(_:)`` for an unreadable input.
  static func run(_ invocation: Invocation) throws(CLIError) {
    let key = try invocation.hexBytes("--key-hex") ?? []
    let path = invocation.positionals.count > 1 ? invocation.positionals[1] : "-"
    let tag =
      switch HashAlgorithm(rawValue: invocation.positionals[0]) ?? .sha256 {
      case .sha224: try authenticate(SHA224.self, path: path, key: key)
      case .sha256: try authenticate(SHA256.self, path: path, key: key)
      }
    IO.writeLine(tag)
  }

  /// The HMAC tag of the file at `path` (or standard input for `-`) in lowercase hex.
  ///
  /// - Throws: ``CLIError/failure(_:)`` when the input cannot be read.
  static func authenticate<H: HashFunction>(_: H.Type, path: String, key: [UInt8])
    throws(CLIError) -> String
  {
    var state = HMAC<H>(key: key.span)
    try IO.forEachChunk(ofInput: path) { state.update($0) }
    return state.finalize().description
  }
}
