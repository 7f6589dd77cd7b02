// HashFunction.swift: the interface shared by SHA-224 and SHA-256 and used generically by HMAC.
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

/// The output of a hash function: a fixed number of bytes, compared in constant time.
public protocol HashDigest: Equatable, Sendable, Sequence, CustomStringConvertible
where Iterator == IndexingIterator<[UInt8]> {
  /// The digest length in bytes.
  static var byteCount: Int { get }

  /// Calls `body` with the digest bytes.
  func withBytes<R, E: Error>(_ body: (Span<UInt8>) throws(E) -> R) throws(E) -> R
}

extension HashDigest {
  /// The digest as lowercase hexadecimal text.
  ///
  /// - Timing: constant (digits are computed, not looked up).
  public var hexString: String {
    withBytes { HexDigits.string($0) }
  }

  /// The digest as lowercase hexadecimal text.
  public var description: String { hexString }

  /// An iterator over the digest bytes, so `Array(digest)` gives the bytes.
  public func makeIterator() -> IndexingIterator<[UInt8]> {
    withBytes { span in
      var array: [UInt8] = []
      array.reserveCapacity(span.count)
      for index in span.indices { array.append(span[index]) }
      return array.makeIterator()
    }
  }
}

/// A cryptographic hash function that can be fed incrementally.
///
/// The state is `Copyable` on purpose: a running state can be forked, for example to hash a common
/// prefix once (HMAC does this with its keyed pads).
public protocol HashFunction: Sendable {
  /// The type of the finished hash.
  associatedtype Digest: HashDigest

  /// The size of the blocks the compression function consumes, in bytes.
  static var blockByteCount: Int { get }

  /// Creates a state that has absorbed nothing.
  init()

  /// Absorbs `bytes`; any number of calls equals one call with the concatenation.
  ///
  /// - Timing: depends on the length only.
  mutating func update(_ bytes: Span<UInt8>)

  /// Pads, finishes and returns the digest; the state cannot be used afterwards.
  ///
  /// - Timing: constant for a given total length.
  consuming func finalize() -> Digest
}

extension HashFunction {
  /// Absorbs the bytes of an array.
  public mutating func update(_ bytes: [UInt8]) {
    update(bytes.span)
  }

  /// Hashes `bytes` in one call.
  ///
  /// - Timing: depends on the length only.
  public static func hash(_ bytes: Span<UInt8>) -> Digest {
    var state = Self()
    state.update(bytes)
    return state.finalize()
  }

  /// Hashes the bytes of an array in one call.
  public static func hash(_ bytes: [UInt8]) -> Digest {
    hash(bytes.span)
  }
}
