// SHA224.swift: SHA-224 and its digest.
// Reference: FIPS 180-4 §5.3.2 (initial value), §6.3 (computation: SHA-256 truncated to 224 bits).
// SPDX-License-Identifier: Apache-2.0

/// The SHA-224 hash function (FIPS 180-4): SHA-256 with other initial values, truncated to
/// 28 bytes.
public struct SHA224: HashFunction {
  /// The compression function consumes 64-byte blocks.
  public static let blockByteCount = 64

  /// The digest length in bytes.
  public static let byteCount = 28

  private var engine: SHA256Engine

  /// Creates a state that has absorbed nothing.
  public init() {
    // FIPS 180-4 §5.3.2: the second 32 bits of the fractional parts of the square roots of the
    // ninth through sixteenth primes.
    engine = SHA256Engine(initialState: [
      0xc105_9ed8, 0x367c_d507, 0x3070_dd17, 0xf70e_5939,
      0xffc0_0b31, 0x6858_1511, 0x64f9_8fa7, 0xbefa_4fa4,
    ])
  }

  /// Absorbs `bytes`.
  ///
  /// - Timing: depends on the length only.
  public mutating func update(_ bytes: Span<UInt8>) {
    engine.update(bytes)
  }

  /// Pads and returns the digest (the first seven state words).
  ///
  /// - Timing: constant for a given total length.
  public consuming func finalize() -> SHA224Digest {
    SHA224Digest(bytes: engine.finish())
  }
}

/// A SHA-224 digest: 28 bytes, compared in constant time.
public typealias SHA224Digest = SHA2Digest<28>
