// SymmetricKey.swift: an owned, self-wiping secret key of any length.
// SPDX-License-Identifier: Apache-2.0

/// A secret key: bytes with a single owner that are overwritten with zeros when it goes away.
///
/// `SymmetricKey` is `~Copyable`: passing it moves it or lends it (`borrowing`), so no silent
/// copies of the key are made. Read the bytes with ``withBytes(_:)``.
public struct SymmetricKey: ~Copyable {
  private let storage: SecretStorage<UInt8>?

  /// The key length in bytes (may be zero).
  public let byteCount: Int

  /// Creates a key holding a copy of `bytes`.
  ///
  /// - Parameter bytes: The key material; any length, including zero.
  /// - Timing: depends on the length only.
  public init(copying bytes: Span<UInt8>) {
    byteCount = bytes.count
    guard bytes.count > 0 else {
      storage = nil
      return
    }
    let buffer = SecretStorage<UInt8>(repeating: 0, count: bytes.count)
    buffer.withMutableSpan { target in
      for index in bytes.indices { target[index] = bytes[index] }
    }
    storage = buffer
  }

  /// Creates a key holding a copy of `bytes`.
  public init(copying bytes: [UInt8]) {
    self.init(copying: bytes.span)
  }

  /// Creates a key of `byteCount` random bytes.
  ///
  /// - Parameters:
  ///   - byteCount: The key length in bytes.
  ///   - rng: The source of randomness; pass `SystemRandomNumberGenerator` outside tests.
  public init(byteCount: Int, using rng: inout some RandomNumberGenerator) {
    precondition(byteCount >= 0, "a key cannot have a negative length")
    self.byteCount = byteCount
    guard byteCount > 0 else {
      storage = nil
      return
    }
    let buffer = SecretStorage<UInt8>(repeating: 0, count: byteCount)
    buffer.withMutableSpan { target in
      for index in target.indices { target[index] = rng.next() }
    }
    storage = buffer
  }

  /// Calls `body` with the key bytes; the view is valid only inside `body`.
  ///
  /// - Timing: constant.
  public borrowing func withBytes<R, E: Error>(_ body: (Span<UInt8>) throws(E) -> R) throws(E) -> R
  {
    switch storage {
    case .some(let buffer):
      return try buffer.withSpan(body)
    case .none:
      let empty: [UInt8] = []
      return try body(empty.span)
    }
  }
}
