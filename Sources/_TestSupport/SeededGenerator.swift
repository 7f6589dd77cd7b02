// SeededGenerator.swift: a reproducible random number generator for tests (SplitMix64).
// SPDX-License-Identifier: Apache-2.0

/// A deterministic generator: the same seed gives the same sequence on every run and platform.
/// Tests print or name their seed so a failure can be replayed. Never use it for real keys.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// The seed this generator started from.
  public let seed: UInt64

  /// Creates a generator from `seed`.
  public init(seed: UInt64) {
    self.seed = seed
    state = seed
  }

  /// The next 64 random bits (SplitMix64, Steele, Lea and Flood 2014).
  public mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }

  /// `count` random bytes.
  public mutating func bytes(_ count: Int) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
  }
}
