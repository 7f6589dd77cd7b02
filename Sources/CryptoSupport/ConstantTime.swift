// ConstantTime.swift: comparisons and selections whose running time does not depend on the
// values compared, only on public lengths.
// Technique: BearSSL "Constant-Time Crypto" (bearssl.org/constanttime.html); masks are built with
// arithmetic, never with a branch or a table indexed by secret data.
// SPDX-License-Identifier: Apache-2.0

/// Branch-free comparisons and selections for secret data.
///
/// Every function here runs in time that depends only on the lengths of its inputs, never on
/// their contents. Results that must stay secret are returned as masks (all ones or all zeros)
/// so that callers can combine them without branching.
public enum ConstantTime {
  /// Compares two byte sequences without revealing where they differ.
  ///
  /// - Parameters:
  ///   - a: The first sequence.
  ///   - b: The second sequence.
  /// - Returns: `true` when both have the same length and the same bytes.
  /// - Timing: depends on the lengths only; unequal lengths return at once (lengths are public).
  public static func equals(_ a: Span<UInt8>, _ b: Span<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices {
      difference |= a[index] ^ b[index]
    }
    return isZero(UInt32(difference)) != 0
  }

  /// Compares two byte arrays without revealing where they differ.
  ///
  /// - Returns: `true` when both have the same length and the same bytes.
  /// - Timing: as ``equals(_:_:)-(Span<UInt8>,Span<UInt8>)``.
  public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    equals(a.span, b.span)
  }

  /// Returns all ones when `value` is zero, else zero.
  ///
  /// - Timing: constant.
  @inline(__always)
  public static func isZero(_ value: UInt32) -> UInt32 {
    // (value | -value) has its top bit set exactly when value != 0. Shift it down to 0 or 1,
    // then turn 1 into 0 and 0 into all ones by subtracting from 1 with wrap-around.
    let nonZeroBit = (value | (0 &- value)) >> 31
    return nonZeroBit &- 1
  }

  /// Returns all ones when `a == b`, else zero.
  ///
  /// - Timing: constant.
  @inline(__always)
  public static func mask(isEqual a: UInt32, _ b: UInt32) -> UInt32 {
    isZero(a ^ b)
  }

  /// Returns all ones when `a < b` (unsigned), else zero.
  ///
  /// - Timing: constant.
  @inline(__always)
  public static func mask(isLess a: UInt32, _ b: UInt32) -> UInt32 {
    // Compute in 64 bits: the borrow of a - b lands in the high half exactly when a < b.
    let difference = UInt64(a) &- UInt64(b)
    return UInt32(truncatingIfNeeded: difference >> 32)
  }

  /// Returns `a` where `mask` is all ones and `b` where it is zero.
  ///
  /// - Parameter mask: All ones or all zeros, as produced by the other functions here.
  /// - Timing: constant.
  @inline(__always)
  public static func select(mask: UInt32, _ a: UInt32, _ b: UInt32) -> UInt32 {
    b ^ (mask & (a ^ b))
  }
}
