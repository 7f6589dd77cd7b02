// SHA256.swift: SHA-256 and its digest.
// Reference: FIPS 180-4 §5.3.3 (initial value), §6.2 (computation).
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

/// The SHA-256 hash function (FIPS 180-4).
///
/// ```swift
/// let digest = SHA256.hash(Array("abc".utf8))
/// print(digest)  // ba7816bf...
/// ```
public struct SHA256: HashFunction {
  /// The compression function consumes 64-byte blocks.
  public static let blockByteCount = 64

  /// The digest length in bytes.
  public static let byteCount = 32

  private var engine: SHA256Engine

  /// Creates a state that has absorbed nothing.
  public init() {
    // FIPS 180-4 §5.3.3: the fractional parts of the square roots of the first eight primes.
    engine = SHA256Engine(initialState: [
      0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
      0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ])
  }

  /// Absorbs `bytes`.
  ///
  /// - Timing: depends on the length only.
  public mutating func update(_ bytes: Span<UInt8>) {
    engine.update(bytes)
  }

  /// Pads and returns the digest.
  ///
  /// - Timing: constant for a given total length.
  public consuming func finalize() -> SHA256Digest {
    let words = engine.finish()
    var bytes = InlineArray<32, UInt8>(repeating: 0)
    for index in 0..<8 {
      bytes.storeBigEndian(words[index], at: index * 4)
    }
    return SHA256Digest(bytes: bytes)
  }
}

/// A SHA-256 digest: 32 bytes, compared in constant time.
public struct SHA256Digest: HashDigest {
  /// The digest length in bytes.
  public static let byteCount = 32

  /// The digest bytes.
  public let bytes: InlineArray<32, UInt8>

  /// Wraps 32 digest bytes.
  public init(bytes: InlineArray<32, UInt8>) {
    self.bytes = bytes
  }

  /// Calls `body` with the digest bytes.
  public func withBytes<R, E: Error>(_ body: (Span<UInt8>) throws(E) -> R) throws(E) -> R {
    try body(bytes.span)
  }

  /// Compares two digests in constant time.
  public static func == (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
    ConstantTime.equals(lhs.bytes.span, rhs.bytes.span)
  }
}
