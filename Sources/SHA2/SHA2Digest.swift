// SHA2Digest.swift: the digest of SHA-224 and SHA-256: a fixed number of bytes, compared in
// constant time.
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

/// A digest of `size` bytes (``SHA256Digest`` is `SHA2Digest<32>`, ``SHA224Digest`` is
/// `SHA2Digest<28>`), compared in constant time.
public struct SHA2Digest<let size: Int>: HashDigest {
  /// The digest length in bytes.
  public static var byteCount: Int { size }

  /// The digest bytes.
  public let bytes: InlineArray<size, UInt8>

  /// Wraps `size` digest bytes.
  public init(bytes: InlineArray<size, UInt8>) {
    self.bytes = bytes
  }

  /// Calls `body` with the digest bytes.
  public func withBytes<R, E: Error>(_ body: (Span<UInt8>) throws(E) -> R) throws(E) -> R {
    try body(bytes.span)
  }

  /// Compares two digests in constant time.
  public static func == (lhs: SHA2Digest, rhs: SHA2Digest) -> Bool {
    ConstantTime.equals(lhs.bytes.span, rhs.bytes.span)
  }
}
