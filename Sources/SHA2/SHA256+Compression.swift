// SHA256+Compression.swift: the SHA-256 block function and the buffering shared by SHA-224 and
// SHA-256.
// Reference: FIPS 180-4 §4.1.2 (functions), §4.2.2 (constants), §5.1.1 (padding), §6.2.2
// (computation).
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

/// The running state of SHA-256 (and of SHA-224, which differs only in its initial values and in
/// how much of the final state it outputs).
///
/// Every operation runs in time that depends only on the number of bytes absorbed: the
/// compression function uses only additions, rotations and Boolean functions, and the round
/// constants are immediates in straight-line code.
package struct SHA256Engine: Sendable {
  private var state: InlineArray<8, UInt32>
  private var pending: InlineArray<64, UInt8> = InlineArray(repeating: 0)
  private var pendingCount = 0
  private var totalByteCount: UInt64 = 0

  package init(initialState: InlineArray<8, UInt32>) {
    state = initialState
  }

  /// A state that has absorbed `byteCount` bytes (a multiple of 64) and reached the chaining
  /// value `state`: for callers that ran the whole blocks elsewhere (`SHA256Lanes`) and finish
  /// here.
  package init(resuming state: InlineArray<8, UInt32>, absorbedByteCount byteCount: Int) {
    precondition(byteCount >= 0 && byteCount % 64 == 0, "whole blocks absorbed")
    self.state = state
    totalByteCount = UInt64(byteCount)
  }

  /// The chaining value after the whole blocks absorbed so far; only meaningful when no partial
  /// block is pending.
  package var chainingValue: InlineArray<8, UInt32> {
    precondition(pendingCount == 0, "no partial block pending")
    return state
  }

  /// Absorbs `bytes`.
  package mutating func update(_ bytes: Span<UInt8>) {
    var offset = 0
    let count = bytes.count
    totalByteCount &+= UInt64(count)
    if pendingCount > 0 {
      let take = min(64 - pendingCount, count)
      for index in 0..<take { pending[pendingCount + index] = bytes[index] }
      pendingCount += take
      offset = take
      guard pendingCount == 64 else { return }
      let block = pending
      unsafe block.span.withUnsafeBufferPointer { buffer in
        unsafe compress(blocks: buffer.baseAddress!, count: 1)
      }
      pendingCount = 0
    }
    let wholeBlocks = (count - offset) / 64
    if wholeBlocks > 0 {
      let start = offset
      unsafe bytes.withUnsafeBufferPointer { buffer in
        unsafe compress(blocks: buffer.baseAddress! + start, count: wholeBlocks)
      }
      offset += wholeBlocks * 64
    }
    while offset < count {
      pending[pendingCount] = bytes[offset]
      pendingCount += 1
      offset += 1
    }
  }

  /// Applies the final padding (§5.1.1) and returns the first `size` bytes of the state,
  /// big-endian: 32 for SHA-256, 28 for SHA-224 (§6.3: its first seven words).
  package mutating func finish<let size: Int>() -> InlineArray<size, UInt8> {
    precondition(size % 4 == 0 && size <= 32, "a digest is whole state words")
    let words = finishWords()
    var bytes = InlineArray<size, UInt8>(repeating: 0)
    for index in 0..<(size / 4) {
      bytes.storeBigEndian(words[index], at: index * 4)
    }
    return bytes
  }

  /// Applies the final padding (§5.1.1) and returns the eight state words.
  private mutating func finishWords() -> InlineArray<8, UInt32> {
    let bitCount = totalByteCount &* 8
    var tail = InlineArray<128, UInt8>(repeating: 0)
    for index in 0..<pendingCount { tail[index] = pending[index] }
    tail[pendingCount] = 0x80
    // One block if the length field still fits after the 0x80 byte, else two.
    let tailBlocks = pendingCount < 56 ? 1 : 2
    let lengthOffset = tailBlocks * 64 - 8
    for index in 0..<8 {
      tail[lengthOffset + index] = UInt8(truncatingIfNeeded: bitCount >> (56 - 8 * UInt64(index)))
    }
    unsafe tail.span.withUnsafeBufferPointer { buffer in
      unsafe compress(blocks: buffer.baseAddress!, count: tailBlocks)
    }
    return state
  }

  // MARK: - Compression
  //
  // FIPS 180-4 §6.2.2, written out round by round. The eight working variables rotate roles
  // from one round to the next (b takes a's value, c takes b's, ...); instead of moving seven
  // values each round, round t names them shifted by t, so each round writes only the two
  // variables that really change (d += T1 and h = T1 + T2, FIPS's e and a of the next round).
  // The message schedule is a rolling window of sixteen locals: W[t] for t >= 16 needs only
  // W[t-2], W[t-7], W[t-15] and W[t-16], all within the last sixteen, and overwrites W[t-16].
  // The round constants (FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the
  // cube roots of the first 64 primes) are immediates. There is no loop inside a block, no
  // array, and so no bounds check; every operation is an addition, rotation or Boolean
  // function, so the time depends on the number of blocks only.

  @inline(__always)
  private static func rotateRight(_ value: UInt32, _ amount: UInt32) -> UInt32 {
    (value >> amount) | (value << (32 - amount))
  }

  /// One round: `d += T1` and `h = T1 + T2` (FIPS's new e and new a), with `kw` = K[t] + W[t].
  ///
  /// `bc` carries b ^ c in and leaves a ^ b, which is the next round's b ^ c: Maj(a, b, c) =
  /// b ^ ((a ^ b) & (b ^ c)) then costs three operations. The big sigmas nest their rotations
  /// (Σ1(e) = ROTR^6(ROTR^5(ROTR^14(e) ^ e) ^ e), and likewise Σ0), which needs fewer register
  /// copies than three independent rotations.
  @inline(__always)
  private static func round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32, _ bc: inout UInt32
  ) {
    let bigSigma1 = rotateRight(rotateRight(rotateRight(e, 14) ^ e, 5) ^ e, 6)
    // Ch(e, f, g) = (e & f) ^ (~e & g), computed as g ^ (e & (f ^ g)).
    let choose = g ^ (e & (f ^ g))
    let temp1 = h &+ bigSigma1 &+ choose &+ kw
    let bigSigma0 = rotateRight(rotateRight(rotateRight(a, 9) ^ a, 11) ^ a, 2)
    let ab = a ^ b
    let majority = b ^ (ab & bc)
    bc = ab
    d &+= temp1
    h = temp1 &+ bigSigma0 &+ majority
  }

  /// The schedule step W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16].
  @inline(__always)
  private static func expand(_ w16: UInt32, _ w2: UInt32, _ w7: UInt32, _ w15: UInt32)
    -> UInt32
  {
    let sigma0 = rotateRight(rotateRight(w15, 11) ^ w15, 7) ^ (w15 >> 3)
    let sigma1 = rotateRight(rotateRight(w2, 2) ^ w2, 17) ^ (w2 >> 10)
    return sigma1 &+ w7 &+ sigma0 &+ w16
  }

  /// The big-endian word at byte `offset` of a block.
  @inline(__always)
  private static func word(_ block: UnsafeRawPointer, _ offset: Int) -> UInt32 {
    UInt32(bigEndian: unsafe block.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  /// Runs the compression function over `count` consecutive 64-byte blocks at `blocks`.
  private mutating func compress(blocks: UnsafePointer<UInt8>, count: Int) {
    var a = state[0]
    var b = state[1]
    var c = state[2]
    var d = state[3]
    var e = state[4]
    var f = state[5]
    var g = state[6]
    var h = state[7]
    for blockIndex in 0..<count {
      let block = unsafe UnsafeRawPointer(blocks + blockIndex * 64)
      var w0 = unsafe Self.word(block, 0)
      var w1 = unsafe Self.word(block, 4)
      var w2 = unsafe Self.word(block, 8)
      var w3 = unsafe Self.word(block, 12)
      var w4 = unsafe Self.word(block, 16)
      var w5 = unsafe Self.word(block, 20)
      var w6 = unsafe Self.word(block, 24)
      var w7 = unsafe Self.word(block, 28)
      var w8 = unsafe Self.word(block, 32)
      var w9 = unsafe Self.word(block, 36)
      var w10 = unsafe Self.word(block, 40)
      var w11 = unsafe Self.word(block, 44)
      var w12 = unsafe Self.word(block, 48)
      var w13 = unsafe Self.word(block, 52)
      var w14 = unsafe Self.word(block, 56)
      var w15 = unsafe Self.word(block, 60)
      let (a0, b0, c0, d0, e0, f0, g0, h0) = (a, b, c, d, e, f, g, h)
      var bc = b ^ c
      Self.round(a, b, c, &d, e, f, g, &h, 0x428a_2f98 &+ w0, &bc)
      Self.round(h, a, b, &c, d, e, f, &g, 0x7137_4491 &+ w1, &bc)
      Self.round(g, h, a, &b, c, d, e, &f, 0xb5c0_fbcf &+ w2, &bc)
      Self.round(f, g, h, &a, b, c, d, &e, 0xe9b5_dba5 &+ w3, &bc)
      Self.round(e, f, g, &h, a, b, c, &d, 0x3956_c25b &+ w4, &bc)
      Self.round(d, e, f, &g, h, a, b, &c, 0x59f1_11f1 &+ w5, &bc)
      Self.round(c, d, e, &f, g, h, a, &b, 0x923f_82a4 &+ w6, &bc)
      Self.round(b, c, d, &e, f, g, h, &a, 0xab1c_5ed5 &+ w7, &bc)
      Self.round(a, b, c, &d, e, f, g, &h, 0xd807_aa98 &+ w8, &bc)
      Self.round(h, a, b, &c, d, e, f, &g, 0x1283_5b01 &+ w9, &bc)
      Self.round(g, h, a, &b, c, d, e, &f, 0x2431_85be &+ w10, &bc)
      Self.round(f, g, h, &a, b, c, d, &e, 0x550c_7dc3 &+ w11, &bc)
      Self.round(e, f, g, &h, a, b, c, &d, 0x72be_5d74 &+ w12, &bc)
      Self.round(d, e, f, &g, h, a, b, &c, 0x80de_b1fe &+ w13, &bc)
      Self.round(c, d, e, &f, g, h, a, &b, 0x9bdc_06a7 &+ w14, &bc)
      Self.round(b, c, d, &e, f, g, h, &a, 0xc19b_f174 &+ w15, &bc)
      w0 = Self.expand(w0, w14, w9, w1)
      Self.round(a, b, c, &d, e, f, g, &h, 0xe49b_69c1 &+ w0, &bc)
      w1 = Self.expand(w1, w15, w10, w2)
      Self.round(h, a, b, &c, d, e, f, &g, 0xefbe_4786 &+ w1, &bc)
      w2 = Self.expand(w2, w0, w11, w3)
      Self.round(g, h, a, &b, c, d, e, &f, 0x0fc1_9dc6 &+ w2, &bc)
      w3 = Self.expand(w3, w1, w12, w4)
      Self.round(f, g, h, &a, b, c, d, &e, 0x240c_a1cc &+ w3, &bc)
      w4 = Self.expand(w4, w2, w13, w5)
      Self.round(e, f, g, &h, a, b, c, &d, 0x2de9_2c6f &+ w4, &bc)
      w5 = Self.expand(w5, w3, w14, w6)
      Self.round(d, e, f, &g, h, a, b, &c, 0x4a74_84aa &+ w5, &bc)
      w6 = Self.expand(w6, w4, w15, w7)
      Self.round(c, d, e, &f, g, h, a, &b, 0x5cb0_a9dc &+ w6, &bc)
      w7 = Self.expand(w7, w5, w0, w8)
      Self.round(b, c, d, &e, f, g, h, &a, 0x76f9_88da &+ w7, &bc)
      w8 = Self.expand(w8, w6, w1, w9)
      Self.round(a, b, c, &d, e, f, g, &h, 0x983e_5152 &+ w8, &bc)
      w9 = Self.expand(w9, w7, w2, w10)
      Self.round(h, a, b, &c, d, e, f, &g, 0xa831_c66d &+ w9, &bc)
      w10 = Self.expand(w10, w8, w3, w11)
      Self.round(g, h, a, &b, c, d, e, &f, 0xb003_27c8 &+ w10, &bc)
      w11 = Self.expand(w11, w9, w4, w12)
      Self.round(f, g, h, &a, b, c, d, &e, 0xbf59_7fc7 &+ w11, &bc)
      w12 = Self.expand(w12, w10, w5, w13)
      Self.round(e, f, g, &h, a, b, c, &d, 0xc6e0_0bf3 &+ w12, &bc)
      w13 = Self.expand(w13, w11, w6, w14)
      Self.round(d, e, f, &g, h, a, b, &c, 0xd5a7_9147 &+ w13, &bc)
      w14 = Self.expand(w14, w12, w7, w15)
      Self.round(c, d, e, &f, g, h, a, &b, 0x06ca_6351 &+ w14, &bc)
      w15 = Self.expand(w15, w13, w8, w0)
      Self.round(b, c, d, &e, f, g, h, &a, 0x1429_2967 &+ w15, &bc)
      w0 = Self.expand(w0, w14, w9, w1)
      Self.round(a, b, c, &d, e, f, g, &h, 0x27b7_0a85 &+ w0, &bc)
      w1 = Self.expand(w1, w15, w10, w2)
      Self.round(h, a, b, &c, d, e, f, &g, 0x2e1b_2138 &+ w1, &bc)
      w2 = Self.expand(w2, w0, w11, w3)
      Self.round(g, h, a, &b, c, d, e, &f, 0x4d2c_6dfc &+ w2, &bc)
      w3 = Self.expand(w3, w1, w12, w4)
      Self.round(f, g, h, &a, b, c, d, &e, 0x5338_0d13 &+ w3, &bc)
      w4 = Self.expand(w4, w2, w13, w5)
      Self.round(e, f, g, &h, a, b, c, &d, 0x650a_7354 &+ w4, &bc)
      w5 = Self.expand(w5, w3, w14, w6)
      Self.round(d, e, f, &g, h, a, b, &c, 0x766a_0abb &+ w5, &bc)
      w6 = Self.expand(w6, w4, w15, w7)
      Self.round(c, d, e, &f, g, h, a, &b, 0x81c2_c92e &+ w6, &bc)
      w7 = Self.expand(w7, w5, w0, w8)
      Self.round(b, c, d, &e, f, g, h, &a, 0x9272_2c85 &+ w7, &bc)
      w8 = Self.expand(w8, w6, w1, w9)
      Self.round(a, b, c, &d, e, f, g, &h, 0xa2bf_e8a1 &+ w8, &bc)
      w9 = Self.expand(w9, w7, w2, w10)
      Self.round(h, a, b, &c, d, e, f, &g, 0xa81a_664b &+ w9, &bc)
      w10 = Self.expand(w10, w8, w3, w11)
      Self.round(g, h, a, &b, c, d, e, &f, 0xc24b_8b70 &+ w10, &bc)
      w11 = Self.expand(w11, w9, w4, w12)
      Self.round(f, g, h, &a, b, c, d, &e, 0xc76c_51a3 &+ w11, &bc)
      w12 = Self.expand(w12, w10, w5, w13)
      Self.round(e, f, g, &h, a, b, c, &d, 0xd192_e819 &+ w12, &bc)
      w13 = Self.expand(w13, w11, w6, w14)
      Self.round(d, e, f, &g, h, a, b, &c, 0xd699_0624 &+ w13, &bc)
      w14 = Self.expand(w14, w12, w7, w15)
      Self.round(c, d, e, &f, g, h, a, &b, 0xf40e_3585 &+ w14, &bc)
      w15 = Self.expand(w15, w13, w8, w0)
      Self.round(b, c, d, &e, f, g, h, &a, 0x106a_a070 &+ w15, &bc)
      w0 = Self.expand(w0, w14, w9, w1)
      Self.round(a, b, c, &d, e, f, g, &h, 0x19a4_c116 &+ w0, &bc)
      w1 = Self.expand(w1, w15, w10, w2)
      Self.round(h, a, b, &c, d, e, f, &g, 0x1e37_6c08 &+ w1, &bc)
      w2 = Self.expand(w2, w0, w11, w3)
      Self.round(g, h, a, &b, c, d, e, &f, 0x2748_774c &+ w2, &bc)
      w3 = Self.expand(w3, w1, w12, w4)
      Self.round(f, g, h, &a, b, c, d, &e, 0x34b0_bcb5 &+ w3, &bc)
      w4 = Self.expand(w4, w2, w13, w5)
      Self.round(e, f, g, &h, a, b, c, &d, 0x391c_0cb3 &+ w4, &bc)
      w5 = Self.expand(w5, w3, w14, w6)
      Self.round(d, e, f, &g, h, a, b, &c, 0x4ed8_aa4a &+ w5, &bc)
      w6 = Self.expand(w6, w4, w15, w7)
      Self.round(c, d, e, &f, g, h, a, &b, 0x5b9c_ca4f &+ w6, &bc)
      w7 = Self.expand(w7, w5, w0, w8)
      Self.round(b, c, d, &e, f, g, h, &a, 0x682e_6ff3 &+ w7, &bc)
      w8 = Self.expand(w8, w6, w1, w9)
      Self.round(a, b, c, &d, e, f, g, &h, 0x748f_82ee &+ w8, &bc)
      w9 = Self.expand(w9, w7, w2, w10)
      Self.round(h, a, b, &c, d, e, f, &g, 0x78a5_636f &+ w9, &bc)
      w10 = Self.expand(w10, w8, w3, w11)
      Self.round(g, h, a, &b, c, d, e, &f, 0x84c8_7814 &+ w10, &bc)
      w11 = Self.expand(w11, w9, w4, w12)
      Self.round(f, g, h, &a, b, c, d, &e, 0x8cc7_0208 &+ w11, &bc)
      w12 = Self.expand(w12, w10, w5, w13)
      Self.round(e, f, g, &h, a, b, c, &d, 0x90be_fffa &+ w12, &bc)
      w13 = Self.expand(w13, w11, w6, w14)
      Self.round(d, e, f, &g, h, a, b, &c, 0xa450_6ceb &+ w13, &bc)
      w14 = Self.expand(w14, w12, w7, w15)
      Self.round(c, d, e, &f, g, h, a, &b, 0xbef9_a3f7 &+ w14, &bc)
      w15 = Self.expand(w15, w13, w8, w0)
      Self.round(b, c, d, &e, f, g, h, &a, 0xc671_78f2 &+ w15, &bc)
      a &+= a0
      b &+= b0
      c &+= c0
      d &+= d0
      e &+= e0
      f &+= f0
      g &+= g0
      h &+= h0
    }
    state[0] = a
    state[1] = b
    state[2] = c
    state[3] = d
    state[4] = e
    state[5] = f
    state[6] = g
    state[7] = h
  }
}
