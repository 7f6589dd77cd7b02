// SplitMix64.swift: the deterministic generator the board programs seal with. TEST ONLY: real
// firmware passes a generator backed by its hardware random source. Compiled into both the
// self-test and the footprint program by Scripts/embedded-qemu.sh.
// SPDX-License-Identifier: Apache-2.0

/// SplitMix64 (Steele, Lea and Flood, 2014): a fixed sequence from a seed, for repeatable runs.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  /// Starts the sequence at `seed`.
  init(seed: UInt64) {
    state = seed
  }

  /// The next 64 bits of the sequence.
  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
