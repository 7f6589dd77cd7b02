// ReferenceAES.swift: a plain textbook AES-128 with S-box tables, written straight from the
// standard, for cross-checking the bitsliced implementation on random inputs. TEST ONLY: its
// table lookups are indexed by secret bytes, so its timing leaks the key.
// Reference: FIPS 197 §5.1 (Cipher), §5.2 (KeyExpansion), §5.3 (InvCipher).
// SPDX-License-Identifier: Apache-2.0

/// A deliberately simple, table-based AES-128 (not constant time; for tests only).
///
/// The S-box is computed from its definition (FIPS 197 §5.1.1: the multiplicative inverse in
/// GF(2^8) followed by the affine map), not copied from a listing, so that it is independent of
/// the Boolean circuit used by `AES128`.
public struct ReferenceAES: Sendable {
  /// The forward S-box.
  public static let sBox: [UInt8] = {
    var table = [UInt8](repeating: 0, count: 256)
    for value in 0..<256 {
      let inverse = multiplicativeInverse(UInt8(value))
      var result: UInt8 = 0x63
      for shift in 0..<5 {
        result ^= rotateLeft(inverse, by: shift)
      }
      table[value] = result
    }
    return table
  }()

  /// The inverse S-box.
  public static let inverseSBox: [UInt8] = {
    var table = [UInt8](repeating: 0, count: 256)
    for value in 0..<256 {
      table[Int(sBox[value])] = UInt8(value)
    }
    return table
  }()

  /// The 11 round keys, 16 bytes each, as bytes in FIPS 197 order.
  public let roundKeys: [[UInt8]]

  /// Expands a 16-byte key.
  public init(key: [UInt8]) {
    precondition(key.count == 16, "AES-128 needs a 16-byte key")
    var words: [[UInt8]] = (0..<4).map { Array(key[(4 * $0)..<(4 * $0 + 4)]) }
    var roundConstant: UInt8 = 1
    for index in 4..<44 {
      var temp = words[index - 1]
      if index % 4 == 0 {
        temp = [temp[1], temp[2], temp[3], temp[0]].map { ReferenceAES.sBox[Int($0)] }
        temp[0] ^= roundConstant
        roundConstant = ReferenceAES.multiply(roundConstant, 2)
      }
      words.append(zip(words[index - 4], temp).map { $0 ^ $1 })
    }
    roundKeys = (0..<11).map { round in Array(words[(4 * round)..<(4 * round + 4)].joined()) }
  }

  /// Encrypts one 16-byte block.
  public func encrypt(_ block: [UInt8]) -> [UInt8] {
    precondition(block.count == 16, "AES blocks are 16 bytes")
    var state = addRoundKey(block, 0)
    for round in 1...10 {
      state = state.map { ReferenceAES.sBox[Int($0)] }
      state = ReferenceAES.shiftRows(state)
      if round < 10 {
        state = ReferenceAES.mixColumns(state, coefficients: [2, 3, 1, 1])
      }
      state = addRoundKey(state, round)
    }
    return state
  }

  /// Decrypts one 16-byte block.
  public func decrypt(_ block: [UInt8]) -> [UInt8] {
    precondition(block.count == 16, "AES blocks are 16 bytes")
    var state = addRoundKey(block, 10)
    for round in stride(from: 9, through: 0, by: -1) {
      state = ReferenceAES.inverseShiftRows(state)
      state = state.map { ReferenceAES.inverseSBox[Int($0)] }
      state = addRoundKey(state, round)
      if round > 0 {
        state = ReferenceAES.mixColumns(state, coefficients: [14, 11, 13, 9])
      }
    }
    return state
  }

  private func addRoundKey(_ state: [UInt8], _ round: Int) -> [UInt8] {
    zip(state, roundKeys[round]).map { $0 ^ $1 }
  }

  // Byte k of the state is at row k % 4, column k / 4 (FIPS 197 §3.4).

  private static func shiftRows(_ state: [UInt8]) -> [UInt8] {
    (0..<16).map { index in
      let row = index % 4
      let column = index / 4
      return state[4 * ((column + row) % 4) + row]
    }
  }

  private static func inverseShiftRows(_ state: [UInt8]) -> [UInt8] {
    (0..<16).map { index in
      let row = index % 4
      let column = index / 4
      return state[4 * ((column + 4 - row) % 4) + row]
    }
  }

  private static func mixColumns(_ state: [UInt8], coefficients: [UInt8]) -> [UInt8] {
    var result = state
    for column in 0..<4 {
      for row in 0..<4 {
        var sum: UInt8 = 0
        for offset in 0..<4 {
          sum ^= multiply(coefficients[offset], state[4 * column + (row + offset) % 4])
        }
        result[4 * column + row] = sum
      }
    }
    return result
  }

  /// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS 197 §4.2).
  public static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
    var product: UInt8 = 0
    var a = a
    var b = b
    while b != 0 {
      if b & 1 != 0 { product ^= a }
      let carry = a & 0x80
      a <<= 1
      if carry != 0 { a ^= 0x1B }
      b >>= 1
    }
    return product
  }

  private static func multiplicativeInverse(_ value: UInt8) -> UInt8 {
    guard value != 0 else { return 0 }
    for candidate in 1...255 where multiply(value, UInt8(candidate)) == 1 {
      return UInt8(candidate)
    }
    preconditionFailure("every non-zero element of GF(2^8) has an inverse")
  }

  private static func rotateLeft(_ value: UInt8, by count: Int) -> UInt8 {
    count == 0 ? value : (value << UInt8(count)) | (value >> UInt8(8 - count))
  }
}
