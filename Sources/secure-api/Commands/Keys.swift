// Keys.swift: `secure-api keygen`, `seal` and `open`, and the key-file loading that every
// protocol command shares.
// Reference: wire format v1 §1 (key file), §3 and §4 (frame and layers).
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI

extension Command {
  /// `keygen`: a new 512-character key file from the system CSPRNG.
  static let keygen = Command(
    name: "keygen",
    summary: "write a new 512-character key file (mode 0600) from the system CSPRNG",
    details: """
      Draws all 512 characters uniformly from the 62-character alphabet of the deployed system
      with the operating system's secure generator (rejection sampling, no modulo bias). With
      --entropy, a line typed on standard input is mixed in; it can add unpredictability but
      never replace the generator's. An existing file is never overwritten unless --force is
      given.
      """,
    options: [
      .value("--out", "PATH", "where to write the key (default: key.txt)"),
      .flag("--force", "overwrite an existing file"),
      .flag("--entropy", "mix in a line of text read from standard input"),
    ],
    action: { invocation throws(CLIError) in try KeyCommands.generate(invocation) })

  /// `seal`: a message on standard input, an outer token on standard output.
  static let seal = Command(
    name: "seal",
    summary: "seal standard input into an outer token (frame time from the system clock)",
    details: """
      Builds the frame body <20-character time><CODE><message> from the system clock, the code
      (default put) and standard input, masks it and wraps it in one Fernet layer per 32
      characters of the key file (16 for a standard key). Prints the outer token and a newline.
      """,
    options: [
      .required("--key", "PATH", "the key file"),
      .value("--code", "CODE", "the three-character code (default: put)"),
    ],
    action: { invocation throws(CLIError) in try KeyCommands.seal(invocation) })

  /// `open`: an outer token on standard input, the frame body on standard output.
  static let open = Command(
    name: "open",
    summary: "open an outer token from standard input and write its frame body",
    details: """
      Reads an outer token from standard input (surrounding whitespace is ignored), removes all
      layers, checks the SHA-224 prefix and the mask identifier, and writes the frame body (the
      20-character time, the 3-character code and the message) exactly, with no newline. No
      time or replay checks are made. Exits with status 1 if anything fails.
      """,
    options: [.required("--key", "PATH", "the key file")],
    action: { invocation throws(CLIError) in try KeyCommands.open(invocation) })
}

/// The key-file commands and the shared key loading.
enum KeyCommands {
  /// The default key file name, as in the deployed system.
  static let defaultKeyPath = "key.txt"

  /// Loads and validates the key file named by `--key`.
  ///
  /// - Throws: ``CLIError/failure(_:)`` when the file cannot be read or is not a valid key file.
  static func keyFile(_ invocation: Invocation) throws(CLIError) -> KeyFile {
    let path = try invocation.required("--key")
    let contents: [UInt8]
    do {
      contents = try HostFiles.read(path)
    } catch {
      throw .failure("cannot read the key file: \(error)")
    }
    do {
      return try KeyFile(contents: contents)
    } catch {
      throw .failure("\(path): \(error)")
    }
  }

  /// Writes a new key file.
  static func generate(_ invocation: Invocation) throws(CLIError) {
    let path = invocation.value("--out") ?? defaultKeyPath
    var entropy: [UInt8] = []
    if invocation.flag("--entropy") {
      FileHandle.standardError.write(Data("Type some random text, then press Enter:\n".utf8))
      entropy = Array((readLine(strippingNewline: true) ?? "").utf8)
      guard !entropy.isEmpty else { throw .failure("--entropy: no text was typed") }
    }
    var rng = SystemRandomNumberGenerator()
    let file = KeyFile.generate(using: &rng, mixing: entropy)
    do {
      try HostFiles.writeSecret(path, file.serialized(), overwrite: invocation.flag("--force"))
    } catch {
      throw .failure("cannot write the key: \(error)")
    }
    IO.writeLine("wrote a \(file.byteCount)-character key to \(path) (mode 0600)")
  }

  /// Seals standard input.
  static func seal(_ invocation: Invocation) throws(CLIError) {
    let file = try keyFile(invocation)
    let codeText = invocation.value("--code") ?? "put"
    guard let code = FrameCode(codeText) else {
      throw invocation.usage("--code must be exactly three printable ASCII characters")
    }
    let clock = SystemClock()
    let frame = MessageFrame(time: clock.now(), code: code, payload: IO.readStandardInput())
    var rng = SystemRandomNumberGenerator()
    let token = SecureChannel.seal(
      frame, ring: file.keyRing(), fernetTime: frame.time.unixSeconds, using: &rng)
    IO.writeLine(token)
  }

  /// Opens the token on standard input.
  static func open(_ invocation: Invocation) throws(CLIError) {
    let file = try keyFile(invocation)
    let token = FernetCommand.trimmingWhitespace(IO.readStandardInput())
    do {
      let body = try SecureChannel.openBody(token.span, ring: file.keyRing())
      IO.write(body)
    } catch {
      throw .failure("cannot open the token: \(error)")
    }
  }
}
