// MultiFernet.swift: key rotation: encrypt with the first key, decrypt with any.
// Reference: pyca `cryptography.fernet.MultiFernet`.
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport
import Encodings

/// An ordered list of Fernet keys for rotation, like pyca's `MultiFernet`.
///
/// Tokens are made with the first (primary) key; a token made with any of the keys decrypts.
/// ``rotate(_:using:)`` re-encrypts a token under the primary key and keeps its original
/// timestamp, so old tokens can be moved to a new key before the old key is retired.
public struct MultiFernet: ~Copyable {
  private let rawKeys: SecretStorage<UInt8>

  /// The number of keys.
  public let keyCount: Int

  /// Creates a ring from keys in their text form, primary first.
  ///
  /// - Throws: ``FernetError/noKeys`` for an empty list, else the first key's error.
  public init(base64URLKeys keys: [String]) throws(FernetError) {
    guard !keys.isEmpty else { throw .noKeys }
    let storage = SecretStorage<UInt8>(repeating: 0, count: keys.count * FernetKey.byteCount)
    for (position, text) in keys.enumerated() {
      var bytes: [UInt8]
      do {
        bytes = try Base64URL.decode(text)
      } catch {
        throw .invalidKeyEncoding(error)
      }
      guard bytes.count == FernetKey.byteCount else {
        throw .invalidKeyLength(byteCount: bytes.count)
      }
      storage.withMutableSpan { target in
        for index in bytes.indices { target[position * FernetKey.byteCount + index] = bytes[index] }
      }
      for index in bytes.indices { bytes[index] = 0 }
    }
    rawKeys = storage
    keyCount = keys.count
  }

  /// Calls `body` with the key at `position`.
  private borrowing func withKey<R, E: Error>(
    _ position: Int, _ body: (borrowing FernetKey) throws(E) -> R
  ) throws(E) -> R {
    let start = position * FernetKey.byteCount
    let key = rawKeys.withSpan { span in
      FernetKey(checkedRawBytes: span.extracting(start..<(start + FernetKey.byteCount)))
    }
    return try body(key)
  }

  /// Encrypts with the primary key, an explicit time and a fresh IV from `rng`.
  ///
  /// - Timing: depends on the message length only.
  public borrowing func encrypt(
    _ message: Span<UInt8>, at timestamp: UInt64, using rng: inout some RandomNumberGenerator
  ) -> String {
    withKey(0) { $0.encrypt(message, at: timestamp, using: &rng) }
  }

  /// Decrypts a token made with any of the keys, without time checks.
  ///
  /// - Throws: ``FernetError/invalidToken`` when no key accepts the token.
  public borrowing func decrypt(_ token: String) throws(FernetError) -> [UInt8] {
    try decrypt(token, timeCheck: nil)
  }

  /// Decrypts a token made with any of the keys, with pyca's TTL and clock-skew checks.
  ///
  /// - Throws: ``FernetError/invalidToken``.
  public borrowing func decrypt(_ token: String, ttl: UInt64, now: UInt64) throws(FernetError)
    -> [UInt8]
  {
    try decrypt(token, timeCheck: (ttl, now))
  }

  /// The creation time of a token authenticated by any of the keys.
  ///
  /// - Throws: ``FernetError/invalidToken``.
  public borrowing func extractTimestamp(_ token: String) throws(FernetError) -> UInt64 {
    try withFirstAcceptingKey { (key) throws(FernetError) in try key.extractTimestamp(token) }
  }

  /// Re-encrypts a token made with any of the keys under the primary key, keeping its original
  /// timestamp and drawing a fresh IV from `rng` (pyca's `MultiFernet.rotate`).
  ///
  /// - Throws: ``FernetError/invalidToken`` when no key accepts the token.
  public borrowing func rotate(_ token: String, using rng: inout some RandomNumberGenerator)
    throws(FernetError) -> String
  {
    let data = try FernetKey.unverifiedData(Array(token.utf8).span)
    let timestamp = FernetKey.timestamp(of: data.span)
    let plaintext = try decryptVerified(data)
    return withKey(0) { $0.encrypt(plaintext.span, at: timestamp, using: &rng) }
  }

  private borrowing func decrypt(_ token: String, timeCheck: (ttl: UInt64, now: UInt64)?)
    throws(FernetError) -> [UInt8]
  {
    let ascii = Array(token.utf8)
    return try withFirstAcceptingKey { (key) throws(FernetError) in
      try key.decrypt(ascii.span, timeCheck: timeCheck)
    }
  }

  private borrowing func decryptVerified(_ data: [UInt8]) throws(FernetError) -> [UInt8] {
    try withFirstAcceptingKey { (key) throws(FernetError) in try key.decryptVerified(data.span) }
  }

  /// Tries `attempt` with each key in order and returns the first result.
  ///
  /// - Throws: ``FernetError/invalidToken`` when every key fails (which key failed how is not
  ///   told, as pyca does not tell).
  private borrowing func withFirstAcceptingKey<R>(
    _ attempt: (borrowing FernetKey) throws(FernetError) -> R
  ) throws(FernetError) -> R {
    for position in 0..<keyCount {
      if let result = try? withKey(position, attempt) { return result }
    }
    throw .invalidToken
  }
}
