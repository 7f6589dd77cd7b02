// PKCS7Tests.swift: PKCS #7 padding, and rejection of every malformed final block.
// Reference: RFC 5652 §6.3.
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import Testing

@Suite struct PKCS7Tests {
  @Test("padding counts", arguments: [(0, 16), (1, 15), (15, 1), (16, 16), (17, 15), (32, 16)])
  func paddingCounts(length: Int, expected: Int) {
    #expect(PKCS7.paddingCount(forLength: length) == expected)
  }

  @Test("padding for an 8-byte block size") func otherBlockSize() throws {
    let message: [UInt8] = [1, 2, 3]
    let padded = PKCS7.padded(message.span, blockByteCount: 8)
    #expect(padded == [1, 2, 3, 5, 5, 5, 5, 5])
    #expect(try PKCS7.unpaddedCount(of: padded.span, blockByteCount: 8) == 3)
    let full = PKCS7.padded([UInt8](repeating: 0xAA, count: 8).span, blockByteCount: 8)
    #expect(full.suffix(8) == [8, 8, 8, 8, 8, 8, 8, 8])
  }

  @Test("round trip for every length from 0 to 48") func roundTrip() throws {
    for length in 0...48 {
      let message = (0..<length).map { UInt8(truncatingIfNeeded: 0xA0 &+ $0) }
      let padded = PKCS7.padded(message.span)
      let padding = 16 - length % 16
      #expect(padded.count == length + padding, "length \(length)")
      #expect(Array(padded.prefix(length)) == message, "length \(length)")
      #expect(padded.suffix(padding).allSatisfy { $0 == UInt8(padding) }, "length \(length)")
      #expect(try PKCS7.unpaddedCount(of: padded.span) == length, "length \(length)")
    }
  }

  @Test("a final byte of 0 or above 16 is rejected", arguments: [0] + Array(17...255))
  func padValueOutOfRange(value: Int) {
    var block = [UInt8](repeating: UInt8(value), count: 16)
    block[15] = UInt8(value)
    #expect(throws: CipherError.invalidPadding) { _ = try PKCS7.unpaddedCount(of: block.span) }
    let twoBlocks = [UInt8](repeating: 16, count: 16) + block
    #expect(throws: CipherError.invalidPadding) {
      _ = try PKCS7.unpaddedCount(of: twoBlocks.span)
    }
  }

  @Test("a wrong byte at any position covered by the padding is rejected", arguments: 2...16)
  func wrongPaddingByte(padding: Int) throws {
    let valid =
      [UInt8](repeating: 0x33, count: 32 - padding)
      + [UInt8](repeating: UInt8(padding), count: padding)
    #expect(try PKCS7.unpaddedCount(of: valid.span) == 32 - padding)
    for distance in 1..<padding {
      for wrong: UInt8 in [0, UInt8(padding) ^ 0x01, UInt8(padding) ^ 0x80, 0xFF] {
        var corrupted = valid
        corrupted[31 - distance] = wrong
        #expect(throws: CipherError.invalidPadding, "padding \(padding), distance \(distance)") {
          _ = try PKCS7.unpaddedCount(of: corrupted.span)
        }
      }
    }
  }

  @Test("bytes before the padding are not examined") func bytesBeforePadding() throws {
    for padding in 1...15 {
      var block = [UInt8](repeating: UInt8(padding), count: 16)
      block[15 - padding] = UInt8(padding) &+ 1
      #expect(try PKCS7.unpaddedCount(of: block.span) == 16 - padding, "padding \(padding)")
    }
  }

  @Test("empty or misaligned input is rejected", arguments: [0, 1, 15, 17, 31])
  func misaligned(length: Int) {
    let data = [UInt8](repeating: 1, count: length)
    #expect(throws: CipherError.notBlockAligned) { _ = try PKCS7.unpaddedCount(of: data.span) }
  }
}
