// Hash.swift: `secure-api hash sha224|sha256 [FILE...]`, digests in the format of `sha256sum`.
// Reference: FIPS 180-4.
// SPDX-License-Identifier: Apache-2.0

import SHA2

extension Command {
  /// `hash`: one `<hex>  <name>` line per input, standard input when no file (or `-`) is given.
  static let hash = Command(
    name: "hash",
    summary: "print SHA-224 or SHA-256 digests of files, like sha256sum",
    details: """
      Prints one line per input: the digest in lowercase hex, two spaces, and the file name.
      With no FILE, or where FILE is -, standard input is read and named -. An unreadable file
      is reported on standard error, the other files are still hashed, and the exit status is 1.
      """,
    positionals: [.choice(HashAlgorithm.names), .repeated("FILE")],
    action: { invocation throws(CLIError) in try HashCommand.run(invocation) })
}

/// The hash functions the command line offers, by the names it accepts.
enum HashAlgorithm: String, CaseIterable {
  /// SHA-224.
  case sha224
  /// SHA-256.
  case sha256

  /// The accepted names, for a positional argument's choices.
  static var names: [String] { allCases.map(\.rawValue) }
}

/// The `hash` subcommand.
enum HashCommand {
  /// Prints the digest of every input, continuing past unreadable files.
  ///
  /// - Throws: ``CLIError/failureReported`` when a file could not be read.
  static func run(_ invocation: Invocation) throws(CLIError) {
    let algorithm = HashAlgorithm(rawValue: invocation.positionals[0]) ?? .sha256
    let files = invocation.positionals.dropFirst()
    var anyFailed = false
    for path in files.isEmpty ? ["-"] : Array(files) {
      do {
        let hex =
          switch algorithm {
          case .sha224: try digest(SHA224.self, of: path)
          case .sha256: try digest(SHA256.self, of: path)
          }
        IO.writeLine("\(hex)  \(path)")
      } catch {
        if let message = error.message { IO.writeError(message) }
        anyFailed = true
      }
    }
    if anyFailed { throw .failureReported }
  }

  /// The digest of the file at `path` (or standard input for `-`) in lowercase hex.
  ///
  /// - Throws: ``CLIError/failure(_:)`` when the input cannot be read.
  static func digest<H: HashFunction>(_: H.Type, of path: String) throws(CLIError) -> String {
    var state = H()
    try IO.forEachChunk(ofInput: path) { state.update($0) }
    return state.finalize().hexString
  }
}
