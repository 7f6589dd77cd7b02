// Nonce.swift: the 256-bit nonces of the clock-free modes, written in frames as 64 lowercase
// hexadecimal digits.
// Reference: docs/PROTOCOL.md §2.
// SPDX-License-Identifier: Apache-2.0

/// A 32-byte nonce drawn from the injected random number generator (the CSPRNG outside tests).
///
/// In frames a nonce is 64 lowercase hexadecimal digits; parsing accepts nothing else, so each
/// nonce has exactly one spelling.
public struct Nonce: Hashable, Sendable, CustomStringConvertible {
  /// The length of a nonce in bytes.
  public static let byteCount = 32
  /// The length of a nonce's wire form: 64 hexadecimal digits.
  public static let hexLength = 64

  // The 32 bytes as four big-endian words, so that hashing and comparing are cheap.
  private let words: (UInt64, UInt64, UInt64, UInt64)

  /// A fresh nonce of 256 random bits from `rng`.
  public init(using rng: inout some RandomNumberGenerator) {
    words = (rng.next(), rng.next(), rng.next(), rng.next())
  }

  /// A nonce from 32 bytes, or `nil` when there are not 32.
  public init?(bytes: [UInt8]) {
    guard bytes.count == Self.byteCount else { return nil }
    var values: [UInt64] = [0, 0, 0, 0]
    for index in 0..<Self.byteCount {
      values[index / 8] = values[index / 8] << 8 | UInt64(bytes[index])
    }
    words = (values[0], values[1], values[2], values[3])
  }

  /// Parses exactly 64 lowercase hexadecimal digits, or returns `nil`.
  public init?(hex: Span<UInt8>) {
    guard hex.count == Self.hexLength else { return nil }
    var values: [UInt64] = [0, 0, 0, 0]
    for index in 0..<Self.hexLength {
      let byte = hex[index]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      default: return nil
      }
      values[index / 16] = values[index / 16] << 4 | UInt64(digit)
    }
    words = (values[0], values[1], values[2], values[3])
  }

  /// The 32 bytes.
  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(Self.byteCount)
    for word in [words.0, words.1, words.2, words.3] {
      for shift in stride(from: 56, through: 0, by: -8) {
        out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
      }
    }
    return out
  }

  /// The wire form: 64 lowercase hexadecimal digits.
  public var hex: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(Self.hexLength)
    appendHex(to: &out)
    return out
  }

  /// Appends the 64 lowercase hexadecimal digits to `out`.
  public func appendHex(to out: inout [UInt8]) {
    for word in [words.0, words.1, words.2, words.3] {
      for shift in stride(from: 60, through: 0, by: -4) {
        let digit = UInt8(truncatingIfNeeded: word >> UInt64(shift)) & 15
        out.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
      }
    }
  }

  /// The wire form as text.
  public var description: String { String(decoding: hex, as: UTF8.self) }

  /// Compares the 256 bits.
  public static func == (lhs: Nonce, rhs: Nonce) -> Bool {
    lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
      && lhs.words.3 == rhs.words.3
  }

  /// Hashes the 256 bits.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(words.0)
    hasher.combine(words.1)
    hasher.combine(words.2)
    hasher.combine(words.3)
  }

  /// Reads `count` nonces from the start of `payload`; `nil` if it is shorter or any is not
  /// 64 lowercase hexadecimal digits. The rest of the payload follows them.
  static func leading(_ count: Int, of payload: [UInt8]) -> [Nonce]? {
    guard payload.count >= count * hexLength else { return nil }
    var nonces: [Nonce] = []
    for index in 0..<count {
      let start = index * hexLength
      guard let nonce = Nonce(hex: payload.span.extracting(start..<(start + hexLength))) else {
        return nil
      }
      nonces.append(nonce)
    }
    return nonces
  }
}

/// A handshake pair: the client's `Nonce_1` and the server's `Nonce_2`.
public struct NoncePair: Hashable, Sendable {
  /// The client's nonce from `hs1`.
  public let first: Nonce
  /// The server's nonce from `hs2`.
  public let second: Nonce

  /// A pair.
  public init(first: Nonce, second: Nonce) {
    self.first = first
    self.second = second
  }
}
