// AES128+KeySchedule.swift: AES-128 key expansion in constant time, and the layout of the
// expanded round keys for the fixsliced core.
// References: FIPS 197 §5.2 (KeyExpansion); A. Adomnicai and T. Peyrin, "Fixslicing AES-like
// ciphers", TCHES 2021(1) (round keys stored in the representation of their round).
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

// The expansion follows FIPS 197 §5.2 word by word. A word is held as a little-endian UInt32, so
// its first byte is the low byte: RotWord is a right rotation by 8 bits and Rcon lands in the
// low byte. SubWord must not use a table indexed by key bytes, so it runs the bitsliced S-box
// circuit on a block holding the word (the other bytes are ignored).
//
// Each round key i is then permuted by SR^-i, where SR is ShiftRows (see the fixslicing notes in
// AES128+Bitsliced.swift): the byte stored at row r, column c is the key byte at row r,
// column (c - i * r) mod 4. The result is packed into all four lanes, giving eight slices per
// round key, 88 UInt64 in all, kept in a `SecretStorage` that is zeroed when the key goes away.
// Both directions use the same slices.

extension AES128 {
  /// The number of UInt64 slices in the expanded key: 11 round keys of 8 slices.
  static var roundKeySliceCount: Int { 88 }

  /// Expands `key` into the fixsliced round keys.
  static func expandKey(_ key: InlineArray<16, UInt8>) -> SecretStorage<UInt64> {
    let slices = SecretStorage<UInt64>(repeating: 0, count: roundKeySliceCount)
    var words = InlineArray<4, UInt32>(repeating: 0)
    for index in 0..<4 {
      words[index] =
        UInt32(key[4 * index]) | UInt32(key[4 * index + 1]) &<< 8
        | UInt32(key[4 * index + 2]) &<< 16 | UInt32(key[4 * index + 3]) &<< 24
    }
    var roundConstant: UInt32 = 0x01
    slices.withMutableSpan { output in
      for round in 0...10 {
        if round > 0 {
          let rotated = (words[3] &>> 8) | (words[3] &<< 24)
          words[0] ^= subWord(rotated) ^ roundConstant
          words[1] ^= words[0]
          words[2] ^= words[1]
          words[3] ^= words[2]
          // Doubling in GF(2^8): 0x01, 0x02, ..., 0x80, 0x1B, 0x36 (a public sequence).
          roundConstant = ((roundConstant &<< 1) & 0xFF) ^ (0x1B & (0 &- (roundConstant &>> 7)))
        }
        var block = InlineArray<16, UInt8>(repeating: 0)
        for column in 0..<4 {
          for row in 0..<4 {
            let sourceColumn = (column &- round &* row) & 3
            block[4 * column + row] = UInt8(truncatingIfNeeded: words[sourceColumn] &>> (8 * row))
          }
        }
        let state = BitslicedState(broadcasting: block)
        let base = 8 * round
        output[base] = state.s0
        output[base + 1] = state.s1
        output[base + 2] = state.s2
        output[base + 3] = state.s3
        output[base + 4] = state.s4
        output[base + 5] = state.s5
        output[base + 6] = state.s6
        output[base + 7] = state.s7
      }
    }
    return slices
  }

  /// SubWord (FIPS 197 §5.2): the S-box on each byte of `word`, computed by the circuit.
  static func subWord(_ word: UInt32) -> UInt32 {
    var block = InlineArray<16, UInt8>(repeating: 0)
    for index in 0..<4 {
      block[index] = UInt8(truncatingIfNeeded: word &>> (8 * index))
    }
    var state = BitslicedState(packing: block)
    state.subBytes()
    state.unpack(into: &block)
    return UInt32(block[0]) | UInt32(block[1]) &<< 8 | UInt32(block[2]) &<< 16
      | UInt32(block[3]) &<< 24
  }
}
