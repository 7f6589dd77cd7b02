// AES128+Lanes.swift: four AES-128 encryptions under four different keys in one bitsliced
// pass, for callers that run several independent CBC streams at once (the nested Fernet layers
// of the Secure API).
// References: FIPS 197 §5.1 (the cipher); T. Pornin, BearSSL aes_ct64 (four blocks in eight
// 64-bit slices, one lane per block).
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

// In the bitsliced layout (AES128+Bitsliced.swift) the byte at row r, column c of lane l sits at
// bit 16r + 4c + l of every slice, so lane l owns exactly the bits selected by
// 0x1111_1111_1111_1111 << l. An expanded key (AES128+KeySchedule.swift) holds the same round
// key in all four lanes; a schedule for four keys takes lane l's bits from the key of lane l.
// Nothing else in the cipher mixes lanes: SubBytes works bit position by bit position, and
// MixColumns and the SR^2 step move bits by multiples of four positions, that is within a lane.

/// AES-128 encryption of four blocks at once, each lane under its own key.
///
/// Keys are loaded into lanes one at a time and stay there until replaced, so a caller that
/// keeps running the same streams in the same lanes pays for a key change only when a lane's
/// stream changes. The mixed round keys live in memory that is overwritten with zeros when the
/// value goes away. Which key sits in which lane is the caller's business and should depend on
/// public information only; the work done never depends on keys or data.
package struct AES128Lanes: ~Copyable {
  /// The fixsliced round keys, lane l holding the key last loaded into it (zeros at first).
  private let roundKeys: SecretStorage<UInt64>

  /// Creates a four-lane cipher whose lanes all hold the all-zero round keys.
  ///
  /// - Timing: constant.
  package init() {
    roundKeys = SecretStorage<UInt64>(repeating: 0, count: AES128.roundKeySliceCount)
  }

  /// The bits of lane `lane` (0...3) in every slice.
  @inline(__always)
  static func laneMask(_ lane: Int) -> UInt64 {
    0x1111_1111_1111_1111 &<< UInt64(truncatingIfNeeded: lane)
  }

  /// Replaces the key of lane `lane` with the key of `cipher`; the other lanes keep theirs.
  ///
  /// - Parameters:
  ///   - cipher: The cipher whose key to copy.
  ///   - lane: The lane, 0...3.
  /// - Timing: constant.
  package func load(_ cipher: borrowing AES128, intoLane lane: Int) {
    precondition(lane >= 0 && lane < 4, "AES128Lanes has four lanes")
    let mask = Self.laneMask(lane)
    roundKeys.withMutableSpan { mixed in
      // Through raw pointers, so that the loop runs with a constant count and no bounds
      // checks: both buffers hold `AES128.roundKeySliceCount` slices (each SecretStorage was
      // made with that count), checked once here.
      precondition(mixed.count == AES128.roundKeySliceCount, "a whole schedule")
      unsafe mixed.withUnsafeMutableBufferPointer { target in
        unsafe cipher.roundKeys.withUnsafeBufferPointer { key in
          precondition(key.count == AES128.roundKeySliceCount, "a whole schedule")
          for index in 0..<AES128.roundKeySliceCount {
            unsafe target[index] ^= (target[index] ^ key[index]) & mask
          }
        }
      }
    }
  }

  /// Encrypts four blocks in place, block l with the key of lane l.
  ///
  /// - Parameter words: The four plaintext blocks as little-endian words: block l is
  ///   `words[2 * l]` (its bytes 0...7, byte 0 the lowest) and `words[2 * l + 1]` (bytes
  ///   8...15). Replaced by the ciphertexts in the same form.
  /// - Timing: constant.
  package func encrypt(words: inout InlineArray<8, UInt64>) {
    var state = AES128.BitslicedState(packingWords: words)
    unsafe roundKeys.withUnsafeBufferPointer { keys in
      unsafe state.encrypt(roundKeys: keys)
    }
    state.unpack(intoWords: &words)
  }
}

extension AES128.BitslicedState {
  /// Packs four blocks given as pairs of little-endian words (lane l: `words[2l]` and
  /// `words[2l + 1]`), as `init(packing:)` packs blocks of bytes.
  @inline(__always)
  init(packingWords words: borrowing InlineArray<8, UInt64>) {
    let (e0, o0) = Self.interleave(front: words[0], back: words[1])
    let (e1, o1) = Self.interleave(front: words[2], back: words[3])
    let (e2, o2) = Self.interleave(front: words[4], back: words[5])
    let (e3, o3) = Self.interleave(front: words[6], back: words[7])
    (s0, s1, s2, s3, s4, s5, s6, s7) = (e0, e1, e2, e3, o0, o1, o2, o3)
    transpose()
  }

  /// Unpacks the four lanes into pairs of little-endian words, the inverse of
  /// `init(packingWords:)`.
  @inline(__always)
  func unpack(intoWords words: inout InlineArray<8, UInt64>) {
    var slices = self
    slices.transpose()
    (words[0], words[1]) = Self.deinterleave(slices.s0, slices.s4)
    (words[2], words[3]) = Self.deinterleave(slices.s1, slices.s5)
    (words[4], words[5]) = Self.deinterleave(slices.s2, slices.s6)
    (words[6], words[7]) = Self.deinterleave(slices.s3, slices.s7)
  }
}
