// ConstantTimeTests.swift: the masks and comparisons the rest of the core builds on.
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport
import Testing
import _TestSupport

@Suite struct ConstantTimeTests {
  @Test func equalsComparesContentAndLength() {
    #expect(ConstantTime.equals([], []))
    #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
    #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
    #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
    // A difference in any single bit of any byte is seen.
    let base = [UInt8](repeating: 0xa5, count: 40)
    for index in base.indices {
      for bit in 0..<8 {
        var other = base
        other[index] ^= 1 << UInt8(bit)
        #expect(!ConstantTime.equals(base, other), "byte \(index) bit \(bit)")
      }
    }
  }

  /// The masks against plain comparisons over edge values and a seeded sample (seed 0x6374).
  @Test func masksMatchComparisons() {
    var rng = SeededGenerator(seed: 0x6374)
    var values: [UInt32] = [0, 1, 2, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, .max - 1, .max]
    for _ in 0..<200 { values.append(UInt32.random(in: .min ... .max, using: &rng)) }
    for a in values {
      #expect(ConstantTime.isZero(a) == (a == 0 ? .max : 0))
      for b in values {
        #expect(ConstantTime.mask(isEqual: a, b) == (a == b ? .max : 0))
        #expect(ConstantTime.mask(isLess: a, b) == (a < b ? .max : 0))
        #expect(ConstantTime.select(mask: .max, a, b) == a)
        #expect(ConstantTime.select(mask: 0, a, b) == b)
      }
    }
  }

  @Test func hexDigitsAreLowercase() {
    let all = (0...255).map { UInt8($0) }
    #expect(HexDigits.string(all.span) == VectorHex.encode(all))
  }
}

@Suite struct SymmetricKeyTests {
  @Test func holdsACopyOfItsBytes() {
    var source: [UInt8] = [1, 2, 3, 4]
    let key = SymmetricKey(copying: source)
    source[0] = 9
    #expect(key.byteCount == 4)
    let bytes = key.withBytes { span in span.indices.map { span[$0] } }
    #expect(bytes == [1, 2, 3, 4])
  }

  @Test func emptyAndRandomKeys() {
    let empty = SymmetricKey(copying: [])
    #expect(empty.byteCount == 0)
    #expect(empty.withBytes { $0.count } == 0)
    var first = SeededGenerator(seed: 7)
    var second = SeededGenerator(seed: 7)
    let a = SymmetricKey(byteCount: 32, using: &first)
    let b = SymmetricKey(byteCount: 32, using: &second)
    let bytesA = a.withBytes { span in span.indices.map { span[$0] } }
    let bytesB = b.withBytes { span in span.indices.map { span[$0] } }
    #expect(bytesA.count == 32)
    #expect(bytesA == bytesB)
    #expect(Set(bytesA).count > 1)
  }
}
