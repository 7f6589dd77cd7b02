// HMAC.swift: keyed-hash message authentication, generic over the hash function.
// Reference: RFC 2104; FIPS 198-1.
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport
import SHA2

/// HMAC over any ``HashFunction`` (RFC 2104): `H((K ^ opad) || H((K ^ ipad) || message))`.
///
/// The keyed pads are absorbed once, in `init`, so one keyed value can authenticate many
/// messages: copy it, `update` the copy, `finalize` it.
///
/// ```swift
/// let key = SymmetricKey(copying: Array("key".utf8))
/// let tag = HMAC<SHA256>.authenticationCode(for: Array("message".utf8).span, using: key)
/// ```
public struct HMAC<H: HashFunction>: Sendable {
  private var inner: H
  private var outer: H

  /// Starts an authentication code keyed with `key`.
  ///
  /// - Parameter key: The key, any length; keys longer than a block are hashed first.
  /// - Timing: depends on the key length only.
  public init(key: Span<UInt8>) {
    // RFC 2104 §2: K0 is the key, or its hash when longer than a block, padded with zeros.
    var block = [UInt8](repeating: 0, count: H.blockByteCount)
    if key.count > H.blockByteCount {
      H.hash(key).withBytes { digest in
        for index in digest.indices { block[index] = digest[index] }
      }
    } else {
      for index in key.indices { block[index] = key[index] }
    }
    for index in block.indices { block[index] ^= 0x36 }
    inner = H()
    inner.update(block.span)
    // 0x36 ^ 0x5c turns the inner pad into the outer pad in place.
    for index in block.indices { block[index] ^= 0x36 ^ 0x5c }
    outer = H()
    outer.update(block.span)
    for index in block.indices { block[index] = 0 }
  }

  /// Starts an authentication code keyed with `key`.
  public init(key: borrowing SymmetricKey) {
    self = key.withBytes { HMAC(key: $0) }
  }

  /// Absorbs message bytes; any number of calls equals one call with the concatenation.
  ///
  /// - Timing: depends on the length only.
  public mutating func update(_ bytes: Span<UInt8>) {
    inner.update(bytes)
  }

  /// Absorbs the bytes of an array.
  public mutating func update(_ bytes: [UInt8]) {
    inner.update(bytes.span)
  }

  /// Finishes and returns the authentication code.
  ///
  /// - Timing: constant for a given message length.
  public consuming func finalize() -> AuthenticationCode<H> {
    let innerDigest = inner.finalize()
    innerDigest.withBytes { outer.update($0) }
    return AuthenticationCode(digest: outer.finalize())
  }

  /// Computes the authentication code of `message` in one call.
  ///
  /// - Timing: depends on the lengths of key and message only.
  public static func authenticationCode(
    for message: Span<UInt8>, using key: borrowing SymmetricKey
  ) -> AuthenticationCode<H> {
    var state = HMAC(key: key)
    state.update(message)
    return state.finalize()
  }

  /// Checks, in constant time, that `code` authenticates `message` under `key`.
  ///
  /// - Parameters:
  ///   - code: The received tag; a tag of the wrong length is simply invalid.
  ///   - message: The message the tag should authenticate.
  ///   - key: The key.
  /// - Returns: `true` when the tag is valid.
  /// - Timing: depends on the lengths only, never on where the tags differ.
  public static func isValidAuthenticationCode(
    _ code: Span<UInt8>, authenticating message: Span<UInt8>, using key: borrowing SymmetricKey
  ) -> Bool {
    authenticationCode(for: message, using: key).matches(code)
  }
}

extension HMAC {
  /// Computes the authentication code of the bytes of an array in one call.
  public static func authenticationCode(
    for message: [UInt8], using key: borrowing SymmetricKey
  ) -> AuthenticationCode<H> {
    authenticationCode(for: message.span, using: key)
  }

  /// Checks, in constant time, that `code` authenticates `message` under `key`.
  ///
  /// - Timing: depends on the lengths only.
  public static func isValidAuthenticationCode(
    _ code: [UInt8], authenticating message: [UInt8], using key: borrowing SymmetricKey
  ) -> Bool {
    isValidAuthenticationCode(code.span, authenticating: message.span, using: key)
  }
}

extension HMAC where H == SHA256 {
  /// The SHA-256 chaining values H(K ^ ipad) and H(K ^ opad) computed in `init`, for this
  /// package's code that runs several HMACs side by side (the nested Fernet layers). Only
  /// meaningful before any `update`.
  package var padChainingValues: (inner: InlineArray<8, UInt32>, outer: InlineArray<8, UInt32>) {
    (inner.chainingValue, outer.chainingValue)
  }
}

/// An HMAC tag: the outer hash's digest, compared in constant time.
public struct AuthenticationCode<H: HashFunction>: Equatable, Sendable, CustomStringConvertible {
  /// The tag as a digest of the underlying hash.
  public let digest: H.Digest

  /// Wraps a finished digest.
  public init(digest: H.Digest) {
    self.digest = digest
  }

  /// The tag length in bytes.
  public var byteCount: Int { H.Digest.byteCount }

  /// The tag bytes.
  public var bytes: [UInt8] { Array(digest) }

  /// The tag as lowercase hexadecimal text.
  public var description: String { digest.hexString }

  /// Calls `body` with the tag bytes.
  public func withBytes<R, E: Error>(_ body: (Span<UInt8>) throws(E) -> R) throws(E) -> R {
    try digest.withBytes(body)
  }

  /// Compares this tag with received bytes in constant time.
  ///
  /// - Timing: depends on the lengths only.
  public func matches(_ received: Span<UInt8>) -> Bool {
    digest.withBytes { ConstantTime.equals($0, received) }
  }

  /// Compares two tags in constant time.
  public static func == (lhs: AuthenticationCode, rhs: AuthenticationCode) -> Bool {
    lhs.digest == rhs.digest
  }
}
