// ByteOrder.swift: big-endian loads and stores shared by the hash and cipher modules.
// SPDX-License-Identifier: Apache-2.0

extension UInt32 {
  /// Reads four bytes at `offset` as a big-endian value.
  @inline(__always)
  package init(bigEndianBytes bytes: borrowing Span<UInt8>, at offset: Int) {
    self =
      UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
      | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
  }
}

extension Array where Element == UInt8 {
  /// Appends `value` as four big-endian bytes.
  @inline(__always)
  package mutating func appendBigEndian(_ value: UInt32) {
    append(UInt8(truncatingIfNeeded: value >> 24))
    append(UInt8(truncatingIfNeeded: value >> 16))
    append(UInt8(truncatingIfNeeded: value >> 8))
    append(UInt8(truncatingIfNeeded: value))
  }

  /// Appends `value` as eight big-endian bytes.
  @inline(__always)
  package mutating func appendBigEndian(_ value: UInt64) {
    appendBigEndian(UInt32(truncatingIfNeeded: value >> 32))
    appendBigEndian(UInt32(truncatingIfNeeded: value))
  }
}

extension InlineArray where Element == UInt8 {
  /// Writes `value` as four big-endian bytes at `offset`.
  ///
  /// Inlinable so that callers in other modules (the SHA-2 digests) get it specialized for
  /// their array size: called generically, each call looked up type metadata at run time.
  @inlinable @inline(__always)
  package mutating func storeBigEndian(_ value: UInt32, at offset: Int) {
    self[offset] = UInt8(truncatingIfNeeded: value >> 24)
    self[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
    self[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
    self[offset + 3] = UInt8(truncatingIfNeeded: value)
  }
}
