// AES.swift: `secure-api aes-128-cbc encrypt|decrypt --key-hex HEX --iv-hex HEX [--no-padding]`.
// References: FIPS 197 (AES), NIST SP 800-38A §6.2 (CBC), RFC 5652 §6.3 (PKCS #7 padding).
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers

extension Command {
  /// `aes-128-cbc`: standard input to standard output, raw bytes.
  static let aes128CBC = Command(
    name: "aes-128-cbc",
    summary: "encrypt or decrypt standard input with AES-128 in CBC mode",
    details: """
      Reads standard input and writes raw bytes to standard output. PKCS #7 padding is added on
      encryption and checked and removed on decryption, unless --no-padding is given, in which
      case the input must be a whole number of 16-byte blocks. Bad padding exits with status 1.
      """,
    positionals: [.choice(["encrypt", "decrypt"])],
    options: [
      .required("--key-hex", "HEX", "the 16-byte key as 32 hex digits"),
      .required("--iv-hex", "HEX", "the 16-byte initialisation vector as 32 hex digits"),
      .flag("--no-padding", "neither add nor remove PKCS #7 padding"),
    ],
    action: { invocation throws(CLIError) in try AESCommand.run(invocation) })
}

/// The `aes-128-cbc` subcommand.
enum AESCommand {
  /// Encrypts or decrypts standard input.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` for a missing or malformed key or IV,
  ///   ``CLIError/failure(_:)`` for unaligned input or bad padding.
  static func run(_ invocation: Invocation) throws(CLIError) {
    let key = try invocation.requiredBlock("--key-hex")
    let iv = try invocation.requiredBlock("--iv-hex")
    let cipher = AES128(key: key)
    let padding = !invocation.flag("--no-padding")
    let encrypting = invocation.positionals[0] == "encrypt"
    let input = IO.readStandardInput()
    let output: [UInt8]
    do {
      switch (encrypting, padding) {
      case (true, true): output = CBC.encrypt(padding: input.span, iv: iv, with: cipher)
      case (true, false): output = try CBC.encrypt(input.span, iv: iv, with: cipher)
      case (false, true): output = try CBC.decrypt(unpadding: input.span, iv: iv, with: cipher)
      case (false, false): output = try CBC.decrypt(input.span, iv: iv, with: cipher)
      }
    } catch {
      switch error {
      case .notBlockAligned where padding:
        throw .failure("ciphertext is not a non-empty whole number of 16-byte blocks")
      case .notBlockAligned:
        throw .failure(
          "input is \(input.count) bytes, not a whole number of 16-byte blocks (--no-padding)")
      case .invalidPadding:
        throw .failure("bad padding (wrong key or IV, or corrupted ciphertext)")
      case .invalidKeyLength:
        throw .failure("the key must be 16 bytes")
      }
    }
    IO.write(output)
  }
}
