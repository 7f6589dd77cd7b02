// FernetKey+System.swift: Fernet with the system clock and the system's CSPRNG, the way
// pyca's `Fernet.generate_key()`, `encrypt()` and `decrypt(token, ttl)` work.
// SPDX-License-Identifier: Apache-2.0

import Fernet

extension FernetKey {
  /// Makes a new key from the operating system's cryptographically secure generator.
  public static func generate() -> FernetKey {
    var rng = SystemRandomNumberGenerator()
    return generate(using: &rng)
  }

  /// Encrypts `message` stamped with the current time and a random IV from the system CSPRNG
  /// (``systemRandomIV()``).
  ///
  /// - Timing: depends on the message length only.
  public borrowing func encrypt(_ message: Span<UInt8>) -> String {
    encrypt(message, at: SystemClock.unixSeconds(), iv: Self.systemRandomIV())
  }

  /// Encrypts the bytes of an array stamped with the current time and a random IV.
  public borrowing func encrypt(_ message: [UInt8]) -> String {
    encrypt(message.span)
  }

  /// Decrypts a token that must be at most `ttl` seconds old by the system clock.
  ///
  /// - Throws: ``FernetError/invalidToken``.
  public borrowing func decrypt(_ token: String, ttl: UInt64) throws(FernetError) -> [UInt8] {
    try decrypt(token, ttl: ttl, now: SystemClock.unixSeconds())
  }
}

extension MultiFernet {
  /// Encrypts with the primary key, the current time and a random IV from the system CSPRNG.
  public borrowing func encrypt(_ message: Span<UInt8>) -> String {
    var rng = SystemRandomNumberGenerator()
    return encrypt(message, at: SystemClock.unixSeconds(), using: &rng)
  }

  /// Re-encrypts a token under the primary key with a random IV, keeping its timestamp.
  ///
  /// - Throws: ``FernetError/invalidToken``.
  public borrowing func rotate(_ token: String) throws(FernetError) -> String {
    var rng = SystemRandomNumberGenerator()
    return try rotate(token, using: &rng)
  }
}
