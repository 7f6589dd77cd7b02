// SecureAPITests.swift: the protocol module: key files, timestamps, frames, masking, the
// 16-layer channel and the replay rules, including every bad-input path.
// SPDX-License-Identifier: Apache-2.0

import Encodings
import Fernet
import SHA2
import SecureAPI
import Testing
import _TestSupport

/// A standard 512-character key file from a seeded generator.
func testKeyFile(seed: UInt64) -> KeyFile {
  var rng = SeededGenerator(seed: seed)
  return KeyFile.generate(using: &rng)
}

@Suite struct KeyFileTests {
  @Test func generatedFilesUseTheAlphabetUniformly() throws {
    var rng = SeededGenerator(seed: 0x6b65_79)
    var counts = [UInt8: Int]()
    for _ in 0..<40 {
      let file = KeyFile.generate(using: &rng)
      let bytes = file.serialized()
      #expect(bytes.count == 512)
      for byte in bytes { counts[byte, default: 0] += 1 }
    }
    #expect(Set(counts.keys) == Set(KeyFile.alphabet))
    // 20,480 draws over 62 characters: about 330 each. A bias from `byte % 62` without
    // rejection would make the first 8 characters about 25% more frequent than the rest.
    let firstEight = KeyFile.alphabet.prefix(8).map { counts[$0] ?? 0 }.reduce(0, +)
    let lastEight = KeyFile.alphabet.suffix(8).map { counts[$0] ?? 0 }.reduce(0, +)
    #expect(Double(firstEight) / Double(lastEight) < 1.15)
  }

  @Test func mixedEntropyChangesTheKeyButKeepsTheFormat() throws {
    var first = SeededGenerator(seed: 1)
    var second = SeededGenerator(seed: 1)
    let plain = KeyFile.generate(using: &first).serialized()
    let mixed = KeyFile.generate(using: &second, mixing: Array("typed at the keyboard".utf8))
      .serialized()
    #expect(plain != mixed)
    #expect(mixed.count == 512 && mixed.allSatisfy { KeyFile.alphabet.contains($0) })
  }

  @Test func layerKeysAndIdentifier() throws {
    let text = Array(String(repeating: "abcdefghijklmnopqrstuvwxyz012345", count: 16).utf8)
    let file = try KeyFile(contents: text)
    let ring = file.keyRing()
    #expect(ring.layerCount == 16)
    #expect(ring.shaHex == Array(SHA224.hash(text).hexString.utf8))
    // 40 bytes: one layer; the extra 8 bytes still count in the SHA-224.
    let short = try KeyFile(contents: Array(text[0..<40]))
    #expect(short.keyRing().layerCount == 1)
    #expect(short.keyRing().shaHex == Array(SHA224.hash(Array(text[0..<40])).hexString.utf8))
  }

  @Test func invalidFilesAreRefusedPrecisely() {
    let good = Array(String(repeating: "k", count: 512).utf8)
    #expect(throws: ProtocolError.invalidKeyFile(.empty)) { _ = try KeyFile(contents: []) }
    #expect(throws: ProtocolError.invalidKeyFile(.tooShort(byteCount: 31))) {
      _ = try KeyFile(contents: Array(good[0..<31]))
    }
    #expect(throws: ProtocolError.invalidKeyFile(.nonPrintable(offset: 512))) {
      _ = try KeyFile(contents: good + [0x0a])
    }
    var nonASCII = good
    nonASCII[100] = 0xc3
    #expect(throws: ProtocolError.invalidKeyFile(.nonASCII(offset: 100))) {
      _ = try KeyFile(contents: nonASCII)
    }
    var tab = good
    tab[7] = 0x09
    #expect(throws: ProtocolError.invalidKeyFile(.nonPrintable(offset: 7))) {
      _ = try KeyFile(contents: tab)
    }
    #expect(
      ProtocolError.invalidKeyFile(.nonPrintable(offset: 512)).description.contains("newline"))
  }
}

@Suite struct TimestampTests {
  @Test func wireFormMatchesPython() throws {
    // format(1796412688.6698, '.4f').rjust(20, '0'), the report's example.
    let time = Timestamp(ticks: 17_964_126_886_698)
    #expect(time.description == "000001796412688.6698")
    #expect(try Timestamp(field: Array("000001796412688.6698".utf8).span) == time)
    #expect(Timestamp(seconds: 1, nanoseconds: 999_950_000).description == "000000000000002.0000")
    #expect(Timestamp(seconds: 0).description == "000000000000000.0000")
    #expect(Timestamp.maximum.description == "999999999999999.9999")
    #expect(Timestamp(ticks: .max).description == "999999999999999.9999")
  }

  @Test(arguments: [
    "00000000000000000nan", "             nan", "0000001796412688.669", "000001796412688,6698",
    "00000-796412688.6698", "+00001796412688.6698", "000001796412688.669 ", "00000179641268.86698",
    "0000001796412688.66", "000001796412688.66980", "", "0x0001796412688.6698",
    "1e+0001796412688.66",
  ])
  func strictParsing(_ text: String) {
    #expect(throws: ProtocolError.malformedFrame(.invalidTime)) {
      try Timestamp(field: Array(text.utf8).span)
    }
  }
}

@Suite struct MaskingTests {
  @Test func everyMaskLengthRoundTrips() throws {
    let ring = testKeyFile(seed: 2).keyRing()
    let body = Array("000001796412688.6698put21.5C".utf8)
    for length in 1...1000 {
      let mask = [UInt8](repeating: UInt8(ascii: "q"), count: length)
      let frame = Masking.wrap(body.span, shaHex: ring.shaHex, mask: mask.span)
      #expect(frame.count == 135 + (body.count - 23) + length)  // wire document §3: 135 + n + r
      let identifier = frame.suffix(56)
      for position in 0..<56 {
        let marked = identifier[identifier.startIndex + position] == UInt8(ascii: "x")
        #expect(marked == (position < 10 && (length >> position) & 1 == 1))
      }
      #expect(try Masking.unwrap(frame.span, ring: ring) == body)
    }
  }

  @Test func reportExampleIdentifier() throws {
    let ring = testKeyFile(seed: 3).keyRing()
    let empty: [UInt8] = []
    let mask = Array("123456789".utf8)
    let frame = Masking.wrap(empty.span, shaHex: ring.shaHex, mask: mask.span)
    let identifier = Array(frame.suffix(56))
    // r = 9 = 2^0 + 2^3: 'x' at positions 0 and 3 only.
    #expect(identifier[0] == UInt8(ascii: "x") && identifier[3] == UInt8(ascii: "x"))
    #expect(identifier.filter { $0 == UInt8(ascii: "x") }.count == 2)
  }

  @Test func badFramesAreRefused() throws {
    let ring = testKeyFile(seed: 4).keyRing()
    let body = Array("body".utf8)
    let abc = Array("abc".utf8)
    let good = Masking.wrap(body.span, shaHex: ring.shaHex, mask: abc.span)
    func refuses(_ frame: [UInt8], _ problem: FrameProblem, _ comment: Comment) {
      #expect(throws: ProtocolError.malformedFrame(problem), comment) {
        try Masking.unwrap(frame.span, ring: ring)
      }
    }
    refuses(Array(good.prefix(112)), .tooShort, "shorter than prefix and identifier")
    var prefix = good
    prefix[5] ^= 1
    refuses(prefix, .shaMismatch, "prefix changed")
    let otherRing = testKeyFile(seed: 5).keyRing()
    refuses(
      Masking.wrap(body.span, shaHex: otherRing.shaHex, mask: abc.span), .shaMismatch,
      "another key's SHA-224")
    var identifier = good
    identifier[good.count - 1] ^= 1
    refuses(identifier, .invalidIdentifier, "identifier character changed")
    var lateX = good
    lateX[good.count - 56 + 10] = UInt8(ascii: "x")
    refuses(lateX, .invalidIdentifier, "x in position 10 (r would exceed 1023)")

    // r = 0: an identifier with no 'x' at all.
    var zero = Array(good.prefix(good.count - 56))
    zero.append(contentsOf: ring.shaHex)
    refuses(zero, .invalidMaskLength, "r = 0")
    // r = 1001..1023: bits 0, 3, 5, 6, 7, 8, 9 give 1001.
    var tooLong = [UInt8](ring.shaHex)
    tooLong.append(contentsOf: body)
    tooLong.append(contentsOf: [UInt8](repeating: UInt8(ascii: "a"), count: 1001))
    var marks = ring.shaHex
    for bit in 0..<10 where (1001 >> bit) & 1 == 1 { marks[bit] = UInt8(ascii: "x") }
    tooLong.append(contentsOf: marks)
    refuses(tooLong, .invalidMaskLength, "r = 1001")
    // r larger than the frame holds.
    var overlong = good
    let tail = overlong.count - 56
    overlong[tail + 9] = UInt8(ascii: "x")
    refuses(overlong, .invalidMaskLength, "r = 515 in a short frame")
  }
}

@Suite struct SecureChannelTests {
  @Test(arguments: [0, 16, 1000, 10_000])
  func sealAndOpen(messageLength: Int) throws {
    var rng = SeededGenerator(seed: 0x5365_616c + UInt64(messageLength))
    let ring = testKeyFile(seed: 6).keyRing()
    let frame = MessageFrame(
      time: Timestamp(ticks: 17_964_126_886_698), code: .put,
      payload: Array(String(repeating: "température 21°C ✓ ", count: 1).utf8).prefix(messageLength)
        + rng.bytes(max(0, messageLength - 27)))
    let token = SecureChannel.seal(frame, ring: ring, fernetTime: 1_796_412_688, using: &rng)
    #expect(try SecureChannel.open(token, ring: ring) == frame)
    // Every layer is a standard Fernet token stamped with the given time.
    let outer = try FernetKey(rawBytes: Array(testKeyFile(seed: 6).serialized()[480..<512]))
    #expect(try outer.extractTimestamp(token) == 1_796_412_688)
  }

  @Test func failuresAtAnyLayerAreUndecryptable() throws {
    var rng = SeededGenerator(seed: 0x6c61_79)
    let file = testKeyFile(seed: 7)
    let ring = file.keyRing()
    let keyBytes = file.serialized()
    let token = SecureChannel.seal(
      MessageFrame(time: Timestamp(ticks: 1), code: .get), ring: ring, fernetTime: 5, using: &rng)
    #expect(throws: ProtocolError.undecryptable) {
      try SecureChannel.open(String(token.dropLast(4)), ring: ring)
    }
    #expect(throws: ProtocolError.undecryptable) {
      try SecureChannel.open(token, ring: testKeyFile(seed: 8).keyRing())
    }
    #expect(throws: ProtocolError.undecryptable) { try SecureChannel.open("", ring: ring) }
    // Peel the outer layers one by one and tamper with the token at each depth: re-wrapping the
    // tampered inner token with the right outer keys still fails, at the tampered layer.
    var layers: [String] = [token]
    for layer in stride(from: 15, to: 0, by: -1) {
      let key = try FernetKey(rawBytes: Array(keyBytes[(32 * layer)..<(32 * layer + 32)]))
      layers.append(String(decoding: try key.decrypt(layers.last!), as: UTF8.self))
    }
    for depth in 0..<16 {
      let layer = 15 - depth
      var data = try Base64URL.decode(layers[depth])
      data[data.count / 2] ^= 0x01
      var rewrapped = Base64URL.encode(data)
      for outerLayer in (layer + 1)..<16 {
        let key = try FernetKey(
          rawBytes: Array(keyBytes[(32 * outerLayer)..<(32 * outerLayer + 32)]))
        rewrapped = key.encrypt(Array(rewrapped.utf8), at: 5, using: &rng)
      }
      #expect(throws: ProtocolError.undecryptable, "tampered at layer \(layer)") {
        try SecureChannel.open(rewrapped, ring: ring)
      }
    }
  }

  @Test func tokenSizeIsAboutAHundredTimesTheFrame() throws {
    var rng = SeededGenerator(seed: 0x7369_7a65)
    let ring = testKeyFile(seed: 9).keyRing()
    var total = 0
    for _ in 0..<20 {
      let frame = MessageFrame(time: Timestamp(ticks: 1), code: .put, payload: rng.bytes(16))
      total += SecureChannel.seal(frame, ring: ring, fernetTime: 1, using: &rng).utf8.count
    }
    // The wire document: about 89 KB for a 16-character reading with an average mask.
    let mean = total / 20
    #expect((60_000...120_000).contains(mean), "mean token \(mean) bytes")
  }
}

@Suite struct ReplayGuardTests {
  let now = Timestamp(seconds: 1_796_412_688)

  @Test func windowIsFiveSecondsInclusive() {
    let guardian = ReplayGuard()
    let window = ReplayGuard.window
    #expect(guardian.check(Timestamp(ticks: now.ticks - window), now: now) == .accepted)
    #expect(guardian.check(Timestamp(ticks: now.ticks - window - 1), now: now) == .stale)
    #expect(guardian.check(Timestamp(ticks: now.ticks + window), now: now) == .accepted)
    #expect(guardian.check(Timestamp(ticks: now.ticks + window + 1), now: now) == .fromTheFuture)
  }

  @Test func storesMustBeStrictlyNewer() {
    var guardian = ReplayGuard()
    let first = Timestamp(ticks: now.ticks - 10)
    #expect(guardian.admit(first, now: now) == .accepted)
    #expect(guardian.admit(first, now: now) == .replayed)
    #expect(guardian.admit(Timestamp(ticks: first.ticks - 1), now: now) == .replayed)
    #expect(guardian.admit(Timestamp(ticks: first.ticks + 1), now: now) == .accepted)
    #expect(guardian.lastAccepted == Timestamp(ticks: first.ticks + 1))
    // A rejected stale store does not move the mark.
    var other = ReplayGuard(lastAccepted: first)
    #expect(other.admit(Timestamp(ticks: now.ticks + 60_000), now: now) == .fromTheFuture)
    #expect(other.lastAccepted == first)
  }
}
