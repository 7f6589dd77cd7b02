// Masking.swift: the SHA-224 prefix, the random-length mask and the mask identifier around a
// frame body.
// Reference: wire format v1 §3.
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

/// The masked frame: `<56 sha><body><r mask><56 identifier>`.
///
/// `sha` is the key file's lowercase hex SHA-224. `r` is drawn from 1...1000 and `mask` is `r`
/// characters of ``KeyFile/alphabet``. The identifier is `sha` with character `k` replaced by
/// `x` exactly when bit `k` of `r` is set (least significant first); hex digits never contain
/// `x`, so the receiver reads `r` back from the positions of the `x`s. As `r < 2^10`, only
/// positions 0...9 can hold an `x`.
///
/// Unlike the deployed receiver, ``unwrap(_:ring:)`` checks the prefix and every non-`x`
/// character of the identifier against this key's SHA-224, in constant time, and refuses a
/// mask length of 0, above 1000, or longer than the frame.
public enum Masking {
  /// The length of the prefix and of the identifier.
  public static let shaLength = 56
  /// The longest mask.
  public static let maximumMaskLength = 1000

  /// Masks `body` with an explicit mask (for tests and vectors).
  ///
  /// - Parameters:
  ///   - body: The frame body.
  ///   - shaHex: The 56 hex digits of the key file's SHA-224.
  ///   - mask: The mask characters; 1 to 1000 of them.
  public static func wrap(_ body: Span<UInt8>, shaHex: [UInt8], mask: Span<UInt8>) -> [UInt8] {
    precondition(shaHex.count == shaLength, "the SHA-224 hex has 56 digits")
    precondition(
      (1...maximumMaskLength).contains(mask.count), "the mask has 1 to 1000 characters")
    var frame: [UInt8] = []
    frame.reserveCapacity(2 * shaLength + body.count + mask.count)
    frame.append(contentsOf: shaHex)
    for index in body.indices { frame.append(body[index]) }
    for index in mask.indices { frame.append(mask[index]) }
    let length = mask.count
    for position in 0..<shaLength {
      let marked = position < 10 && (length >> position) & 1 == 1
      frame.append(marked ? UInt8(ascii: "x") : shaHex[position])
    }
    return frame
  }

  /// Masks `body` with a random mask length and random mask characters from `rng`.
  public static func wrap(
    _ body: Span<UInt8>, ring: borrowing KeyRing, using rng: inout some RandomNumberGenerator
  ) -> [UInt8] {
    let length = Int.random(in: 1...maximumMaskLength, using: &rng)
    var mask: [UInt8] = []
    mask.reserveCapacity(length)
    while mask.count < length {
      // Rejection sampling over 248 = 4 x 62 keeps every character equally likely.
      let byte = UInt8(truncatingIfNeeded: rng.next() as UInt64)
      if byte < 248 { mask.append(KeyFile.alphabet[Int(byte % 62)]) }
    }
    return wrap(body, shaHex: ring.shaHex, mask: mask.span)
  }

  /// Checks a masked frame and returns its body.
  ///
  /// - Throws: ``ProtocolError/malformedFrame(_:)`` with ``FrameProblem/tooShort``,
  ///   ``FrameProblem/shaMismatch``, ``FrameProblem/invalidIdentifier`` or
  ///   ``FrameProblem/invalidMaskLength``.
  /// - Timing: the prefix and identifier are compared without data-dependent branches; the
  ///   body is then sliced at the (public, once checked) mask length.
  public static func unwrap(_ frame: Span<UInt8>, ring: borrowing KeyRing) throws(ProtocolError)
    -> [UInt8]
  {
    guard frame.count >= 2 * shaLength + 1 else { throw .malformedFrame(.tooShort) }
    let sha = ring.shaHex
    let identifierStart = frame.count - shaLength
    var prefixDifference: UInt32 = 0
    var identifierDifference: UInt32 = 0
    var length: UInt32 = 0
    for position in 0..<shaLength {
      prefixDifference |= UInt32(frame[position] ^ sha[position])
      let character = frame[identifierStart + position]
      let isX = ConstantTime.mask(isEqual: UInt32(character), UInt32(UInt8(ascii: "x")))
      let matchesSHA = ConstantTime.mask(isEqual: UInt32(character), UInt32(sha[position]))
      // An 'x' may stand only in positions 0...9; any other character must match the SHA-224.
      let allowedX = position < 10 ? isX : 0
      identifierDifference |= ~(allowedX | matchesSHA)
      if position < 10 { length |= (isX & 1) << UInt32(position) }
    }
    guard prefixDifference == 0 else { throw .malformedFrame(.shaMismatch) }
    guard identifierDifference == 0 else { throw .malformedFrame(.invalidIdentifier) }
    let maskLength = Int(length)
    guard maskLength >= 1, maskLength <= maximumMaskLength,
      shaLength + maskLength + shaLength <= frame.count
    else { throw .malformedFrame(.invalidMaskLength) }
    let bodyEnd = identifierStart - maskLength
    var body: [UInt8] = []
    body.reserveCapacity(bodyEnd - shaLength)
    for index in shaLength..<bodyEnd { body.append(frame[index]) }
    return body
  }
}
