// HexDigits.swift: lowercase hexadecimal digits computed with arithmetic, not a table, so
// printing a secret (a tag, a key) does not index memory by its value.
// SPDX-License-Identifier: Apache-2.0

/// Branch-free conversion between nibbles and lowercase hexadecimal digits.
package enum HexDigits {
  /// The ASCII digit for a value 0...15 (`0`-`9`, `a`-`f`).
  ///
  /// - Timing: constant.
  @inline(__always)
  package static func digit(_ nibble: UInt8) -> UInt8 {
    // For n < 10 the digit is '0' + n; otherwise 'a' + n - 10, which is 39 more. The mask is all
    // ones exactly when 9 - n borrows, that is when n >= 10.
    let isLetter = UInt8(truncatingIfNeeded: (Int16(9) - Int16(nibble)) >> 8)
    return UInt8(ascii: "0") &+ nibble &+ (isLetter & 39)
  }

  /// Appends the two lowercase hex digits of each byte of `bytes` to `text`.
  ///
  /// - Timing: depends on the length only.
  package static func append(_ bytes: Span<UInt8>, to text: inout [UInt8]) {
    text.reserveCapacity(text.count + bytes.count * 2)
    for index in bytes.indices {
      text.append(digit(bytes[index] >> 4))
      text.append(digit(bytes[index] & 0x0f))
    }
  }

  /// The lowercase hex text of `bytes`.
  ///
  /// - Timing: depends on the length only.
  package static func string(_ bytes: Span<UInt8>) -> String {
    var text: [UInt8] = []
    append(bytes, to: &text)
    return String(decoding: text, as: UTF8.self)
  }
}
