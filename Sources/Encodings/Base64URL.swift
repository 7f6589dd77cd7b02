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
  /// The output grows once, by exactly ``encodedCount(of:padding:)``, and each group of three
  /// bytes becomes its four characters in one word (see `characters(_:)`).
  ///
  /// - Timing: depends on the length only.
  public static func encode(
    _ bytes: Span<UInt8>, padding: Padding = .required, appendingTo output: inout [UInt8]
  ) {
    let count = bytes.count
    let wholeGroups = count / 3
    output.append(addingCapacity: encodedCount(of: count, padding: padding)) { out in
      // Whole groups through raw pointers: `wholeGroups` groups read 3 * wholeGroups <= count
      // bytes and write 4 * wholeGroups characters, which the capacity reserved above holds.
      // Bounds-checked appends cost more than the encoding itself.
      unsafe bytes.withUnsafeBufferPointer { source in
        unsafe out.withUnsafeMutableBufferPointer { target, initializedCount in
          let input = source.baseAddress
          let output = UnsafeMutableRawPointer(target.baseAddress)
          for group in 0..<wholeGroups {
            let triple = unsafe input.unsafelyUnwrapped + 3 * group
            let value =
              unsafe UInt32(triple[0]) << 16 | UInt32(triple[1]) << 8 | UInt32(triple[2])
            unsafe output.unsafelyUnwrapped.storeBytes(
              of: characters(value).littleEndian, toByteOffset: initializedCount + 4 * group,
              as: UInt32.self)
          }
          initializedCount += 4 * wholeGroups
        }
      }
      let index = 3 * wholeGroups
      let remaining = count - index
      guard remaining > 0 else { return }
      let first = UInt32(bytes[index]) << 16
      let group = remaining == 2 ? first | UInt32(bytes[index + 1]) << 8 : first
      let text = characters(group)
      out.append(UInt8(truncatingIfNeeded: text))
      out.append(UInt8(truncatingIfNeeded: text >> 8))
      if remaining == 2 { out.append(UInt8(truncatingIfNeeded: text >> 16)) }
      if padding != .omitted {
        out.append(UInt8(ascii: "="))
        if remaining == 1 { out.append(UInt8(ascii: "=")) }
      }
    }
  }

  /// Encodes, in place and with `=` padding, `count` bytes that sit at the end of `buffer`'s
  /// first ``encodedCount(of:padding:)`` bytes, so that those bytes become their text.
  ///
  /// The bytes start at `offset` = `encodedCount(of: count) - count`. Group g reads bytes
  /// `offset + 3g ..< offset + 3g + 3` and then writes characters `4g ..< 4g + 4`; since
  /// `offset >= ceil(count / 3)`, no write reaches a byte that a later group still has to read.
  /// This lets a Fernet token be built in its final buffer without a second copy.
  ///
  /// - Timing: depends on the length only.
  package static func encodeInPlace(_ buffer: inout MutableSpan<UInt8>, count: Int) {
    let textCount = encodedCount(of: count)
    let offset = textCount - count
    precondition(buffer.count >= textCount, "the buffer holds the text")
    let wholeGroups = count / 3
    // Raw pointers: every read is below offset + count = textCount and every write below
    // textCount, both within the buffer checked above.
    unsafe buffer.withUnsafeMutableBufferPointer { pointer in
      let base = unsafe UnsafeMutableRawPointer(pointer.baseAddress.unsafelyUnwrapped)
      let source = unsafe pointer.baseAddress.unsafelyUnwrapped + offset
      for group in 0..<wholeGroups {
        let triple = unsafe source + 3 * group
        let value = unsafe UInt32(triple[0]) << 16 | UInt32(triple[1]) << 8 | UInt32(triple[2])
        unsafe base.storeBytes(
          of: characters(value).littleEndian, toByteOffset: 4 * group, as: UInt32.self)
      }
      let remaining = count - 3 * wholeGroups
      guard remaining > 0 else { return }
      let last = unsafe source + 3 * wholeGroups
      let first = unsafe UInt32(last[0]) << 16
      let group = unsafe remaining == 2 ? first | UInt32(last[1]) << 8 : first
      var text = characters(group)
      // '=' (0x3D) replaces the characters that encode no byte.
      text = remaining == 2 ? text & 0x00FF_FFFF | 0x3D00_0000 : text & 0xFFFF | 0x3D3D_0000
      unsafe base.storeBytes(
        of: text.littleEndian, toByteOffset: 4 * wholeGroups, as: UInt32.self)
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

    // Every character is decoded before any result is looked at, accumulating an error mask;
    // whole groups of four go through `values(_:)` four characters at a time, the final
    // partial group through `value(of:)`. Neither branches on the characters. Only when the
    // mask says some character was invalid does a second pass find the first bad offset.
    let start = output.count
    let wholeGroups = length / 4
    let tailCount = length % 4
    let byteCount = wholeGroups * 3 + max(0, tailCount - 1)
    var invalid: UInt32 = 0
    var leftover: UInt32 = 0
    output.append(addingCapacity: byteCount) { out in
      // Through raw pointers: `wholeGroups` groups read 4 * wholeGroups <= text.count bytes and
      // write 3 * wholeGroups <= byteCount bytes, which the capacity reserved above holds.
      unsafe text.withUnsafeBufferPointer { source in
        unsafe out.withUnsafeMutableBufferPointer { target, initializedCount in
          let input = unsafe UnsafeRawPointer(source.baseAddress).unsafelyUnwrapped
          let output = unsafe (target.baseAddress.unsafelyUnwrapped + initializedCount)
          // Two groups (eight characters, one 64-bit word) at a time, then an odd last one.
          var invalidPairs: UInt64 = 0
          for pair in 0..<(wholeGroups / 2) {
            let word = unsafe input.loadUnaligned(fromByteOffset: 8 * pair, as: UInt64.self)
            let (values, isInvalid) = sextets(UInt64(littleEndian: word))
            invalidPairs |= isInvalid
            unsafe store(group(UInt32(truncatingIfNeeded: values)), at: output + 6 * pair)
            unsafe store(group(UInt32(truncatingIfNeeded: values >> 32)), at: output + 6 * pair + 3)
          }
          invalid = UInt32(truncatingIfNeeded: invalidPairs | invalidPairs >> 32)
          if wholeGroups % 2 == 1 {
            let last = wholeGroups - 1
            let word = unsafe input.loadUnaligned(fromByteOffset: 4 * last, as: UInt32.self)
            let (values, isInvalid) = sextets(UInt32(littleEndian: word))
            invalid |= isInvalid
            unsafe store(group(values), at: output + 3 * last)
          }
          initializedCount += 3 * wholeGroups
        }
      }
      // A final group of 2 or 3 characters gives 1 or 2 bytes and leaves 4 or 2 bits over.
      var accumulator: UInt32 = 0
      for offset in (4 * wholeGroups)..<length {
        let (value, isInvalid) = self.value(of: text[offset])
        invalid |= isInvalid
        accumulator = accumulator << 6 | value
      }
      if tailCount == 3 {
        out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
        out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        leftover = accumulator & 3
      } else if tailCount == 2 {
        out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        leftover = accumulator & 15
      }
    }
    if invalid != 0 {
      output.removeSubrange(start...)
      throw .invalidCharacter(offset: firstInvalidOffset(text, length: length))
    }
    // The bits left over by a final partial group must be zero (canonical encoding).
    if leftover != 0 {
      output.removeSubrange(start...)
      throw .nonZeroTrailingBits(offset: length - 1)
    }
  }

  /// The offset of the first character of `text[0..<length]` outside the alphabet (the caller
  /// knows there is one); found with selects, without a data-dependent branch.
  private static func firstInvalidOffset(_ text: Span<UInt8>, length: Int) -> Int {
    var invalid: UInt32 = 0
    var firstInvalid = UInt32.max
    for offset in 0..<length {
      let (_, isInvalid) = value(of: text[offset])
      let newlyInvalid = isInvalid & ~invalid
      firstInvalid = ConstantTime.select(
        mask: newlyInvalid, UInt32(truncatingIfNeeded: offset), firstInvalid)
      invalid |= isInvalid
    }
    return Int(firstInvalid)
  }

  // MARK: - Character arithmetic

  // Each range test below is branch-free: for small non-negative x, (x >> 8) of a 32-bit signed
  // value is all ones exactly when x is negative. `inRange` is all ones when lo <= c <= hi.
  @inline(__always)
  private static func inRange(_ c: Int32, _ lo: Int32, _ hi: Int32) -> UInt32 {
    UInt32(bitPattern: ~((c - lo) >> 8) & ~((hi - c) >> 8))
  }

  // Decoding several characters at once, one per byte of a word: with each byte's top
  // bit cleared and then set, subtracting t (times 0x01010101) leaves bit 7 of a byte set
  // exactly when the byte (below 128) is >= t, without borrowing across bytes. Ranges are
  // pairs of such tests; each range selects its offset to the 6-bit value ('A' -> -65,
  // 'a' -> -71, '0' -> +4, '-' -> +17, '_' -> -32, all mod 256); the addition is split as in
  // `characters(_:)` so that it cannot carry into the next byte. A byte with its top bit set,
  // or in no range, is invalid.

  /// The 6-bit value of each character in `word` (one per byte), and bit 7 set in each byte of
  /// the second result whose character is not in the alphabet. Generic over the word so that
  /// the decoder takes eight characters at a time (`UInt64`) and four for an odd last group.
  @inline(__always)
  private static func sextets<Word: FixedWidthInteger & UnsignedInteger>(_ word: Word)
    -> (values: Word, invalid: Word)
  {
    let ones = Word.max / 255
    let high = ones &* 0x80
    let low = word & (ones &* 0x7F)
    let marked = low | high
    // Bit 7 of each byte set where that byte of `marked`, minus 0x80, is >= t.
    func atLeast(_ t: Word) -> Word {
      (marked &- t &* ones) & high
    }
    let upper = atLeast(65) & ~atLeast(91)
    let lower = atLeast(97) & ~atLeast(123)
    let digit = atLeast(48) & ~atLeast(58)
    let minus = atLeast(45) & ~atLeast(46)
    let underscore = atLeast(95) & ~atLeast(96)
    let valid = (upper | lower | digit | minus | underscore) & ~word
    var offset = (upper >> 7) &* 0xFF & (191 &* ones)
    offset |= (lower >> 7) &* 0xFF & (185 &* ones)
    offset |= (digit >> 7) &* 0xFF & (4 &* ones)
    offset |= (minus >> 7) &* 0xFF & (17 &* ones)
    offset |= (underscore >> 7) &* 0xFF & (224 &* ones)
    let values = (low &+ (offset & (ones &* 0x7F))) ^ (offset & high)
    return (values, ~valid & high)
  }

  /// The 24 bits that four 6-bit values (the first in the lowest byte) encode.
  @inline(__always)
  private static func group(_ values: UInt32) -> UInt32 {
    (values & 0x3F) << 18 | (values >> 8 & 0x3F) << 12 | (values >> 16 & 0x3F) << 6
      | (values >> 24 & 0x3F)
  }

  /// Writes the three bytes of a 24-bit group, most significant first.
  @inline(__always)
  private static func store(_ bits: UInt32, at bytes: UnsafeMutablePointer<UInt8>) {
    unsafe bytes[0] = UInt8(truncatingIfNeeded: bits >> 16)
    unsafe bytes[1] = UInt8(truncatingIfNeeded: bits >> 8)
    unsafe bytes[2] = UInt8(truncatingIfNeeded: bits)
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

  // Encoding works on four characters at once, one per byte of a 32-bit word ("SIMD within a
  // register"). Each byte holds a 6-bit value v; the character is v plus an offset that
  // depends on v's range: 'A' - 0 = 65 below 26, 'a' - 26 = 71 below 52, '0' - 52 = -4 (252)
  // below 62, '-' - 62 = -17 (239) at 62 and '_' - 63 = 32 at 63.
  //
  // - `v | 0x80` minus t leaves bit 7 set exactly when v >= t, and never borrows from the next
  //   byte (128 + v - t > 0 for t <= 64), so each test is a subtraction and a mask.
  // - The ranges are nested (v >= 52 implies v >= 26), so the offset is the first range's
  //   XORed with the difference (as XOR) between consecutive ranges for each test that holds:
  //   65 ^ (v>=26)*0x06 ^ (v>=52)*0xBB ^ (v>=62)*0x13 ^ (v>=63)*0xCF. A test result is 0 or 1
  //   per byte, so each product stays inside its byte.
  // - The final v + offset must not carry into the next byte: v < 64, so adding the offset's
  //   low seven bits stays below 256, and its top bit is then added (mod 256) with an XOR.
  // No branch and no table, so the time does not depend on the bytes (keys are encoded too).

  /// The four characters of a 24-bit group, the first in the lowest byte.
  ///
  /// Package modules that encode a stream as it is produced (nested Fernet tokens) call it
  /// directly; it is `@inlinable` so that such a call costs no more than here.
  @inlinable @inline(__always)
  package static func characters(_ group: UInt32) -> UInt32 {
    characters(
      sextets: group >> 18 | (group >> 4) & 0x3F00 | (group << 10) & 0x3F_0000
        | (group << 24) & 0x3F00_0000)
  }

  /// The characters of two 24-bit groups at once: group g0 in the low 24 bits of `pair`'s low
  /// half and g1 in the low 24 bits of its high half give g0's four characters in the low half
  /// and g1's in the high half, the first of each in its half's lowest byte. The sextets are
  /// gathered under a mask per half, so that neither group's bits reach the other half.
  @inlinable @inline(__always)
  package static func characters(pair: UInt64) -> UInt64 {
    characters(
      sextets: (pair >> 18) & 0x0000_003F_0000_003F | (pair >> 4) & 0x0000_3F00_0000_3F00
        | (pair << 10) & 0x003F_0000_003F_0000 | (pair << 24) & 0x3F00_0000_3F00_0000)
  }

  /// The character of each 6-bit value in `values` (one per byte), by the range tests and
  /// offsets described above.
  @inlinable @inline(__always)
  static func characters<Word: FixedWidthInteger & UnsignedInteger>(sextets values: Word) -> Word {
    let ones = Word.max / 255
    let high = ones &* 0x80
    let marked = values | high
    let from26 = ((marked &- 26 &* ones) >> 7) & ones
    let from52 = ((marked &- 52 &* ones) >> 7) & ones
    let from62 = ((marked &- 62 &* ones) >> 7) & ones
    let from63 = ((marked &- 63 &* ones) >> 7) & ones
    let offset =
      65 &* ones ^ from26 &* 0x06 ^ from52 &* 0xBB ^ from62 &* 0x13 ^ from63 &* 0xCF
    return (values &+ (offset & (ones &* 0x7F))) ^ (offset & high)
  }
}
