// Fernet.swift: `secure-api fernet genkey|encrypt|decrypt`, tokens compatible with pyca's
// `cryptography.fernet`.
// Reference: the Fernet specification (github.com/fernet/spec, Spec.md).
// SPDX-License-Identifier: Apache-2.0

import Fernet
import HostSystem

extension Command {
  /// `fernet`: key generation, encryption and decryption of Fernet tokens.
  static let fernet = Command(
    name: "fernet",
    summary: "generate Fernet keys, make and open Fernet tokens",
    subcommands: [fernetGenerateKey, fernetEncrypt, fernetDecrypt])

  /// `fernet genkey`: a new key from the system's secure random generator.
  static let fernetGenerateKey = Command(
    name: "genkey",
    summary: "print a new key (44 characters of url-safe base64) from the system CSPRNG",
    action: { _ throws(CLIError) in FernetCommand.generateKey() })

  /// `fernet encrypt`: plaintext on standard input, token on standard output.
  static let fernetEncrypt = Command(
    name: "encrypt",
    summary: "encrypt standard input into a token",
    details: """
      Reads the plaintext from standard input and prints the token and a newline. --time and
      --iv-hex make the output deterministic; either may be given alone. Without --time the
      system clock is used; without --iv-hex the IV comes from the system CSPRNG.
      """,
    options: [
      .required("--key", "KEY", "the key as 44 characters of url-safe base64"),
      .value("--time", "UNIX_SECONDS", "the token's timestamp (default: now)"),
      .value("--iv-hex", "HEX", "the 16-byte IV as 32 hex digits (default: random)"),
    ],
    action: { invocation throws(CLIError) in try FernetCommand.encrypt(invocation) })

  /// `fernet decrypt`: token on standard input, plaintext on standard output.
  static let fernetDecrypt = Command(
    name: "decrypt",
    summary: "decrypt a token read from standard input",
    details: """
      Reads the token from standard input (surrounding whitespace is ignored) and writes the
      plaintext, raw, to standard output. Without --ttl the token's age is not checked. With
      --ttl the token must be at most SECONDS old and at most 60 seconds in the future, measured
      at --now or, without --now, by the system clock. --now without --ttl is a usage error.
      An invalid, tampered or expired token exits with status 1.
      """,
    options: [
      .required("--key", "KEY", "the key as 44 characters of url-safe base64"),
      .value("--ttl", "SECONDS", "refuse tokens older than this"),
      .value("--now", "UNIX_SECONDS", "the current time for --ttl (default: the system clock)"),
    ],
    action: { invocation throws(CLIError) in try FernetCommand.decrypt(invocation) })
}

/// The `fernet` subcommands.
enum FernetCommand {
  /// Prints a new key and a newline.
  static func generateKey() {
    IO.writeLine(FernetKey.generate().base64URL())
  }

  /// Encrypts standard input and prints the token.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` for a missing or malformed key, time or IV.
  static func encrypt(_ invocation: Invocation) throws(CLIError) {
    let key = try self.key(invocation)
    let timestamp = try invocation.unsigned("--time") ?? SystemClock.unixSeconds()
    let iv = try invocation.block("--iv-hex")
    let message = IO.readStandardInput()
    if let iv {
      IO.writeLine(key.encrypt(message.span, at: timestamp, iv: iv))
    } else {
      var rng = SystemRandomNumberGenerator()
      IO.writeLine(key.encrypt(message.span, at: timestamp, using: &rng))
    }
  }

  /// Decrypts the token on standard input and writes the plaintext.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` for bad options, ``CLIError/failure(_:)`` when the
  ///   token is invalid or expired.
  static func decrypt(_ invocation: Invocation) throws(CLIError) {
    let key = try self.key(invocation)
    let ttl = try invocation.unsigned("--ttl")
    let now = try invocation.unsigned("--now")
    if ttl == nil && now != nil {
      throw invocation.usage("--now is only meaningful with --ttl")
    }
    let token = trimmingWhitespace(IO.readStandardInput())
    let plaintext: [UInt8]
    do {
      if let ttl {
        plaintext = try key.decrypt(
          token.span, ttl: ttl, now: now ?? SystemClock.unixSeconds())
      } else {
        plaintext = try key.decrypt(token.span)
      }
    } catch {
      throw .failure("invalid token (malformed, tampered, wrong key or expired)")
    }
    IO.write(plaintext)
  }

  /// The key given with `--key`.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` when it is missing or not a valid key.
  static func key(_ invocation: Invocation) throws(CLIError) -> FernetKey {
    let text = try invocation.required("--key")
    do {
      return try FernetKey(base64URL: text)
    } catch {
      throw invocation.usage("--key: \(error)")
    }
  }

  /// `bytes` without leading and trailing ASCII whitespace.
  static func trimmingWhitespace(_ bytes: [UInt8]) -> [UInt8] {
    func isWhitespace(_ byte: UInt8) -> Bool {
      byte == 0x20 || (0x09...0x0D).contains(byte)
    }
    guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
      let last = bytes.lastIndex(where: { !isWhitespace($0) })
    else { return [] }
    return Array(bytes[first...last])
  }
}
