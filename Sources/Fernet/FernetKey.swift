// FernetKey.swift: a Fernet key, and token encryption and decryption with it.
// Reference: the Fernet specification (github.com/fernet/spec, Spec.md) and the behaviour of
// pyca `cryptography.fernet` (decryption rules, 60-second clock skew).
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import CryptoSupport
import Encodings
import MessageAuthentication
import SHA2

/// A Fernet key: 16 bytes for HMAC-SHA256 signing followed by 16 bytes for AES-128-CBC.
///
/// A token is `base64url(0x80 || timestamp (8, big-endian) || IV (16) || ciphertext || HMAC (32))`
/// with `=` padding, where the HMAC covers everything before it. Tokens made here are accepted
/// by Python's `cryptography.fernet` and the other way round.
///
/// The key is `~Copyable` and wipes its bytes when it goes away. The core reads no clock and makes
/// no randomness: pass the time and an IV or a generator (the `HostSystem` module adds forms that
/// use the system clock and random source).
///
/// ```swift
/// let key = try FernetKey(base64URL: "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=")
/// let token = key.encrypt(Array("hello".utf8).span, at: 499_162_800, iv: iv)
/// let plaintext = try key.decrypt(token)
/// ```
public struct FernetKey: ~Copyable {
  /// The size of a raw key.
  public static let byteCount = 32

  /// The spec's version byte.
  static let version: UInt8 = 0x80
  /// Version, timestamp and IV.
  static let headerByteCount = 25
  /// The HMAC-SHA256 tag.
  static let tagByteCount = 32
  /// pyca's maximum clock skew: a token stamped more than this far in the future is refused.
  public static let maximumClockSkew: UInt64 = 60

  private let rawKey: SecretStorage<UInt8>
  /// HMAC-SHA256 keyed with the signing key (FernetKey+Nesting.swift takes its pad states).
  let signer: HMAC<SHA256>
  /// The AES-128 cipher with the encryption key expanded (also used by FernetKey+Nesting.swift).
  let cipher: AES128

  /// Creates a key from its 32 raw bytes.
  ///
  /// - Throws: ``FernetError/invalidKeyLength(byteCount:)`` unless `rawBytes` has 32 bytes.
  /// - Timing: constant.
  public init(rawBytes: Span<UInt8>) throws(FernetError) {
    guard rawBytes.count == Self.byteCount else {
      throw .invalidKeyLength(byteCount: rawBytes.count)
    }
    self.init(checkedRawBytes: rawBytes)
  }

  /// Creates a key from exactly 32 bytes; for callers that have checked the length already.
  package init(checkedRawBytes rawBytes: Span<UInt8>) {
    precondition(rawBytes.count == Self.byteCount, "a Fernet key has 32 bytes")
    let storage = SecretStorage<UInt8>(repeating: 0, count: Self.byteCount)
    var encryptionKey = InlineArray<16, UInt8>(repeating: 0)
    storage.withMutableSpan { target in
      for index in rawBytes.indices { target[index] = rawBytes[index] }
    }
    for index in 0..<16 { encryptionKey[index] = rawBytes[16 + index] }
    signer = HMAC<SHA256>(key: rawBytes.extracting(0..<16))
    cipher = AES128(key: encryptionKey)
    rawKey = storage
  }

  /// Creates a key from its 32 raw bytes.
  public init(rawBytes: [UInt8]) throws(FernetError) {
    try self.init(rawBytes: rawBytes.span)
  }

  /// Creates a key from its text form: 44 characters of canonical url-safe base64 with padding.
  ///
  /// - Throws: ``FernetError/invalidKeyEncoding(_:)`` or
  ///   ``FernetError/invalidKeyLength(byteCount:)``.
  /// - Timing: depends on the text length only (decoding is table-free).
  public init(base64URL text: String) throws(FernetError) {
    var bytes: [UInt8]
    do {
      bytes = try Base64URL.decode(text)
    } catch {
      throw .invalidKeyEncoding(error)
    }
    defer {
      for index in bytes.indices { bytes[index] = 0 }
    }
    try self.init(rawBytes: bytes.span)
  }

  /// Makes a new key from `rng` (pass `SystemRandomNumberGenerator` outside tests).
  public static func generate(using rng: inout some RandomNumberGenerator) -> FernetKey {
    var bytes = [UInt8](repeating: 0, count: byteCount)
    for index in bytes.indices { bytes[index] = rng.next() }
    defer {
      for index in bytes.indices { bytes[index] = 0 }
    }
    return FernetKey(checkedRawBytes: bytes.span)
  }

  /// The key's text form: 44 characters of url-safe base64 with padding.
  ///
  /// - Timing: constant.
  public borrowing func base64URL() -> String {
    rawKey.withSpan { Base64URL.encode($0) }
  }

  // MARK: - Encryption

  /// The length of the token text for a message of `messageByteCount` bytes.
  ///
  /// - Timing: constant.
  public static func tokenLength(forMessageByteCount messageByteCount: Int) -> Int {
    let ciphertext = (messageByteCount / 16 + 1) * 16
    return Base64URL.encodedCount(of: headerByteCount + ciphertext + tagByteCount)
  }

  /// Encrypts `message` with an explicit time and IV, returning the token as ASCII bytes.
  ///
  /// - Parameters:
  ///   - message: The plaintext.
  ///   - timestamp: The token's creation time in Unix seconds.
  ///   - iv: The 16-byte CBC initialisation vector; it must be unpredictable (random) for each
  ///     token, which ``encrypt(_:at:using:)`` ensures.
  /// - Returns: The token text as ASCII bytes, with `=` padding.
  /// - Timing: depends on the message length only.
  public borrowing func encryptToASCII(
    _ message: Span<UInt8>, at timestamp: UInt64, iv: InlineArray<16, UInt8>
  ) -> [UInt8] {
    var text = [UInt8](
      repeating: 0, count: Self.tokenLength(forMessageByteCount: message.count))
    var span = text.mutableSpan
    encrypt(message, at: timestamp, iv: iv, into: &span)
    return text
  }

  /// Encrypts `message` into the first ``tokenLength(forMessageByteCount:)`` bytes of
  /// `output`, as ASCII text, without any other buffer.
  ///
  /// The token's bytes are built at the end of that region (header, then the padded message,
  /// encrypted in place, then the tag) and base64-encoded in place towards its start (see
  /// `Base64URL.encodeInPlace`), so the only copy of the message is the one CBC encrypts.
  ///
  /// - Timing: depends on the message length only.
  package borrowing func encrypt(
    _ message: Span<UInt8>, at timestamp: UInt64, iv: InlineArray<16, UInt8>,
    into output: inout MutableSpan<UInt8>
  ) {
    let ciphertextCount = (message.count / 16 + 1) * 16
    let rawCount = Self.headerByteCount + ciphertextCount + Self.tagByteCount
    let start = Base64URL.encodedCount(of: rawCount) - rawCount
    let bodyStart = start + Self.headerByteCount
    let tagStart = bodyStart + ciphertextCount
    precondition(output.count >= start + rawCount, "the output holds the token")
    output[start] = Self.version
    for index in 0..<8 {
      output[start + 1 + index] = UInt8(truncatingIfNeeded: timestamp >> (56 - 8 * UInt64(index)))
    }
    for index in 0..<16 { output[start + 9 + index] = iv[index] }
    for index in message.indices { output[bodyStart + index] = message[index] }
    let padding = UInt8(truncatingIfNeeded: ciphertextCount - message.count)
    for index in message.count..<ciphertextCount { output[bodyStart + index] = padding }
    var chain = iv
    CBC.encryptBlocks(&output, in: bodyStart..<tagStart, chaining: &chain, with: cipher)
    var mac = signer
    mac.update(output.span.extracting(start..<tagStart))
    mac.finalize().withBytes { tag in
      for index in tag.indices { output[tagStart + index] = tag[index] }
    }
    Base64URL.encodeInPlace(&output, count: rawCount)
  }

  /// Encrypts `message` with an explicit time and IV.
  ///
  /// - Returns: The token text, with `=` padding.
  /// - Timing: depends on the message length only.
  public borrowing func encrypt(
    _ message: Span<UInt8>, at timestamp: UInt64, iv: InlineArray<16, UInt8>
  ) -> String {
    String(decoding: encryptToASCII(message, at: timestamp, iv: iv), as: UTF8.self)
  }

  /// Encrypts `message` with an explicit time and a fresh IV drawn from `rng`.
  ///
  /// - Timing: depends on the message length only.
  public borrowing func encrypt(
    _ message: Span<UInt8>, at timestamp: UInt64, using rng: inout some RandomNumberGenerator
  ) -> String {
    encrypt(message, at: timestamp, iv: Self.randomIV(using: &rng))
  }

  /// Encrypts the bytes of an array with an explicit time and a fresh IV drawn from `rng`.
  public borrowing func encrypt(
    _ message: [UInt8], at timestamp: UInt64, using rng: inout some RandomNumberGenerator
  ) -> String {
    encrypt(message.span, at: timestamp, iv: Self.randomIV(using: &rng))
  }

  /// Sixteen bytes from `rng`.
  public static func randomIV(using rng: inout some RandomNumberGenerator) -> InlineArray<16, UInt8>
  {
    var iv = InlineArray<16, UInt8>(repeating: 0)
    let high = rng.next() as UInt64
    let low = rng.next() as UInt64
    for index in 0..<8 {
      iv[index] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(index)))
      iv[8 + index] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(index)))
    }
    return iv
  }

  // MARK: - Decryption

  /// Decrypts a token without any time check (pyca's `decrypt(token)` with no TTL).
  ///
  /// - Throws: ``FernetError/invalidToken`` for anything wrong with the token.
  /// - Timing: depends on the token length; the tag is checked in constant time before any
  ///   decryption, and padding is checked in constant time.
  public borrowing func decrypt(_ token: String) throws(FernetError) -> [UInt8] {
    try decrypt(Array(token.utf8).span, timeCheck: nil)
  }

  /// Decrypts a token given as ASCII bytes, without any time check.
  ///
  /// - Throws: ``FernetError/invalidToken``.
  public borrowing func decrypt(_ token: Span<UInt8>) throws(FernetError) -> [UInt8] {
    try decrypt(token, timeCheck: nil)
  }

  /// Decrypts a token that must not be older than `ttl` seconds at time `now`, nor stamped more
  /// than 60 seconds after `now` (pyca's `decrypt(token, ttl)` rules).
  ///
  /// - Throws: ``FernetError/invalidToken``.
  public borrowing func decrypt(_ token: String, ttl: UInt64, now: UInt64) throws(FernetError)
    -> [UInt8]
  {
    try decrypt(Array(token.utf8).span, timeCheck: (ttl, now))
  }

  /// Decrypts a token given as ASCII bytes, with pyca's time checks.
  ///
  /// - Throws: ``FernetError/invalidToken``.
  public borrowing func decrypt(_ token: Span<UInt8>, ttl: UInt64, now: UInt64)
    throws(FernetError) -> [UInt8]
  {
    try decrypt(token, timeCheck: (ttl, now))
  }

  /// The creation time of an authentic token, in Unix seconds (pyca's `extract_timestamp`).
  ///
  /// - Throws: ``FernetError/invalidToken`` when the token is malformed or its tag is wrong.
  public borrowing func extractTimestamp(_ token: String) throws(FernetError) -> UInt64 {
    let data = try Self.unverifiedData(Array(token.utf8).span)
    try verifyTag(data.span)
    return Self.timestamp(of: data.span)
  }

  /// Checks the tag and decrypts, in the order of DESIGN.md §7: decode, version, length and
  /// alignment, time, HMAC (constant time), then decrypt and unpad (constant time).
  borrowing func decrypt(_ token: Span<UInt8>, timeCheck: (ttl: UInt64, now: UInt64)?)
    throws(FernetError) -> [UInt8]
  {
    let data = try Self.unverifiedData(token)
    let timestamp = Self.timestamp(of: data.span)
    if let (ttl, now) = timeCheck {
      let (expiry, overflow) = timestamp.addingReportingOverflow(ttl)
      if !overflow && expiry < now { throw .invalidToken }
      let (latest, skewOverflow) = now.addingReportingOverflow(Self.maximumClockSkew)
      if !skewOverflow && latest < timestamp { throw .invalidToken }
    }
    return try decryptVerified(data.span)
  }

  /// Verifies the tag of decoded token bytes, then decrypts them.
  borrowing func decryptVerified(_ data: Span<UInt8>) throws(FernetError) -> [UInt8] {
    try verifyTag(data)
    var iv = InlineArray<16, UInt8>(repeating: 0)
    for index in 0..<16 { iv[index] = data[9 + index] }
    let ciphertext = data.extracting(Self.headerByteCount..<(data.count - Self.tagByteCount))
    do {
      return try CBC.decrypt(unpadding: ciphertext, iv: iv, with: cipher)
    } catch {
      throw .invalidToken
    }
  }

  /// Throws unless the last 32 bytes are the HMAC-SHA256 of the rest (constant-time compare).
  borrowing func verifyTag(_ data: Span<UInt8>) throws(FernetError) {
    let signedCount = data.count - Self.tagByteCount
    var mac = signer
    mac.update(data.extracting(0..<signedCount))
    guard mac.finalize().matches(data.extracting(signedCount..<data.count)) else {
      throw .invalidToken
    }
  }

  /// Decodes a token and checks what needs no key: encoding, version byte, and a length that
  /// holds a header, at least one ciphertext block and a tag, with whole blocks.
  static func unverifiedData(_ token: Span<UInt8>) throws(FernetError) -> [UInt8] {
    let data: [UInt8]
    do {
      data = try Base64URL.decode(token)
    } catch {
      throw .invalidToken
    }
    let ciphertextCount = data.count - headerByteCount - tagByteCount
    guard data.first == version, ciphertextCount >= 16, ciphertextCount % 16 == 0 else {
      throw .invalidToken
    }
    return data
  }

  /// The big-endian timestamp at bytes 1..<9 of decoded token bytes.
  static func timestamp(of data: Span<UInt8>) -> UInt64 {
    var value: UInt64 = 0
    for index in 1..<9 { value = value << 8 | UInt64(data[index]) }
    return value
  }
}
