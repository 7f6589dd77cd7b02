// AES128+Bitsliced.swift: the constant-time AES core. Four blocks are held bit by bit in eight
// 64-bit words; SubBytes is a Boolean circuit, and ShiftRows is folded into the other steps
// ("fixslicing"), so no step reads a table or branches on key or data.
// References: FIPS 197 §5.1 and §5.3 (the cipher and inverse cipher);
// J. Boyar and R. Peralta, "A depth-16 circuit for the AES S-box", ePrint 2011/332 (the forward
// and inverse S-box circuits); A. Adomnicai and T. Peyrin, "Fixslicing AES-like ciphers",
// TCHES 2021(1) (the fixsliced round structure); T. Pornin, BearSSL aes_ct64 (the 64-bit,
// four-block bitsliced layout).
// SPDX-License-Identifier: Apache-2.0

// MARK: - Representation
//
// The AES state is a 4x4 matrix of bytes; byte k of a 16-byte block sits at row k % 4, column
// k / 4 (FIPS 197 §3.4). We process four independent blocks ("lanes" 0...3) at once and store
// them transposed: slice `s_i` is a UInt64 that holds bit i of every one of the 64 state bytes.
// Inside a slice, the byte at row r, column c of lane l sits at bit
//
//     16 * r + 4 * c + l
//
// so each row owns one 16-bit group, each column a nibble of that group, and the four lanes
// the bits of the nibble. A byte-wise function (SubBytes) becomes a Boolean circuit applied
// to the eight slices: 64 S-boxes evaluated at once by plain AND/XOR/NOT on words. Moving
// bytes between rows and columns (ShiftRows, MixColumns) becomes rotations and masked shifts
// of each slice, the same for all eight. None of these operations depends on the values, so
// the running time is independent of key and data.
//
// MARK: - Fixslicing
//
// ShiftRows is the expensive step in this layout (a dozen masked shifts per slice). Following
// Adomnicai and Peyrin we never perform it during the rounds. Let SR be ShiftRows, with
// SR(S)[r][c] = S[r][(c + r) % 4]. If the true AES state A and our stored state P are related
// by A = SR^j(P), then:
//
// - SubBytes acts on each byte alone, so SubBytes(A) = SR^j(SubBytes(P)).
// - ShiftRows: SR(A) = SR^(j+1)(P). We skip it and add one to j.
// - AddRoundKey: A ^ K = SR^j(P ^ SR^-j(K)), so the key schedule stores round key i already
//   moved by SR^-i (see AES128+KeySchedule.swift).
// - MixColumns: MixColumns(A) = SR^j(MC_j(P)), where MC_j mixes the bytes that *would* share a
//   column: byte (r, c) of P combines with bytes (r + s, c + j * s) for s = 1, 2, 3. These
//   neighbours are reached by rotations that depend on j % 4 only; see `rowBelow` below.
//
// After the ten rounds of AES-128 encryption j = 10, i.e. 2 modulo 4 (SR^4 is the identity), so
// one SR^2 at the very end restores the true state. Decryption runs the same relation
// backwards: it starts by applying SR^2 (so that it meets the round keys in the representation
// they are stored in) and ends with j = 0.

extension AES128 {
  /// Four AES states in bitsliced form: `s<i>` holds bit i of each of the 64 bytes.
  struct BitslicedState {
    var s0: UInt64
    var s1: UInt64
    var s2: UInt64
    var s3: UInt64
    var s4: UInt64
    var s5: UInt64
    var s6: UInt64
    var s7: UInt64

    // MARK: - Packing
    //
    // Packing takes each block's 16 bytes to 64 bit positions, in two steps.
    //
    // 1. Byte interleaving: per lane l we build two words. E_l holds the bytes of columns 0 and 2
    //    and O_l those of columns 1 and 3, in the order (row 0, col 0), (row 0, col 2), (row 1,
    //    col 0), (row 1, col 2), ... (resp. columns 1 and 3). So byte number j of word W
    //    (W = E_0..E_3, O_0..O_3 numbered 0...7) is the state byte at row j / 2, column
    //    2 * (j % 2) + W / 4, lane W % 4.
    // 2. An 8x8 bit transpose of every byte position across the eight words: afterwards bit b
    //    of word W's byte j lives in slice b at bit 8 * j + W. Substituting the byte's place
    //    from step 1 gives 8 * j + W = 16 * r + 4 * c + l, which is the layout above.
    //
    // The transpose is three rounds of "swap-move" between word pairs (distance 1, 2, 4) with
    // bit masks 0x55, 0x33, 0x0F repeated over all bytes: each round swaps the off-diagonal
    // blocks of 2x2, 4x4 and 8x8 bit matrices. It is its own inverse, so unpacking runs the
    // same transpose and then undoes the interleaving.

    /// Packs four blocks (lanes 0...3).
    @inline(__always)
    init(packing blocks: borrowing InlineArray<4, InlineArray<16, UInt8>>) {
      let (e0, o0) = Self.interleave(blocks[0])
      let (e1, o1) = Self.interleave(blocks[1])
      let (e2, o2) = Self.interleave(blocks[2])
      let (e3, o3) = Self.interleave(blocks[3])
      (s0, s1, s2, s3, s4, s5, s6, s7) = (e0, e1, e2, e3, o0, o1, o2, o3)
      transpose()
    }

    /// Packs one block into lane 0; the other lanes hold zeros.
    @inline(__always)
    init(packing block: borrowing InlineArray<16, UInt8>) {
      let (even, odd) = Self.interleave(block)
      (s0, s1, s2, s3, s4, s5, s6, s7) = (even, 0, 0, 0, odd, 0, 0, 0)
      transpose()
    }

    /// Packs the same block into all four lanes (used for round keys).
    @inline(__always)
    init(broadcasting block: borrowing InlineArray<16, UInt8>) {
      let (even, odd) = Self.interleave(block)
      (s0, s1, s2, s3, s4, s5, s6, s7) = (even, even, even, even, odd, odd, odd, odd)
      transpose()
    }

    /// Unpacks the four lanes into `blocks`.
    @inline(__always)
    func unpack(into blocks: inout InlineArray<4, InlineArray<16, UInt8>>) {
      var words = self
      words.transpose()
      Self.deinterleave(words.s0, words.s4, into: &blocks[0])
      Self.deinterleave(words.s1, words.s5, into: &blocks[1])
      Self.deinterleave(words.s2, words.s6, into: &blocks[2])
      Self.deinterleave(words.s3, words.s7, into: &blocks[3])
    }

    /// Unpacks lane 0 into `block`.
    @inline(__always)
    func unpack(into block: inout InlineArray<16, UInt8>) {
      var words = self
      words.transpose()
      Self.deinterleave(words.s0, words.s4, into: &block)
    }

    /// The 8x8 bit transpose of every byte position across the eight slices (an involution).
    @inline(__always)
    mutating func transpose() {
      Self.swapMove(&s0, &s1, mask: 0x5555_5555_5555_5555, shift: 1)
      Self.swapMove(&s2, &s3, mask: 0x5555_5555_5555_5555, shift: 1)
      Self.swapMove(&s4, &s5, mask: 0x5555_5555_5555_5555, shift: 1)
      Self.swapMove(&s6, &s7, mask: 0x5555_5555_5555_5555, shift: 1)
      Self.swapMove(&s0, &s2, mask: 0x3333_3333_3333_3333, shift: 2)
      Self.swapMove(&s1, &s3, mask: 0x3333_3333_3333_3333, shift: 2)
      Self.swapMove(&s4, &s6, mask: 0x3333_3333_3333_3333, shift: 2)
      Self.swapMove(&s5, &s7, mask: 0x3333_3333_3333_3333, shift: 2)
      Self.swapMove(&s0, &s4, mask: 0x0F0F_0F0F_0F0F_0F0F, shift: 4)
      Self.swapMove(&s1, &s5, mask: 0x0F0F_0F0F_0F0F_0F0F, shift: 4)
      Self.swapMove(&s2, &s6, mask: 0x0F0F_0F0F_0F0F_0F0F, shift: 4)
      Self.swapMove(&s3, &s7, mask: 0x0F0F_0F0F_0F0F_0F0F, shift: 4)
    }

    /// Exchanges the bits of `low` selected by `mask` with the bits of `high` selected by
    /// `mask << shift`.
    @inline(__always)
    static func swapMove(_ high: inout UInt64, _ low: inout UInt64, mask: UInt64, shift: UInt64) {
      let difference = ((high &>> shift) ^ low) & mask
      low ^= difference
      high ^= difference &<< shift
    }

    /// Splits a block into its even-column word and odd-column word (step 1 of packing).
    @inline(__always)
    static func interleave(_ block: borrowing InlineArray<16, UInt8>) -> (UInt64, UInt64) {
      // Columns 0 and 1 are bytes 0...7, columns 2 and 3 bytes 8...15 (little-endian words,
      // so column 0 and column 2 are the low halves).
      interleave(front: littleEndianWord(block, at: 0), back: littleEndianWord(block, at: 8))
    }

    /// `interleave(_:)` of the block whose bytes 0...7 are the little-endian word `front` and
    /// bytes 8...15 the word `back`.
    @inline(__always)
    static func interleave(front: UInt64, back: UInt64) -> (UInt64, UInt64) {
      let even = spreadBytes(front & 0xFFFF_FFFF) | spreadBytes(back & 0xFFFF_FFFF) &<< 8
      let odd = spreadBytes(front &>> 32) | spreadBytes(back &>> 32) &<< 8
      return (even, odd)
    }

    /// Writes a block back from its even-column and odd-column words (undoes `interleave`).
    @inline(__always)
    static func deinterleave(
      _ even: UInt64, _ odd: UInt64, into block: inout InlineArray<16, UInt8>
    ) {
      let (front, back) = deinterleave(even, odd)
      storeLittleEndianWord(front, into: &block, at: 0)
      storeLittleEndianWord(back, into: &block, at: 8)
    }

    /// Undoes `interleave(front:back:)`: the block's bytes 0...7 and 8...15 as little-endian
    /// words.
    @inline(__always)
    static func deinterleave(_ even: UInt64, _ odd: UInt64) -> (front: UInt64, back: UInt64) {
      let front = gatherBytes(even) | gatherBytes(odd) &<< 32
      let back = gatherBytes(even &>> 8) | gatherBytes(odd &>> 8) &<< 32
      return (front, back)
    }

    /// Moves byte m (m < 4) of `value` to byte 2m, leaving the odd bytes zero.
    @inline(__always)
    static func spreadBytes(_ value: UInt64) -> UInt64 {
      var spread = (value | value &<< 16) & 0x0000_FFFF_0000_FFFF
      spread = (spread | spread &<< 8) & 0x00FF_00FF_00FF_00FF
      return spread
    }

    /// Moves byte 2m of `value` to byte m (m < 4) and discards the odd bytes.
    @inline(__always)
    static func gatherBytes(_ value: UInt64) -> UInt64 {
      var gathered = value & 0x00FF_00FF_00FF_00FF
      gathered = (gathered | gathered &>> 8) & 0x0000_FFFF_0000_FFFF
      gathered = (gathered | gathered &>> 16) & 0x0000_0000_FFFF_FFFF
      return gathered
    }

    @inline(__always)
    static func littleEndianWord(_ block: borrowing InlineArray<16, UInt8>, at offset: Int)
      -> UInt64
    {
      var word: UInt64 = 0
      for index in 0..<8 {
        word |= UInt64(block[offset + index]) &<< UInt64(8 * index)
      }
      return word
    }

    @inline(__always)
    static func storeLittleEndianWord(
      _ word: UInt64, into block: inout InlineArray<16, UInt8>, at offset: Int
    ) {
      for index in 0..<8 {
        block[offset + index] = UInt8(truncatingIfNeeded: word &>> UInt64(8 * index))
      }
    }

    // MARK: - AddRoundKey

    // The round keys are read through a raw pointer: the buffer always holds
    // `AES128.roundKeySliceCount` (88) slices and every offset below is a constant multiple of
    // 8 no larger than 80, so each read is in bounds. A bounds-checked Span here measurably
    // slowed single-block encryption (about 15%), which CBC encryption is made of.

    /// XORs the eight key slices starting at `keys[offset]` into the state.
    @inline(__always)
    mutating func addRoundKey(_ keys: UnsafeBufferPointer<UInt64>, at offset: Int) {
      unsafe s0 ^= keys[offset]
      unsafe s1 ^= keys[offset + 1]
      unsafe s2 ^= keys[offset + 2]
      unsafe s3 ^= keys[offset + 3]
      unsafe s4 ^= keys[offset + 4]
      unsafe s5 ^= keys[offset + 5]
      unsafe s6 ^= keys[offset + 6]
      unsafe s7 ^= keys[offset + 7]
    }

    // MARK: - SubBytes
    //
    // Both circuits are the straight-line programs of Boyar and Peralta (ePrint 2011/332; the
    // gate names T, M, L, P, R are theirs). Their input bit U0 is the most significant, so our
    // x7 is their U0 and our x0 their U7; likewise for the outputs. Each circuit has a linear
    // top layer, a shared non-linear middle (the inversion in GF(2^8), 34 AND gates) and a
    // linear bottom layer, 128 and 127 gates in all. Our NOT of an XOR is the paper's XNOR:
    // that is where the constant 0x63 of the affine map lives.

    /// The outputs of the shared middle layer (the paper's M46...M63).
    struct MiddleLayer {
      var m46, m47, m48, m49, m50, m51, m52, m53, m54: UInt64
      var m55, m56, m57, m58, m59, m60, m61, m62, m63: UInt64
    }

    /// The shared non-linear middle layer of both S-box circuits. `d` is the paper's U7 in the
    /// forward circuit and Y5 in the inverse one.
    @inline(__always)
    static func middleLayer(
      t1: UInt64, t2: UInt64, t3: UInt64, t4: UInt64, t6: UInt64, t8: UInt64, t9: UInt64,
      t10: UInt64, t13: UInt64, t14: UInt64, t15: UInt64, t16: UInt64, t17: UInt64, t19: UInt64,
      t20: UInt64, t22: UInt64, t23: UInt64, t24: UInt64, t25: UInt64, t26: UInt64, t27: UInt64,
      d: UInt64
    ) -> MiddleLayer {
      let m1 = t13 & t6
      let m2 = t23 & t8
      let m3 = t14 ^ m1
      let m4 = t19 & d
      let m5 = m4 ^ m1
      let m6 = t3 & t16
      let m7 = t22 & t9
      let m8 = t26 ^ m6
      let m9 = t20 & t17
      let m10 = m9 ^ m6
      let m11 = t1 & t15
      let m12 = t4 & t27
      let m13 = m12 ^ m11
      let m14 = t2 & t10
      let m15 = m14 ^ m11
      let m16 = m3 ^ m2
      let m17 = m5 ^ t24
      let m18 = m8 ^ m7
      let m19 = m10 ^ m15
      let m20 = m16 ^ m13
      let m21 = m17 ^ m15
      let m22 = m18 ^ m13
      let m23 = m19 ^ t25
      let m24 = m22 ^ m23
      let m25 = m22 & m20
      let m26 = m21 ^ m25
      let m27 = m20 ^ m21
      let m28 = m23 ^ m25
      let m29 = m28 & m27
      let m30 = m26 & m24
      let m31 = m20 & m23
      let m32 = m27 & m31
      let m33 = m27 ^ m25
      let m34 = m21 & m22
      let m35 = m24 & m34
      let m36 = m24 ^ m25
      let m37 = m21 ^ m29
      let m38 = m32 ^ m33
      let m39 = m23 ^ m30
      let m40 = m35 ^ m36
      let m41 = m38 ^ m40
      let m42 = m37 ^ m39
      let m43 = m37 ^ m38
      let m44 = m39 ^ m40
      let m45 = m42 ^ m41
      return MiddleLayer(
        m46: m44 & t6, m47: m40 & t8, m48: m39 & d, m49: m43 & t16, m50: m38 & t9,
        m51: m37 & t17, m52: m42 & t15, m53: m45 & t27, m54: m41 & t10,
        m55: m44 & t13, m56: m40 & t23, m57: m39 & t19, m58: m43 & t3, m59: m38 & t22,
        m60: m37 & t20, m61: m42 & t1, m62: m45 & t4, m63: m41 & t2)
    }

    /// Applies the AES S-box (FIPS 197 §5.1.1) to all 64 bytes.
    @inline(__always)
    mutating func subBytes() {
      let (x0, x1, x2, x3, x4, x5, x6, x7) = (s0, s1, s2, s3, s4, s5, s6, s7)
      // Top linear layer.
      let t1 = x7 ^ x4
      let t2 = x7 ^ x2
      let t3 = x7 ^ x1
      let t4 = x4 ^ x2
      let t5 = x3 ^ x1
      let t6 = t1 ^ t5
      let t7 = x6 ^ x5
      let t8 = x0 ^ t6
      let t9 = x0 ^ t7
      let t10 = t6 ^ t7
      let t11 = x6 ^ x2
      let t12 = x5 ^ x2
      let t13 = t3 ^ t4
      let t14 = t6 ^ t11
      let t15 = t5 ^ t11
      let t16 = t5 ^ t12
      let t17 = t9 ^ t16
      let t18 = x4 ^ x0
      let t19 = t7 ^ t18
      let t20 = t1 ^ t19
      let t21 = x1 ^ x0
      let t22 = t7 ^ t21
      let t23 = t2 ^ t22
      let t24 = t2 ^ t10
      let t25 = t20 ^ t17
      let t26 = t3 ^ t16
      let t27 = t1 ^ t12
      let m = Self.middleLayer(
        t1: t1, t2: t2, t3: t3, t4: t4, t6: t6, t8: t8, t9: t9, t10: t10, t13: t13, t14: t14,
        t15: t15, t16: t16, t17: t17, t19: t19, t20: t20, t22: t22, t23: t23, t24: t24,
        t25: t25, t26: t26, t27: t27, d: x0)
      // Bottom linear layer.
      let l0 = m.m61 ^ m.m62
      let l1 = m.m50 ^ m.m56
      let l2 = m.m46 ^ m.m48
      let l3 = m.m47 ^ m.m55
      let l4 = m.m54 ^ m.m58
      let l5 = m.m49 ^ m.m61
      let l6 = m.m62 ^ l5
      let l7 = m.m46 ^ l3
      let l8 = m.m51 ^ m.m59
      let l9 = m.m52 ^ m.m53
      let l10 = m.m53 ^ l4
      let l11 = m.m60 ^ l2
      let l12 = m.m48 ^ m.m51
      let l13 = m.m50 ^ l0
      let l14 = m.m52 ^ m.m61
      let l15 = m.m55 ^ l1
      let l16 = m.m56 ^ l0
      let l17 = m.m57 ^ l1
      let l18 = m.m58 ^ l8
      let l19 = m.m63 ^ l4
      let l20 = l0 ^ l1
      let l21 = l1 ^ l7
      let l22 = l3 ^ l12
      let l23 = l18 ^ l2
      let l24 = l15 ^ l9
      let l25 = l6 ^ l10
      let l26 = l7 ^ l9
      let l27 = l8 ^ l10
      let l28 = l11 ^ l14
      let l29 = l11 ^ l17
      s7 = l6 ^ l24
      s6 = ~(l16 ^ l26)
      s5 = ~(l19 ^ l28)
      s4 = l6 ^ l21
      s3 = l20 ^ l22
      s2 = l25 ^ l29
      s1 = ~(l13 ^ l27)
      s0 = ~(l6 ^ l23)
    }

    /// Applies the inverse S-box (FIPS 197 §5.3.2) to all 64 bytes.
    @inline(__always)
    mutating func inverseSubBytes() {
      let (x0, x1, x2, x3, x4, x5, x6, x7) = (s0, s1, s2, s3, s4, s5, s6, s7)
      // Top linear layer (it undoes the affine map, hence the NOTs).
      let t23 = x7 ^ x4
      let t22 = ~(x6 ^ x4)
      let t2 = ~(x7 ^ x6)
      let t1 = x4 ^ x3
      let t24 = ~(x3 ^ x0)
      let r5 = x1 ^ x0
      let t8 = ~(x6 ^ t23)
      let t19 = t22 ^ r5
      let t9 = ~(x0 ^ t1)
      let t10 = t2 ^ t24
      let t13 = t2 ^ r5
      let t3 = t1 ^ r5
      let t25 = ~(x5 ^ t1)
      let r13 = x6 ^ x1
      let t17 = ~(x5 ^ t19)
      let t20 = t24 ^ r13
      let t4 = x3 ^ t8
      let r17 = ~(x5 ^ x2)
      let r18 = ~(x2 ^ x1)
      let r19 = ~(x5 ^ x3)
      let y5 = x7 ^ r17
      let t6 = t22 ^ r17
      let t16 = r13 ^ r19
      let t27 = t1 ^ r18
      let t15 = t10 ^ t27
      let t14 = t10 ^ r18
      let t26 = t3 ^ t16
      let m = Self.middleLayer(
        t1: t1, t2: t2, t3: t3, t4: t4, t6: t6, t8: t8, t9: t9, t10: t10, t13: t13, t14: t14,
        t15: t15, t16: t16, t17: t17, t19: t19, t20: t20, t22: t22, t23: t23, t24: t24,
        t25: t25, t26: t26, t27: t27, d: y5)
      // Bottom linear layer.
      let p0 = m.m52 ^ m.m61
      let p1 = m.m58 ^ m.m59
      let p2 = m.m54 ^ m.m62
      let p3 = m.m47 ^ m.m50
      let p4 = m.m48 ^ m.m56
      let p5 = m.m46 ^ m.m51
      let p6 = m.m49 ^ m.m60
      let p7 = p0 ^ p1
      let p8 = m.m50 ^ m.m53
      let p9 = m.m55 ^ m.m63
      let p10 = m.m57 ^ p4
      let p11 = p0 ^ p3
      let p12 = m.m46 ^ m.m48
      let p13 = m.m49 ^ m.m51
      let p14 = m.m49 ^ m.m62
      let p15 = m.m54 ^ m.m59
      let p16 = m.m57 ^ m.m61
      let p17 = m.m58 ^ p2
      let p18 = m.m63 ^ p5
      let p19 = p2 ^ p3
      let p20 = p4 ^ p6
      let p22 = p2 ^ p7
      let p23 = p7 ^ p8
      let p24 = p5 ^ p7
      let p25 = p6 ^ p10
      let p26 = p9 ^ p11
      let p27 = p10 ^ p18
      let p28 = p11 ^ p25
      let p29 = p15 ^ p20
      s7 = p13 ^ p22
      s6 = p26 ^ p29
      s5 = p17 ^ p28
      s4 = p12 ^ p22
      s3 = p23 ^ p27
      s2 = p19 ^ p24
      s1 = p14 ^ p23
      s0 = p9 ^ p16
    }

    // MARK: - MixColumns in representation j
    //
    // Take logical bytes a_r = A[r][c] of one column. MixColumns (FIPS 197 §5.1.3) gives
    //
    //     a'_r = 2 a_r ^ 3 a_(r+1) ^ a_(r+2) ^ a_(r+3)
    //          = 2 (a_r ^ a_(r+1)) ^ a_(r+1) ^ (a_(r+2) ^ a_(r+3)).
    //
    // With b = "row below" and t = a ^ b, the last term is t two rows below. In representation
    // j the byte logically below P[r][c] is P[r + 1][c + j] (indices mod 4), and two rows below
    // is P[r + 2][c + 2j]. In the slice layout (nibble 4r + c of a slice) these are fixed
    // rotations plus masks:
    //
    //   j = 0: one row down is a rotation by 16 bits, two rows by 32.
    //   j = 1: nibbles with c < 3 come from 5 nibbles higher, c = 3 from 1 nibble higher;
    //          two rows down: c < 2 from 10 nibbles higher, c >= 2 from 6 nibbles higher.
    //   j = 2: one row down: c < 2 from 6 nibbles higher, c >= 2 from 2 higher; two rows down
    //          is a rotation by 32 (the column offset 4 is a full turn).
    //   j = 3: c = 0 from 7 nibbles higher, c >= 1 from 3 higher; two rows down as for j = 1.
    //
    // Multiplying by 2 in GF(2^8) (modulus x^8 + x^4 + x^3 + x + 1) moves bit i to bit i + 1 and
    // folds bit 7 into bits 0, 1, 3 and 4; on slices it is a renaming plus four XORs.

    @inline(__always)
    static func rotateRight(_ value: UInt64, by count: UInt64) -> UInt64 {
      (value &>> count) | (value &<< (64 &- count))
    }

    /// The byte logically one row below each byte, in representation `variant` (0...3).
    @inline(__always)
    static func rowBelow(_ x: UInt64, variant: Int) -> UInt64 {
      switch variant {
      case 0:
        return rotateRight(x, by: 16)
      case 1:
        return (rotateRight(x, by: 20) & 0x0FFF_0FFF_0FFF_0FFF)
          | (rotateRight(x, by: 4) & 0xF000_F000_F000_F000)
      case 2:
        return (rotateRight(x, by: 24) & 0x00FF_00FF_00FF_00FF)
          | (rotateRight(x, by: 8) & 0xFF00_FF00_FF00_FF00)
      default:
        return (rotateRight(x, by: 28) & 0x000F_000F_000F_000F)
          | (rotateRight(x, by: 12) & 0xFFF0_FFF0_FFF0_FFF0)
      }
    }

    /// The byte logically two rows below each byte, in representation `variant` (0...3).
    @inline(__always)
    static func twoRowsBelow(_ x: UInt64, variant: Int) -> UInt64 {
      if variant & 1 == 0 {
        return rotateRight(x, by: 32)
      }
      return (rotateRight(x, by: 40) & 0x00FF_00FF_00FF_00FF)
        | (rotateRight(x, by: 24) & 0xFF00_FF00_FF00_FF00)
    }

    /// MixColumns on a state stored in representation `variant` (the SR^-j of the text).
    @inline(__always)
    mutating func mixColumns(variant: Int) {
      let b0 = Self.rowBelow(s0, variant: variant)
      let b1 = Self.rowBelow(s1, variant: variant)
      let b2 = Self.rowBelow(s2, variant: variant)
      let b3 = Self.rowBelow(s3, variant: variant)
      let b4 = Self.rowBelow(s4, variant: variant)
      let b5 = Self.rowBelow(s5, variant: variant)
      let b6 = Self.rowBelow(s6, variant: variant)
      let b7 = Self.rowBelow(s7, variant: variant)
      let t0 = s0 ^ b0
      let t1 = s1 ^ b1
      let t2 = s2 ^ b2
      let t3 = s3 ^ b3
      let t4 = s4 ^ b4
      let t5 = s5 ^ b5
      let t6 = s6 ^ b6
      let t7 = s7 ^ b7
      s0 = t7 ^ b0 ^ Self.twoRowsBelow(t0, variant: variant)
      s1 = t0 ^ t7 ^ b1 ^ Self.twoRowsBelow(t1, variant: variant)
      s2 = t1 ^ b2 ^ Self.twoRowsBelow(t2, variant: variant)
      s3 = t2 ^ t7 ^ b3 ^ Self.twoRowsBelow(t3, variant: variant)
      s4 = t3 ^ t7 ^ b4 ^ Self.twoRowsBelow(t4, variant: variant)
      s5 = t4 ^ b5 ^ Self.twoRowsBelow(t5, variant: variant)
      s6 = t5 ^ b6 ^ Self.twoRowsBelow(t6, variant: variant)
      s7 = t6 ^ b7 ^ Self.twoRowsBelow(t7, variant: variant)
    }

    // InvMixColumns multiplies each column by 0B x^3 + 0D x^2 + 09 x + 0E. That polynomial is
    // (03 x^3 + 01 x^2 + 01 x + 02)(04 x^2 + 05) modulo x^4 + 1, i.e. MixColumns after the map
    // a_r -> 5 a_r ^ 4 a_(r+2) = a_r ^ 4 (a_r ^ a_(r+2)). Multiplying u by 4 sends bits
    // (u0...u7) to (u6, u6^u7, u0^u7, u1^u6, u2^u6^u7, u3^u7, u4, u5).

    /// InvMixColumns on a state stored in representation `variant`.
    @inline(__always)
    mutating func inverseMixColumns(variant: Int) {
      let u0 = s0 ^ Self.twoRowsBelow(s0, variant: variant)
      let u1 = s1 ^ Self.twoRowsBelow(s1, variant: variant)
      let u2 = s2 ^ Self.twoRowsBelow(s2, variant: variant)
      let u3 = s3 ^ Self.twoRowsBelow(s3, variant: variant)
      let u4 = s4 ^ Self.twoRowsBelow(s4, variant: variant)
      let u5 = s5 ^ Self.twoRowsBelow(s5, variant: variant)
      let u6 = s6 ^ Self.twoRowsBelow(s6, variant: variant)
      let u7 = s7 ^ Self.twoRowsBelow(s7, variant: variant)
      s0 ^= u6
      s1 ^= u6 ^ u7
      s2 ^= u0 ^ u7
      s3 ^= u1 ^ u6
      s4 ^= u2 ^ u6 ^ u7
      s5 ^= u3 ^ u7
      s6 ^= u4
      s7 ^= u5
      mixColumns(variant: variant)
    }

    // MARK: - SR^2
    //
    // SR^2 rotates row 1 and row 3 by two columns and leaves rows 0 and 2 alone; in a slice
    // that swaps the two bytes of the second and fourth 16-bit groups. It is its own inverse.

    /// Applies ShiftRows twice (moves between representation 0 and representation 2).
    @inline(__always)
    mutating func shiftRowsTwice() {
      s0 = Self.shiftRowsTwice(s0)
      s1 = Self.shiftRowsTwice(s1)
      s2 = Self.shiftRowsTwice(s2)
      s3 = Self.shiftRowsTwice(s3)
      s4 = Self.shiftRowsTwice(s4)
      s5 = Self.shiftRowsTwice(s5)
      s6 = Self.shiftRowsTwice(s6)
      s7 = Self.shiftRowsTwice(s7)
    }

    @inline(__always)
    static func shiftRowsTwice(_ x: UInt64) -> UInt64 {
      (x & 0x0000_FFFF_0000_FFFF) | ((x &>> 8) & 0x00FF_0000_00FF_0000)
        | ((x &<< 8) & 0xFF00_0000_FF00_0000)
    }

    // MARK: - Rounds
    //
    // Round i of the cipher (i = 1...9) leaves the state in representation i % 4; round key i
    // is stored in the same representation. The round loop is unrolled by four so that every
    // `variant` is a constant.

    /// Encrypts the four lanes with the fixsliced round keys `keys` (11 x 8 slices).
    @inline(__always)
    mutating func encrypt(roundKeys keys: UnsafeBufferPointer<UInt64>) {
      unsafe addRoundKey(keys, at: 0)
      var round = 1
      while round < 9 {
        subBytes()
        mixColumns(variant: 1)
        unsafe addRoundKey(keys, at: 8 * round)
        subBytes()
        mixColumns(variant: 2)
        unsafe addRoundKey(keys, at: 8 * round + 8)
        subBytes()
        mixColumns(variant: 3)
        unsafe addRoundKey(keys, at: 8 * round + 16)
        subBytes()
        mixColumns(variant: 0)
        unsafe addRoundKey(keys, at: 8 * round + 24)
        round += 4
      }
      subBytes()
      mixColumns(variant: 1)
      unsafe addRoundKey(keys, at: 72)
      subBytes()
      unsafe addRoundKey(keys, at: 80)
      shiftRowsTwice()
    }

    /// Decrypts the four lanes with the fixsliced round keys `keys` (11 x 8 slices).
    @inline(__always)
    mutating func decrypt(roundKeys keys: UnsafeBufferPointer<UInt64>) {
      // The inverse cipher (FIPS 197 §5.3) with InvShiftRows skipped: starting from
      // representation 2, after the inverse of round i the state is in representation i % 4.
      shiftRowsTwice()
      unsafe addRoundKey(keys, at: 80)
      inverseSubBytes()
      unsafe addRoundKey(keys, at: 72)
      inverseMixColumns(variant: 1)
      var round = 8
      while round > 0 {
        inverseSubBytes()
        unsafe addRoundKey(keys, at: 8 * round)
        inverseMixColumns(variant: 0)
        inverseSubBytes()
        unsafe addRoundKey(keys, at: 8 * round - 8)
        inverseMixColumns(variant: 3)
        inverseSubBytes()
        unsafe addRoundKey(keys, at: 8 * round - 16)
        inverseMixColumns(variant: 2)
        inverseSubBytes()
        unsafe addRoundKey(keys, at: 8 * round - 24)
        inverseMixColumns(variant: 1)
        round -= 4
      }
      inverseSubBytes()
      unsafe addRoundKey(keys, at: 0)
    }
  }
}
