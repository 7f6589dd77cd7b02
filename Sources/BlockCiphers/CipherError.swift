// CipherError.swift: the errors of the block cipher module (key length, CBC alignment, PKCS #7
// padding).
// References: FIPS 197 §5.2 (key length), NIST SP 800-38A §6.2 (CBC), RFC 5652 §6.3 (padding).
// SPDX-License-Identifier: Apache-2.0

/// Why a block cipher operation refused its input.
///
/// The cases are deliberately coarse: a caller that decrypts attacker-controlled data should
/// report every failure the same way (Fernet reports them all as one `invalidToken`).
public enum CipherError: Error, Equatable {
  /// The key does not have the length the cipher needs (16 bytes for ``AES128``).
  case invalidKeyLength

  /// The data is not a whole number of 16-byte blocks, or is empty where at least one block is
  /// required (decryption with padding removal).
  case notBlockAligned

  /// The final block does not end in valid PKCS #7 padding: the last byte is zero or larger than
  /// the block size, or one of the bytes it covers differs from it.
  case invalidPadding
}
