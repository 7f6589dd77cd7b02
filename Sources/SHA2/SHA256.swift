// SHA256.swift: SHA-256 and its digest.
// Reference: FIPS 180-4 §5.3.3 (initial value), §6.2 (computation).
// SPDX-License-Identifier: Apache-2.0

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

  /// The initial hash value H(0) (FIPS 180-4 §5.3.3: the fractional parts of the square roots
  /// of the first eight primes).
  package static let initialState: InlineArray<8, UInt32> = [
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
    0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
  ]

  private var engine: SHA256Engine

  /// Creates a state that has absorbed nothing.
  public init() {
    engine = SHA256Engine(initialState: Self.initialState)
  }

  /// The chaining value after the whole blocks absorbed so far (see
  /// `SHA256Engine.chainingValue`), for this package's multi-lane hashing.
  package var chainingValue: InlineArray<8, UInt32> {
    engine.chainingValue
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
    SHA256Digest(bytes: engine.finish())
  }
}

/// A SHA-256 digest: 32 bytes, compared in constant time.
public typealias SHA256Digest = SHA2Digest<32>
