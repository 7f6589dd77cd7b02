// SHA256+Lanes.swift: the SHA-256 compression function on four independent states at once, one
// per 32-bit lane of SIMD4<UInt32>, for callers that hash several messages side by side (the
// HMACs of the nested Fernet layers of the Secure API).
// Reference: FIPS 180-4 §4.1.2 (functions), §4.2.2 (constants), §5.3.3 (initial value), §6.2.2
// (computation).
// SPDX-License-Identifier: Apache-2.0

/// Four SHA-256 compressions in one pass: every step of FIPS 180-4 §6.2.2 applied to four
/// (state, block) pairs held in the lanes of `SIMD4<UInt32>` values.
///
/// It is the compression function only: the caller pads (§5.1.1) and keeps the states. As in
/// `SHA256Engine`, every operation is an addition, rotation or Boolean function, so the time
/// depends on nothing but the number of calls.
package enum SHA256Lanes {
  /// Four 32-bit lanes.
  typealias Words = SIMD4<UInt32>

  /// The round constants K (FIPS 180-4 §4.2.2: the fractional parts of the cube roots of the
  /// first 64 primes).
  static let roundConstants: InlineArray<64, UInt32> = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4,
    0xab1c_5ed5, 0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe,
    0x9bdc_06a7, 0xc19b_f174, 0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f,
    0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da, 0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7,
    0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967, 0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc,
    0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b,
    0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070, 0x19a4_c116,
    0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7,
    0xc671_78f2,
  ]

  /// Compresses one 64-byte block into each of four states: lane l absorbs
  /// `blocks[offsets[l] ..< offsets[l] + 64]` into `states[l]`. Lanes may share a block.
  ///
  /// - Timing: constant (the offsets choose addresses, so they must be public).
  package static func compress(
    _ states: inout InlineArray<4, InlineArray<8, UInt32>>, blocks: Span<UInt8>,
    offsets: InlineArray<4, Int>
  ) {
    var w = InlineArray<16, Words>(repeating: .zero)
    for lane in 0..<4 {
      precondition(
        offsets[lane] >= 0 && offsets[lane] <= blocks.count - 64, "each block lies in blocks")
    }
    // A byte view of the blocks, read below without further bounds checks: every offset was
    // checked above.
    let bytes = unsafe blocks.bytes
    for index in 0..<16 {
      w[index] = Words(
        word(bytes, offsets[0] + 4 * index), word(bytes, offsets[1] + 4 * index),
        word(bytes, offsets[2] + 4 * index), word(bytes, offsets[3] + 4 * index))
    }
    var v = InlineArray<8, Words> { index in
      Words(states[0][index], states[1][index], states[2][index], states[3][index])
    }
    var (a, b, c, d, e, f, g, h) = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
    var bc = b ^ c
    // Sixteen rounds per pass, so that every index into the message window is a constant;
    // from the second pass on, the window first moves on by sixteen words (see `expand`).
    for pass in 0..<4 {
      if pass > 0 { expand(&w) }
      let k = 16 * pass
      round(a, b, c, &d, e, f, g, &h, w[0] &+ constant(k), &bc)
      round(h, a, b, &c, d, e, f, &g, w[1] &+ constant(k + 1), &bc)
      round(g, h, a, &b, c, d, e, &f, w[2] &+ constant(k + 2), &bc)
      round(f, g, h, &a, b, c, d, &e, w[3] &+ constant(k + 3), &bc)
      round(e, f, g, &h, a, b, c, &d, w[4] &+ constant(k + 4), &bc)
      round(d, e, f, &g, h, a, b, &c, w[5] &+ constant(k + 5), &bc)
      round(c, d, e, &f, g, h, a, &b, w[6] &+ constant(k + 6), &bc)
      round(b, c, d, &e, f, g, h, &a, w[7] &+ constant(k + 7), &bc)
      round(a, b, c, &d, e, f, g, &h, w[8] &+ constant(k + 8), &bc)
      round(h, a, b, &c, d, e, f, &g, w[9] &+ constant(k + 9), &bc)
      round(g, h, a, &b, c, d, e, &f, w[10] &+ constant(k + 10), &bc)
      round(f, g, h, &a, b, c, d, &e, w[11] &+ constant(k + 11), &bc)
      round(e, f, g, &h, a, b, c, &d, w[12] &+ constant(k + 12), &bc)
      round(d, e, f, &g, h, a, b, &c, w[13] &+ constant(k + 13), &bc)
      round(c, d, e, &f, g, h, a, &b, w[14] &+ constant(k + 14), &bc)
      round(b, c, d, &e, f, g, h, &a, w[15] &+ constant(k + 15), &bc)
    }
    v[0] &+= a
    v[1] &+= b
    v[2] &+= c
    v[3] &+= d
    v[4] &+= e
    v[5] &+= f
    v[6] &+= g
    v[7] &+= h
    for lane in 0..<4 {
      for index in 0..<8 { states[lane][index] = v[index][lane] }
    }
  }

  /// The big-endian word at byte `offset` of `bytes`, which the caller has checked.
  @inline(__always)
  static func word(_ bytes: RawSpan, _ offset: Int) -> UInt32 {
    // Any four bytes are a valid UInt32; the offset is within a checked block.
    UInt32(
      bigEndian: unsafe bytes.unsafeLoadUnaligned(
        fromUncheckedByteOffset: offset, as: UInt32.self))
  }

  /// Round constant `index` in every lane.
  @inline(__always)
  static func constant(_ index: Int) -> Words {
    Words(repeating: roundConstants[index])
  }

  /// ROTR^a ^ ROTR^b ^ ROTR^c (a, b, c distinct) of every lane, as six shifts.
  ///
  /// SSE2 has no rotation, and the compiler turns a right and a left shift that make one into
  /// a rotation of each lane in a general register (four moves out, four back); it also
  /// shuffles needlessly when two right shifts of one value meet. So each right shift is paired
  /// with the left shift of another rotation, which makes neither.
  @inline(__always)
  static func rotationSum(_ x: Words, _ a: UInt32, _ b: UInt32, _ c: UInt32) -> Words {
    ((x &>> a) ^ (x &<< (32 - b))) ^ ((x &>> b) ^ (x &<< (32 - c)))
      ^ ((x &>> c) ^ (x &<< (32 - a)))
  }

  /// One round, as `SHA256Engine`'s: `d += T1` and `h = T1 + T2`, with `kw` = K[t] + W[t] and
  /// `bc` carrying b ^ c in and a ^ b out.
  @inline(__always)
  static func round(
    _ a: Words, _ b: Words, _ c: Words, _ d: inout Words,
    _ e: Words, _ f: Words, _ g: Words, _ h: inout Words, _ kw: Words, _ bc: inout Words
  ) {
    let bigSigma1 = rotationSum(e, 6, 11, 25)
    let choose = g ^ (e & (f ^ g))
    let temp1 = h &+ bigSigma1 &+ choose &+ kw
    let bigSigma0 = rotationSum(a, 2, 13, 22)
    let ab = a ^ b
    let majority = b ^ (ab & bc)
    bc = ab
    d &+= temp1
    h = temp1 &+ bigSigma0 &+ majority
  }

  /// Moves the message window on by sixteen words: W[t] for the next sixteen t, each
  /// sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16], overwriting W[t-16] in place (in
  /// order, so that W[t-2] and W[t-7] are already the new words when they are needed).
  @inline(__always)
  static func expand(_ w: inout InlineArray<16, Words>) {
    for index in 0..<16 {
      let w15 = w[(index + 1) & 15]
      let w2 = w[(index + 14) & 15]
      // sigma0 = ROTR^7 ^ ROTR^18 ^ SHR^3 and sigma1 = ROTR^17 ^ ROTR^19 ^ SHR^10, their
      // shifts paired as in `rotationSum`.
      let sigma0 = ((w15 &>> 7) ^ (w15 &<< 14)) ^ ((w15 &>> 18) ^ (w15 &<< 25)) ^ (w15 &>> 3)
      let sigma1 = ((w2 &>> 17) ^ (w2 &<< 13)) ^ ((w2 &>> 19) ^ (w2 &<< 15)) ^ (w2 &>> 10)
      w[index] = sigma1 &+ w[(index + 9) & 15] &+ sigma0 &+ w[index]
    }
  }
}
