// EncodingError.swift: why text could not be decoded.
// SPDX-License-Identifier: Apache-2.0

/// Why base64url or hexadecimal text was rejected. Offsets count UTF-8 bytes from 0.
public enum EncodingError: Error, Equatable, Sendable {
  /// The byte at `offset` is outside the alphabet (or is a `=` where padding cannot stand).
  case invalidCharacter(offset: Int)
  /// The length cannot be a whole encoding (for example 5 base64 characters, or odd hex).
  case invalidLength
  /// Padding is missing, extra, or not allowed by the chosen ``Base64URL/Padding`` rule.
  case invalidPadding
  /// The character at `offset` carries bits past the end of the data that are not zero, so the
  /// text is not the canonical encoding of any bytes.
  case nonZeroTrailingBits(offset: Int)
}
