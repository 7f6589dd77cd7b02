// Base64URL.swift: the URL- and filename-safe base64 alphabet, with strict canonical decoding.
// Reference: RFC 4648 §5 (alphabet), §3.5 (canonical encoding).
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

/// Base64 with the URL-safe alphabet (`A`-`Z`, `a`-`z`, `0`-`9`, `-`, `_`).
///
/// Decoding is strict: only the canonical encoding of some bytes is accepted, so every byte
/// string has exactly one accepted text. Characters are mapped with arithmetic rather than a
/// lookup table, so decoding a key does not index memory by secret values.
///
/// ```swift
/// let text = Base64URL.encode(Array("hi?".utf8).span)   // "aGk_"
/// let bytes = try Base64URL.decode(text)
/// ```
public enum Base64URL {
  /// How `=` padding is written and accepted.
  public enum Padding: Sendable {
    /// Encode with padding; decode only padded text (what Fernet uses).
    case required
    /// Encode with padding; decode padded or unpadded text.
    case optional
    /// Encode without padding; decode only unpadded text.
    case omitted
  }

  // MARK: - Encoding

  /// The number of characters that encode `byteCount` bytes.
  ///
  /// - Timing: constant.
  public static func encodedCount(of byteCount: Int, padding: Padding = .required) -> Int {
    switch padding {
    case .required, .optional: return (byteCount + 2) / 3 * 4
    case .omitted: return (byteCount * 4 + 2) / 3
    }
  }

  /// Encodes `bytes` as text.
  ///
  /// - Timing: depends on the length only.
  public static func encode(_ bytes: Span<UInt8>, padding: Padding = .required) -> String {
    var output: [UInt8] = []
    encode(bytes, padding: padding, appendingTo: &output)
    return String(decoding: output, as: UTF8.self)
  }

  /// Encodes the bytes of an array as text.
  public static func encode(_ bytes: [UInt8], padding: Padding = .required) -> String {
    encode(bytes.span, padding: padding)
  }

  /// Appends the ASCII encoding of `bytes` to `output`, for callers that build larger buffers.
  ///
  /// - Timing: depends on the length only.
  public static func encode(
    _ bytes: Span<UInt8>, padding: Padding = .required, appendingTo output: inout [UInt8]
  ) {
    output.reserveCapacity(output.count + encodedCount(of: bytes.count, padding: padding))
    let count = bytes.count
    var index = 0
    while index + 3 <= count {
      let group =
        UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
      output.append(character(group >> 18))
      output.append(character(group >> 12))
      output.append(character(group >> 6))
      output.append(character(group))
      index += 3
    }
    let remaining = count - index
    guard remaining > 0 else { return }
    let first = UInt32(bytes[index]) << 16
    let group = remaining == 2 ? first | UInt32(bytes[index + 1]) << 8 : first
    output.append(character(group >> 18))
    output.append(character(group >> 12))
    if remaining == 2 { output.append(character(group >> 6)) }
    if padding != .omitted {
      output.append(UInt8(ascii: "="))
      if remaining == 1 { output.append(UInt8(ascii: "=")) }
    }
  }

  // MARK: - Decoding

  /// Decodes text, accepting only the canonical encoding.
  ///
  /// - Parameters:
  ///   - text: The encoded text; no whitespace or other characters are skipped.
  ///   - padding: Whether `=` padding must, may or must not be present.
  /// - Returns: The decoded bytes.
  /// - Throws: ``EncodingError/invalidCharacter(offset:)`` at the first byte outside the
  ///   alphabet, ``EncodingError/invalidLength``, ``EncodingError/invalidPadding``, or
  ///   ``EncodingError/nonZeroTrailingBits(offset:)``.
  /// - Timing: depends on the length and on where padding starts (both public); the character
  ///   values are decoded without branches or tables.
  public static func decode(_ text: String, padding: Padding = .required) throws(EncodingError)
    -> [UInt8]
  {
    let bytes = Array(text.utf8)
    return try decode(bytes.span, padding: padding)
  }

  /// Decodes ASCII text given as bytes, accepting only the canonical encoding.
  ///
  /// - Throws: as ``decode(_:padding:)-(String,_)``.
  /// - Timing: as ``decode(_:padding:)-(String,_)``.
  public static func decode(_ text: Span<UInt8>, padding: Padding = .required)
    throws(EncodingError) -> [UInt8]
  {
    var output: [UInt8] = []
    try decode(text, padding: padding, appendingTo: &output)
    return output
  }

  /// Appends the bytes that `text` encodes to `output`; on error `output` is left unchanged.
  ///
  /// - Throws: as ``decode(_:padding:)-(String,_)``.
  public static func decode(
    _ text: Span<UInt8>, padding: Padding = .required, appendingTo output: inout [UInt8]
  ) throws(EncodingError) {
    // Padding is public structure: count the trailing '=' first.
    var length = text.count
    var padCount = 0
    while length > 0 && text[length - 1] == UInt8(ascii: "=") {
      length -= 1
      padCount += 1
    }
    guard padCount <= 2 else { throw .invalidPadding }
    let lastGroup = length % 4
    switch padding {
    case .required:
      guard text.count % 4 == 0 else { throw padCount > 0 ? .invalidPadding : .invalidLength }
      guard padCount == (4 - lastGroup) % 4 else { throw .invalidPadding }
    case .optional:
      guard padCount == 0 || padCount == (4 - lastGroup) % 4, text.count % 4 == 0 || padCount == 0
      else { throw .invalidPadding }
    case .omitted:
      guard padCount == 0 else { throw .invalidPadding }
    }
    guard lastGroup != 1 else { throw .invalidLength }

    // Decode every character before looking at any result, accumulating an error mask; the
    // first bad offset is tracked with selects so the loop has no data-dependent branch.
    let start = output.count
    output.reserveCapacity(start + length / 4 * 3 + 2)
    var invalid: UInt32 = 0
    var firstInvalid: UInt32 = UInt32.max
    var accumulator: UInt32 = 0
    var bitCount = 0
    for offset in 0..<length {
      let (value, isInvalid) = self.value(of: text[offset])
      let newlyInvalid = isInvalid & ~invalid
      firstInvalid = ConstantTime.select(
        mask: newlyInvalid, UInt32(truncatingIfNeeded: offset), firstInvalid)
      invalid |= isInvalid
      accumulator = accumulator << 6 | value
      bitCount += 6
      if bitCount >= 8 {
        bitCount -= 8
        output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bitCount)))
      }
    }
    if invalid != 0 {
      output.removeSubrange(start...)
      throw .invalidCharacter(offset: Int(firstInvalid))
    }
    // A final group of 2 or 3 characters leaves 4 or 2 bits over, which must be zero.
    let leftover = accumulator & ((1 << UInt32(bitCount)) - 1)
    if leftover != 0 {
      output.removeSubrange(start...)
      throw .nonZeroTrailingBits(offset: length - 1)
    }
  }

  // MARK: - Character arithmetic

  // Each range test below is branch-free: for small non-negative x, (x >> 8) of a 32-bit signed
  // value is all ones exactly when x is negative. `inRange` is all ones when lo <= c <= hi.
  @inline(__always)
  private static func inRange(_ c: Int32, _ lo: Int32, _ hi: Int32) -> UInt32 {
    UInt32(bitPattern: ~((c - lo) >> 8) & ~((hi - c) >> 8))
  }

  /// The 6-bit value of an ASCII character, and all ones in the second result when the character
  /// is not in the alphabet.
  @inline(__always)
  private static func value(of character: UInt8) -> (UInt32, UInt32) {
    let c = Int32(character)
    let upper = inRange(c, 65, 90)  // 'A'...'Z' -> 0...25
    let lower = inRange(c, 97, 122)  // 'a'...'z' -> 26...51
    let digit = inRange(c, 48, 57)  // '0'...'9' -> 52...61
    let minus = inRange(c, 45, 45)  // '-' -> 62
    let underscore = inRange(c, 95, 95)  // '_' -> 63
    let code = UInt32(character)
    var value = upper & (code &- 65)
    value |= lower & (code &- 71)
    value |= digit & (code &+ 4)
    value |= minus & 62
    value |= underscore & 63
    let valid = upper | lower | digit | minus | underscore
    return (value & 63, ~valid)
  }

  /// The character for the low 6 bits of `value`.
  @inline(__always)
  private static func character(_ value: UInt32) -> UInt8 {
    // Start from 'A' + v and correct by range: v > 25 moves to 'a' (+6), v > 51 to '0' (-75),
    // v > 61 to '-' (-13), v > 62 to '_' (+49). Each correction is masked by a borrow test.
    let v = Int32(value & 63)
    var c = v + 65
    c += ((25 - v) >> 8) & 6
    c -= ((51 - v) >> 8) & 75
    c -= ((61 - v) >> 8) & 13
    c += ((62 - v) >> 8) & 49
    return UInt8(truncatingIfNeeded: c)
  }
}
