// Base64URLTests.swift: RFC 4648 examples, the whole alphabet, and every rejection rule.
// SPDX-License-Identifier: Apache-2.0

import Encodings
import Testing
import _TestSupport

@Suite struct Base64URLTests {
  /// RFC 4648 §10 test vectors (these strings use no character where base64 and base64url differ).
  @Test(arguments: [
    ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
    ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
  ])
  func rfc4648Examples(plain: String, encoded: String) throws {
    #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
    #expect(try Base64URL.decode(encoded) == Array(plain.utf8))
    let unpadded = String(encoded.prefix { $0 != "=" })
    #expect(Base64URL.encode(Array(plain.utf8), padding: .omitted) == unpadded)
    #expect(try Base64URL.decode(unpadded, padding: .omitted) == Array(plain.utf8))
    #expect(try Base64URL.decode(unpadded, padding: .optional) == Array(plain.utf8))
    #expect(try Base64URL.decode(encoded, padding: .optional) == Array(plain.utf8))
  }

  /// Every 6-bit value maps to the RFC 4648 §5 alphabet and back.
  @Test func wholeAlphabet() throws {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    // 48 bytes holding the values 0, 1, ..., 63 as consecutive 6-bit groups.
    var bits: [UInt8] = []
    var accumulator: UInt32 = 0
    var count = 0
    for value in 0..<64 {
      accumulator = accumulator << 6 | UInt32(value)
      count += 6
      while count >= 8 {
        count -= 8
        bits.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(count)))
      }
    }
    let text = Base64URL.encode(bits)
    #expect(Array(text.utf8) == alphabet)
    #expect(try Base64URL.decode(text) == bits)
  }

  /// Every byte outside the alphabet is rejected at its offset, wherever it stands: in the
  /// two groups the decoder takes as one word, in an odd last whole group, and in a partial
  /// final group.
  @Test func everyInvalidCharacter() {
    let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    for byte in UInt8.min...UInt8.max where !alphabet.contains(byte) && byte != UInt8(ascii: "=") {
      for position in 0..<15 {
        var text = Array("QUJDREVGSElKS0w".utf8)
        text[position] = byte
        #expect(throws: EncodingError.invalidCharacter(offset: position)) {
          try Base64URL.decode(text.span, padding: .omitted)
        }
      }
    }
  }

  @Test func rejectsNonCanonicalForms() {
    let cases: [(String, Base64URL.Padding, EncodingError)] = [
      ("Zg", .required, .invalidLength),
      ("Zg=", .required, .invalidPadding),
      ("Zg===", .required, .invalidPadding),
      ("Zm8==", .required, .invalidPadding),
      ("Zm9v====", .required, .invalidPadding),
      ("Zh==", .required, .nonZeroTrailingBits(offset: 1)),
      ("Zm9=", .required, .nonZeroTrailingBits(offset: 2)),
      ("Z===", .required, .invalidPadding),
      ("Zg=a", .required, .invalidCharacter(offset: 2)),
      ("Zg==", .omitted, .invalidPadding),
      ("Z", .omitted, .invalidLength),
      ("Zm9vY", .optional, .invalidLength),
      ("Zg=", .optional, .invalidPadding),
      ("Zm+v", .required, .invalidCharacter(offset: 2)),
      ("Zm/v", .required, .invalidCharacter(offset: 2)),
      (" Zm9v", .required, .invalidLength),
      ("Zm9v\n", .required, .invalidLength),
      ("Zm=v", .required, .invalidCharacter(offset: 2)),
    ]
    for (text, padding, error) in cases {
      #expect(throws: error, "\(text) with \(padding)") {
        try Base64URL.decode(text, padding: padding)
      }
    }
  }

  /// Random round trips at every length 0...200 and every padding mode. Seed 0x6236345f.
  @Test func randomRoundTrips() throws {
    var rng = SeededGenerator(seed: 0x6236_345f)
    for length in 0...200 {
      let bytes = rng.bytes(length)
      for padding in [Base64URL.Padding.required, .optional, .omitted] {
        let text = Base64URL.encode(bytes, padding: padding)
        #expect(text.utf8.count == Base64URL.encodedCount(of: length, padding: padding))
        #expect(try Base64URL.decode(text, padding: padding) == bytes)
      }
    }
  }

  @Test func decodeAppendingLeavesOutputUnchangedOnError() {
    var output: [UInt8] = [1, 2, 3]
    #expect(throws: EncodingError.invalidCharacter(offset: 3)) {
      try Base64URL.decode(Array("AAA*".utf8).span, appendingTo: &output)
    }
    #expect(output == [1, 2, 3])
  }
}

@Suite struct HexTests {
  @Test func roundTripAllBytes() throws {
    let bytes = (0...255).map { UInt8($0) }
    let text = Hex.encode(bytes)
    #expect(text == VectorHex.encode(bytes))
    #expect(try Hex.decode(text) == bytes)
    #expect(try Hex.decode(text.uppercased()) == bytes)
    #expect(try Hex.decode("") == [])
  }

  @Test func rejections() {
    #expect(throws: EncodingError.invalidLength) { try Hex.decode("abc") }
    #expect(throws: EncodingError.invalidCharacter(offset: 1)) { try Hex.decode("0g") }
    #expect(throws: EncodingError.invalidCharacter(offset: 2)) { try Hex.decode("00 1") }
    #expect(throws: EncodingError.invalidCharacter(offset: 0)) { try Hex.decode("x0y1") }
  }
}
