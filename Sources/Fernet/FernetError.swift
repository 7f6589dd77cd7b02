// FernetError.swift: the errors of the Fernet module.
// SPDX-License-Identifier: Apache-2.0

import Encodings

/// Why a Fernet operation failed.
///
/// Every problem with a token (bad encoding, wrong version, bad length, expired, from the future,
/// failed authentication, bad padding) is the single opaque ``invalidToken``, as in pyca's
/// `cryptography.fernet`: telling them apart would help an attacker. Problems with a key, which
/// is local configuration, are reported precisely.
public enum FernetError: Error, Equatable, Sendable {
  /// The token is not a valid, authentic, unexpired Fernet token for this key.
  case invalidToken
  /// The key text is not canonical padded base64url (`A`-`Z`, `a`-`z`, `0`-`9`, `-`, `_`, and
  /// `=` padding); the associated error says where.
  case invalidKeyEncoding(EncodingError)
  /// The key is not 32 bytes (44 characters of base64url text); `byteCount` is what was given.
  case invalidKeyLength(byteCount: Int)
  /// A key ring was given no keys.
  case noKeys
}

extension FernetError: CustomStringConvertible {
  /// A one-line explanation for people.
  public var description: String {
    switch self {
    case .invalidToken:
      return "invalid token"
    case .invalidKeyEncoding(let error):
      let detail: String
      switch error {
      case .invalidCharacter(let offset):
        detail = "character at offset \(offset) is outside A-Z a-z 0-9 - _"
      case .invalidLength, .invalidPadding:
        detail = "expected 44 characters ending in one '='"
      case .nonZeroTrailingBits(let offset):
        detail = "character at offset \(offset) is not canonical"
      }
      return "Fernet key must be 32 bytes as url-safe base64: \(detail)"
    case .invalidKeyLength(let byteCount):
      return "Fernet key must be 32 bytes (44 base64url characters), got \(byteCount) bytes"
    case .noKeys:
      return "a key ring needs at least one Fernet key"
    }
  }
}
