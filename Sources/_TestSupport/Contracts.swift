// Contracts.swift: behaviour every HashFunction must show, checked the same way for each.
// SPDX-License-Identifier: Apache-2.0

import SHA2
import Testing

/// Contract checks shared by all hash functions.
public enum HashContracts {
  /// Checks, for `H`, that chunked input, byte-at-a-time input and a forked state all give the
  /// digest of the whole input, over lengths around every block boundary.
  public static func check<H: HashFunction>(
    _: H.Type, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var rng = SeededGenerator(seed: seed)
    let message = rng.bytes(4 * H.blockByteCount + 7)
    for length in 0...message.count {
      let input = Array(message[0..<length])
      let whole = H.hash(input)

      var bytewise = H()
      for byte in input { bytewise.update([byte]) }
      #expect(
        bytewise.finalize() == whole, "byte at a time, length \(length)",
        sourceLocation: sourceLocation)

      let split = Int.random(in: 0...length, using: &rng)
      var chunked = H()
      chunked.update(Array(input[0..<split]))
      chunked.update([])
      chunked.update(Array(input[split...]))
      #expect(
        chunked.finalize() == whole, "split at \(split), length \(length)",
        sourceLocation: sourceLocation)

      var prefix = H()
      prefix.update(Array(input[0..<split]))
      var fork = prefix
      fork.update(Array(input[split...]))
      prefix.update(Array(input[split...]))
      #expect(
        fork.finalize() == whole, "forked state, length \(length)", sourceLocation: sourceLocation)
      #expect(
        prefix.finalize() == whole, "original after fork, length \(length)",
        sourceLocation: sourceLocation)
    }
  }
}
