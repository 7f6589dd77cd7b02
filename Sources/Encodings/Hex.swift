// Hex.swift: hexadecimal text, lowercase on output, either case on input.
// Reference: RFC 4648 §8 (base16).
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

/// Hexadecimal (base16) encoding. Digits are computed, not looked up, so printing or parsing a
/// key does not index memory by its value.
public enum Hex {
  /// The lowercase hexadecimal text of `bytes`.
  ///
  /// - Timing: depends on the length only.
  public static func encode(_ bytes: Span<UInt8>) -> String {
    HexDigits.string(bytes)
  }

  /// The lowercase hexadecimal text of the bytes of an array.
  public static func encode(_ bytes: [UInt8]) -> String {
    HexDigits.string(bytes.span)
  }

  /// Decodes hexadecimal text (either case, no separators, no `0x` prefix).
  ///
  /// - Throws: ``EncodingError/invalidLength`` for an odd number of digits,
  ///   ``EncodingError/invalidCharacter(offset:)`` at the first non-digit.
  /// - Timing: depends on the length only; the first bad offset is found without branching on
  ///   the digits.
  public static func decode(_ text: String) throws(EncodingError) -> [UInt8] {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { throw .invalidLength }
    var output: [UInt8] = []
    output.reserveCapacity(digits.count / 2)
    var invalid: UInt32 = 0
    var firstInvalid = UInt32.max
    var high: UInt32 = 0
    for offset in digits.indices {
      let (value, isInvalid) = self.value(of: digits[offset])
      let newlyInvalid = isInvalid & ~invalid
      firstInvalid = ConstantTime.select(
        mask: newlyInvalid, UInt32(truncatingIfNeeded: offset), firstInvalid)
      invalid |= isInvalid
      if offset % 2 == 0 {
        high = value
      } else {
        output.append(UInt8(truncatingIfNeeded: high << 4 | value))
      }
    }
    guard invalid == 0 else { throw .invalidCharacter(offset: Int(firstInvalid)) }
    return output
  }

  /// The value of a hex digit, and all ones in the second result when it is not one.
  @inline(__always)
  private static func value(of character: UInt8) -> (UInt32, UInt32) {
    let c = Int32(character)
    let digit = UInt32(bitPattern: ~((c - 48) >> 8) & ~((57 - c) >> 8))
    let lower = UInt32(bitPattern: ~((c - 97) >> 8) & ~((102 - c) >> 8))
    let upper = UInt32(bitPattern: ~((c - 65) >> 8) & ~((70 - c) >> 8))
    let code = UInt32(character)
    let value = (digit & (code &- 48)) | (lower & (code &- 87)) | (upper & (code &- 55))
    return (value & 15, ~(digit | lower | upper))
  }
}
