// SHA256+Compression.swift: the SHA-256 block function and the buffering shared by SHA-224 and
// SHA-256.
// Reference: FIPS 180-4 §4.1.2 (functions), §4.2.2 (constants), §5.1.1 (padding), §6.2.2
// (computation).
// SPDX-License-Identifier: Apache-2.0

/// The running state of SHA-256 (and of SHA-224, which differs only in its initial values and in
/// how much of the final state it outputs).
///
/// Every operation runs in time that depends only on the number of bytes absorbed: the
/// compression function uses only additions, rotations and Boolean functions, and the round
/// constants are indexed by the public round number.
package struct SHA256Engine: Sendable {
  private var state: InlineArray<8, UInt32>
  private var pending: InlineArray<64, UInt8> = InlineArray(repeating: 0)
  private var pendingCount = 0
  private var totalByteCount: UInt64 = 0

  package init(initialState: InlineArray<8, UInt32>) {
    state = initialState
  }

  // FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
  // 64 primes.
  private static let roundConstants: InlineArray<64, UInt32> = [
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

  /// Applies the final padding (§5.1.1) and returns the eight state words.
  package mutating func finish() -> InlineArray<8, UInt32> {
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

  @inline(__always)
  private static func rotateRight(_ value: UInt32, _ amount: UInt32) -> UInt32 {
    (value >> amount) | (value << (32 - amount))
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
    // The message schedule is kept as a rolling window of 16 words: W[t] for t >= 16 only needs
    // W[t-2], W[t-7], W[t-15] and W[t-16], which are all within the last 16.
    var schedule = InlineArray<16, UInt32>(repeating: 0)
    for blockIndex in 0..<count {
      let block = unsafe UnsafeRawPointer(blocks + blockIndex * 64)
      for t in 0..<16 {
        schedule[t] = UInt32(
          bigEndian: unsafe block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
      }
      let (a0, b0, c0, d0, e0, f0, g0, h0) = (a, b, c, d, e, f, g, h)
      for t in 0..<64 {
        let word: UInt32
        if t < 16 {
          word = schedule[t]
        } else {
          let w15 = schedule[(t - 15) & 15]
          let w2 = schedule[(t - 2) & 15]
          let sigma0 = Self.rotateRight(w15, 7) ^ Self.rotateRight(w15, 18) ^ (w15 >> 3)
          let sigma1 = Self.rotateRight(w2, 17) ^ Self.rotateRight(w2, 19) ^ (w2 >> 10)
          word = sigma1 &+ schedule[(t - 7) & 15] &+ sigma0 &+ schedule[t & 15]
          schedule[t & 15] = word
        }
        let bigSigma1 = Self.rotateRight(e, 6) ^ Self.rotateRight(e, 11) ^ Self.rotateRight(e, 25)
        let choose = (e & f) ^ (~e & g)
        let temp1 = h &+ bigSigma1 &+ choose &+ Self.roundConstants[t] &+ word
        let bigSigma0 = Self.rotateRight(a, 2) ^ Self.rotateRight(a, 13) ^ Self.rotateRight(a, 22)
        let majority = (a & b) ^ (a & c) ^ (b & c)
        let temp2 = bigSigma0 &+ majority
        h = g
        g = f
        f = e
        e = d &+ temp1
        d = c
        c = b
        b = a
        a = temp1 &+ temp2
      }
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
