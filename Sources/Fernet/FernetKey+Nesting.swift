// FernetKey+Nesting.swift: a Fernet token inside a Fernet token inside ..., computed with
// several layers in flight so that the four lanes of the bitsliced AES work at once.
// References: the Fernet specification (github.com/fernet/spec, Spec.md); NIST SP 800-38A §6.2
// (CBC); RFC 4648 §5 (base64url); DESIGN.md §12 (independent streams in the nested seal).
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import Encodings
import MessageAuthentication
import SHA2

/// A Fernet key held by reference, so that a variable number of keys can share one array.
package final class FernetKeyBox {
  /// The key.
  package let key: FernetKey

  /// Boxes `key`.
  package init(_ key: consuming FernetKey) {
    self.key = key
  }
}

extension FernetKey {
  /// Encrypts `message` with `keys[0]`, that token's text with `keys[1]`, and so on, and returns
  /// the outermost token's text.
  ///
  /// The result is byte for byte that of the sequential composition: layer k is
  /// `keys[k].key.encryptToASCII(M_k, at: timestamp, iv: ivs[k])` with `M_0 = message` and
  /// `M_(k+1)` the text of layer k. It is computed in one pass with up to four layers in
  /// flight (see `NestedEncryption`): besides the returned text, the only buffers take under a
  /// kilobyte per layer.
  ///
  /// - Parameters:
  ///   - message: The innermost plaintext, of any length.
  ///   - keys: The layer keys, innermost first; at least one.
  ///   - timestamp: The Fernet timestamp of every layer, in Unix seconds.
  ///   - ivs: One IV per layer, innermost first; each must be unpredictable.
  /// - Returns: The outermost token text as ASCII bytes.
  /// - Timing: depends on the message length and the layer count only.
  package static func encryptNested(
    _ message: Span<UInt8>, keys: [FernetKeyBox], at timestamp: UInt64,
    ivs: [InlineArray<16, UInt8>]
  ) -> [UInt8] {
    precondition(!keys.isEmpty, "nesting needs at least one layer")
    precondition(ivs.count == keys.count, "one IV per layer")
    var engine = NestedEncryption(messageByteCount: message.count, keys: keys)
    var hashBuffers = [UInt8](
      repeating: 0, count: keys.count * NestedEncryption.hashRingStride)
    var text = [UInt8](repeating: 0, count: (keys.count - 1) * NestedEncryption.textRingByteCount)
    var output = [UInt8](repeating: 0, count: engine.layers[keys.count - 1].textCount)
    do {
      var hashSpan = hashBuffers.mutableSpan
      var textSpan = text.mutableSpan
      var outputSpan = output.mutableSpan
      for index in keys.indices {
        engine.start(
          layer: index, at: timestamp, iv: ivs[index], hashBuffers: &hashSpan, text: &textSpan,
          output: &outputSpan)
      }
      engine.run(
        message, cipher: AES128Lanes(), hashBuffers: &hashSpan, text: &textSpan,
        output: &outputSpan)
    }
    return output
  }
}

// MARK: - The pipelined engine
//
// Layer k turns its input M_k (n_k bytes) into the text T_k = base64url(R_k) of its raw token
// R_k = 0x80 | timestamp | IV | C_k | HMAC(R_k without the tag), and T_k is M_(k+1). The raw
// bytes come in order: the 25 header bytes at once, then one 16-byte ciphertext block per CBC
// step, then the tag. Each goes to the layer's HMAC and to its base64 encoder, whose characters
// are the next layer's input. Block j of layer k + 1 needs characters 16j ..< 16j + 16 of T_k,
// that is raw bytes up to 12j + 12 of R_k: the first two blocks need only the header, later
// ones ciphertext block about 0.75 j of layer k. So every layer can start at once and many
// usually have a block ready; each step encrypts up to four such blocks, of four different
// layers, in the four lanes of `AES128Lanes`.
//
// Buffers. Each layer's signed raw bytes also go into a ring of `hashRingByteCount` bytes, from
// which its HMAC takes whole 64-byte blocks. The HMACs run four at a time, one layer per lane
// of `SHA256Lanes`: a whole block waits in its ring until four layers have one, or until its
// layer has two, so fewer than 128 + 16 bytes wait and the ring never overwrites one. The
// encoder needs no buffer: the bytes before block j number 25 + 16j, so the 0, 1 or 2 bytes
// left over from the last whole group are known from j alone and are carried in a word. A
// layer's text goes into a ring of `textRingByteCount` characters that layer k + 1 reads 16 at
// a time, except the outermost layer's text, which goes straight into the output. A layer runs
// only when its next block's input is all there and its ring can take what the step writes (at
// most 68 characters, with the tag), so nothing unread is overwritten. Ring positions are
// multiples of 4 for writes and of 16 for reads, and the ring size a multiple of 16, so no
// access wraps around its end.
//
// Scheduling. Which layers run in a step depends on the lengths only. A layer whose key is
// already in a lane keeps that lane while it has a block ready ("sticky": loading a key costs
// about an eighth of an AES call); free lanes go to the other ready layers, outermost first,
// since the outermost layer has the most blocks (about a quarter of all) and everything waits
// for it at the end. Some layer is always ready: the innermost unfinished one has all its
// input, and if its ring is full, the layer reading that ring has a whole block unread, and so
// on up to the outermost layer, whose output never fills. With 512-character rings a 16-layer
// seal takes within about 3% of the outermost layer's block count in steps, the least possible.

/// The progress of one nested encryption: lengths and counters per layer, the running HMACs,
/// which layer's key sits in each lane, and which layers have an HMAC block waiting.
///
/// The buffers are passed in as spans: `hashBuffers` holds a ring of `hashRingByteCount` bytes
/// (and 16 more, see `absorb`) per layer, `text` holds `textRingByteCount` characters per layer
/// but the outermost, and `output` receives the outermost layer's text.
struct NestedEncryption {
  /// The size of each layer's ring of raw bytes for the HMAC (a power of two).
  static let hashRingByteCount = 256
  /// The distance between two layers' HMAC rings: the ring and 16 bytes past its end.
  static let hashRingStride = hashRingByteCount + 16
  /// The size of each inner layer's ring of text (a multiple of 16 and a power of two).
  static let textRingByteCount = 512

  /// The progress of one layer.
  struct Layer {
    /// The length of the layer's input, n_k.
    let inputCount: Int
    /// The number of CBC blocks, padding included.
    let blockCount: Int
    /// The length of the layer's text.
    let textCount: Int
    /// Where the layer's text ring starts in the rings (0 for the outermost layer).
    let textBase: Int
    /// Character i of the text goes to `textBase + (i & textMask)`.
    let textMask: Int
    /// The CBC blocks encrypted so far.
    var blocksDone = 0
    /// Characters of text written.
    var textProduced = 0
    /// The raw bytes the HMAC has taken (a multiple of 64 until the end).
    var hashed = 0
    /// The raw bytes after the last whole base64 group, big-endian (`carryCount` of them).
    var carry: UInt64 = 0
    /// The number of bytes in `carry`: (25 + 16 * blocksDone) % 3, and 0 once finished.
    var carryCount = 0
    /// The CBC chaining value, bytes 0...7 as a little-endian word: the IV, then the last
    /// ciphertext block.
    var chainFront: UInt64 = 0
    /// The CBC chaining value, bytes 8...15.
    var chainBack: UInt64 = 0
    /// Whether the text goes to the output (the outermost layer) rather than to a ring.
    let writesOutput: Bool
  }

  /// The layer keys, innermost first.
  let keys: [FernetKeyBox]
  /// The progress of every layer, innermost first.
  var layers: [Layer]
  /// Every layer's inner SHA-256 state: H(K ^ ipad) and then the raw bytes hashed so far.
  var innerStates: [InlineArray<8, UInt32>]
  /// Every layer's outer SHA-256 state, H(K ^ opad).
  var outerStates: [InlineArray<8, UInt32>]
  /// The layer whose key each lane of the cipher holds, or -1.
  var laneLayers = InlineArray<4, Int>(repeating: -1)
  /// The layers with a whole HMAC block waiting, oldest first (at most 3 between steps).
  var waiting = InlineArray<8, Int>(repeating: 0)
  /// The number of entries in `waiting`.
  var waitingCount = 0

  /// Computes every layer's lengths and HMAC key states.
  init(messageByteCount: Int, keys: [FernetKeyBox]) {
    self.keys = keys
    var layers: [Layer] = []
    layers.reserveCapacity(keys.count)
    var inputCount = messageByteCount
    for index in keys.indices {
      let textCount = FernetKey.tokenLength(forMessageByteCount: inputCount)
      let outermost = index == keys.count - 1
      layers.append(
        Layer(
          inputCount: inputCount, blockCount: inputCount / 16 + 1, textCount: textCount,
          textBase: outermost ? 0 : index * Self.textRingByteCount,
          textMask: outermost ? Int.max : Self.textRingByteCount - 1, writesOutput: outermost))
      inputCount = textCount
    }
    self.layers = layers
    // Each key's HMAC has absorbed its keyed pads already: H(K ^ ipad) and H(K ^ opad).
    innerStates = keys.map { $0.key.signer.padChainingValues.inner }
    outerStates = keys.map { $0.key.signer.padChainingValues.outer }
  }

  /// Writes layer `index`'s header (version, `timestamp`, `iv`) into its HMAC buffer and its
  /// first 32 characters into its text.
  mutating func start(
    layer index: Int, at timestamp: UInt64, iv: InlineArray<16, UInt8>,
    hashBuffers: inout MutableSpan<UInt8>, text: inout MutableSpan<UInt8>,
    output: inout MutableSpan<UInt8>
  ) {
    var header = InlineArray<25, UInt8>(repeating: FernetKey.version)
    for byte in 0..<8 {
      header[1 + byte] = UInt8(truncatingIfNeeded: timestamp >> (56 - 8 * UInt64(byte)))
    }
    for byte in 0..<16 { header[9 + byte] = iv[byte] }
    let base = index * Self.hashRingStride
    for byte in 0..<25 { hashBuffers[base + byte] = header[byte] }
    var layer = layers[index]
    for byte in 0..<8 {
      layer.chainFront |= UInt64(iv[byte]) << (8 * UInt64(byte))
      layer.chainBack |= UInt64(iv[8 + byte]) << (8 * UInt64(byte))
    }
    var characters = InlineArray<12, UInt32>(repeating: 0)
    for group in 0..<8 {
      characters[group] = Base64URL.characters(
        UInt32(header[3 * group]) << 16 | UInt32(header[3 * group + 1]) << 8
          | UInt32(header[3 * group + 2]))
    }
    if layer.writesOutput {
      layer.write(characters, count: 8, into: &output)
    } else {
      layer.write(characters, count: 8, into: &text)
    }
    layer.carry = UInt64(header[24])
    layer.carryCount = 1
    layers[index] = layer
  }

  /// Runs steps with `cipher` until the outermost layer, which finishes last, is done.
  mutating func run(
    _ message: Span<UInt8>, cipher: borrowing AES128Lanes,
    hashBuffers: inout MutableSpan<UInt8>, text: inout MutableSpan<UInt8>,
    output: inout MutableSpan<UInt8>
  ) {
    let outermost = layers.count - 1
    var words = InlineArray<8, UInt64>(repeating: 0)
    while layers[outermost].blocksDone < layers[outermost].blockCount {
      let chosen = schedule(loadingInto: cipher)
      for lane in 0..<4 where chosen[lane] >= 0 {
        (words[2 * lane], words[2 * lane + 1]) = cipherInput(
          layer: chosen[lane], message: message, text: text.span)
      }
      cipher.encrypt(words: &words)
      for lane in 0..<4 where chosen[lane] >= 0 {
        absorb(
          front: words[2 * lane], back: words[2 * lane + 1], layer: chosen[lane],
          hashBuffers: &hashBuffers, text: &text, output: &output)
      }
      hashWaitingBlocks(hashBuffers.span)
    }
  }

  // MARK: Scheduling

  /// Whether layer `index` can encrypt its next block now: it has one, its input is there, and
  /// its text ring can take what the step writes.
  func isReady(_ index: Int) -> Bool {
    let next = layers[index].blocksDone
    let blockCount = layers[index].blockCount
    guard next < blockCount else { return false }
    let needed = min(16 * (next + 1), layers[index].inputCount)
    if index > 0 && layers[index - 1].textProduced < needed { return false }
    if index < layers.count - 1 {
      let textAfter =
        next + 1 == blockCount
        ? layers[index].textCount : (FernetKey.headerByteCount + 16 * (next + 1)) / 3 * 4
      if textAfter - 16 * layers[index + 1].blocksDone > Self.textRingByteCount { return false }
    }
    return true
  }

  /// Chooses the layer each lane runs in the next step (-1: idle) and loads into `cipher` the
  /// keys of the layers that move into a lane.
  mutating func schedule(loadingInto cipher: borrowing AES128Lanes) -> InlineArray<4, Int> {
    var chosen = InlineArray<4, Int>(repeating: -1)
    var count = 0
    for lane in 0..<4 where laneLayers[lane] >= 0 && isReady(laneLayers[lane]) {
      chosen[lane] = laneLayers[lane]
      count += 1
    }
    var index = layers.count - 1
    var lane = 0
    while count < 4 && index >= 0 {
      let loaded =
        laneLayers[0] == index || laneLayers[1] == index || laneLayers[2] == index
        || laneLayers[3] == index
      if !loaded && isReady(index) {
        while chosen[lane] >= 0 { lane += 1 }
        chosen[lane] = index
        laneLayers[lane] = index
        cipher.load(keys[index].key.cipher, intoLane: lane)
        count += 1
      }
      index -= 1
    }
    precondition(count > 0, "some layer is always ready")
    return chosen
  }

  // MARK: One block

  /// The little-endian word at byte `offset` of `bytes`.
  @inline(__always)
  static func word(_ bytes: Span<UInt8>, at offset: Int) -> UInt64 {
    // Any eight bytes are a valid UInt64, and the raw span checks the bounds.
    UInt64(
      littleEndian: unsafe bytes.bytes.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  /// Stores `value` as a little-endian word at byte `offset` of `bytes`.
  @inline(__always)
  static func store(_ value: UInt64, into bytes: inout MutableSpan<UInt8>, at offset: Int) {
    // Every bit pattern is a valid UInt8, and the raw span checks the bounds.
    var raw = unsafe bytes.mutableBytes
    raw.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
  }

  /// The block cipher's next input for layer `index`: its next plaintext block (PKCS #7 padded
  /// if it is the last) XORed with the chaining value, as two little-endian words.
  func cipherInput(layer index: Int, message: Span<UInt8>, text: Span<UInt8>)
    -> (UInt64, UInt64)
  {
    let start = 16 * layers[index].blocksDone
    let available = layers[index].inputCount - start
    let input = index == 0 ? message : text
    let base =
      index == 0
      ? start
      : (index - 1) * Self.textRingByteCount
        + (start & (Self.textRingByteCount - 1))
    var front: UInt64
    var back: UInt64
    if available >= 16 {
      front = Self.word(input, at: base)
      back = Self.word(input, at: base + 8)
    } else {
      // The last block: the remaining bytes, then 16 - available bytes of value 16 - available.
      var block = InlineArray<16, UInt8>(repeating: UInt8(truncatingIfNeeded: 16 - available))
      for byte in 0..<available { block[byte] = input[base + byte] }
      front = 0
      back = 0
      for byte in 0..<8 {
        front |= UInt64(block[byte]) << (8 * UInt64(byte))
        back |= UInt64(block[8 + byte]) << (8 * UInt64(byte))
      }
    }
    return (front ^ layers[index].chainFront, back ^ layers[index].chainBack)
  }

  /// Takes layer `index`'s new ciphertext block (`front`, `back`: little-endian words): chains
  /// it, queues it for the HMAC, encodes each whole group, and after the last block adds the
  /// tag.
  mutating func absorb(
    front: UInt64, back: UInt64, layer index: Int, hashBuffers: inout MutableSpan<UInt8>,
    text: inout MutableSpan<UInt8>, output: inout MutableSpan<UInt8>
  ) {
    // Raw byte p goes to ring byte p % 256. A block that runs past the end is written on into
    // the 16 bytes after the ring and copied from there to the ring's start.
    let base = index * Self.hashRingStride
    let written = FernetKey.headerByteCount + 16 * layers[index].blocksDone
    let offset = written & (Self.hashRingByteCount - 1)
    Self.store(front, into: &hashBuffers, at: base + offset)
    Self.store(back, into: &hashBuffers, at: base + offset + 8)
    if offset + 16 > Self.hashRingByteCount {
      let end = base + Self.hashRingByteCount
      Self.store(Self.word(hashBuffers.span, at: end), into: &hashBuffers, at: base)
      Self.store(Self.word(hashBuffers.span, at: end + 8), into: &hashBuffers, at: base + 8)
    }
    let writesOutput = layers[index].writesOutput
    if writesOutput {
      layers[index].take(front: front, back: back, into: &output)
    } else {
      layers[index].take(front: front, back: back, into: &text)
    }
    let finished = layers[index].blocksDone == layers[index].blockCount
    let hashed = layers[index].hashed
    if !finished && written + 16 - hashed >= 64 && written - hashed < 64 {
      waiting[waitingCount] = index
      waitingCount += 1
    }
    if finished {
      let tag = finishHMAC(layer: index, hashBuffers: hashBuffers.span)
      if writesOutput {
        layers[index].finish(tag: tag.span, into: &output)
      } else {
        layers[index].finish(tag: tag.span, into: &text)
      }
    }
  }

  // MARK: HMAC

  /// The number of raw bytes of layer `index` in its ring that the HMAC has not taken.
  func hashPending(_ index: Int) -> Int {
    FernetKey.headerByteCount + 16 * layers[index].blocksDone - layers[index].hashed
  }

  /// Hashes waiting blocks four layers at a time while four layers have one, and at once for
  /// a layer with two (so that its ring never fills).
  mutating func hashWaitingBlocks(_ hashBuffers: Span<UInt8>) {
    while waitingCount > 0 {
      var urgent = waitingCount >= 4
      for entry in 0..<waitingCount where hashPending(waiting[entry]) >= 128 { urgent = true }
      guard urgent else { return }
      let count = min(4, waitingCount)
      var lanes = InlineArray<4, Int>(repeating: waiting[0])
      for lane in 0..<count { lanes[lane] = waiting[lane] }
      hashBlocks(of: lanes, count: count, from: hashBuffers)
      // Drop the hashed entries; those with another whole block go to the back.
      var kept = 0
      for entry in count..<waitingCount {
        waiting[kept] = waiting[entry]
        kept += 1
      }
      for lane in 0..<count where hashPending(lanes[lane]) >= 64 {
        waiting[kept] = lanes[lane]
        kept += 1
      }
      waitingCount = kept
    }
  }

  /// Feeds the next 64 bytes of each ring of layers `lanes[0 ..< count]` to their inner hashes,
  /// in one four-lane compression.
  mutating func hashBlocks(of lanes: InlineArray<4, Int>, count: Int, from hashBuffers: Span<UInt8>)
  {
    var states = InlineArray<4, InlineArray<8, UInt32>>(repeating: innerStates[lanes[0]])
    var offsets = InlineArray<4, Int>(repeating: 0)
    for lane in 0..<4 {
      let index = lanes[min(lane, count - 1)]
      states[lane] = innerStates[index]
      offsets[lane] =
        index * Self.hashRingStride + (layers[index].hashed & (Self.hashRingByteCount - 1))
    }
    SHA256Lanes.compress(&states, blocks: hashBuffers, offsets: offsets)
    for lane in 0..<count {
      innerStates[lanes[lane]] = states[lane]
      layers[lanes[lane]].hashed += 64
    }
  }

  /// The tag of layer `index`, whose last block is in its ring: the inner hash's remaining
  /// blocks and padding (FIPS 180-4 §5.1.1), then the outer hash.
  mutating func finishHMAC(layer index: Int, hashBuffers: Span<UInt8>) -> InlineArray<32, UInt8> {
    var kept = 0
    for entry in 0..<waitingCount where waiting[entry] != index {
      waiting[kept] = waiting[entry]
      kept += 1
    }
    waitingCount = kept
    let lanes = InlineArray<4, Int>(repeating: index)
    while hashPending(index) >= 64 {
      hashBlocks(of: lanes, count: 1, from: hashBuffers)
    }
    // The last bytes start at a multiple of 64 in the ring and are fewer, so they do not wrap;
    // the scalar engine pads them and runs the outer hash.
    let remaining = hashPending(index)
    let start = index * Self.hashRingStride + (layers[index].hashed & (Self.hashRingByteCount - 1))
    // The inner message so far: the 64-byte ipad block and the raw bytes hashed.
    var inner = SHA256Engine(
      resuming: innerStates[index], absorbedByteCount: 64 + layers[index].hashed)
    inner.update(hashBuffers.extracting(start..<(start + remaining)))
    let innerDigest: InlineArray<32, UInt8> = inner.finish()
    var outer = SHA256Engine(resuming: outerStates[index], absorbedByteCount: 64)
    outer.update(innerDigest.span)
    return outer.finish()
  }
}

// MARK: - Text

extension NestedEncryption.Layer {
  /// Takes a new ciphertext block (`front`, `back`: little-endian words) as the chaining
  /// value, encodes it into `destination` and counts it.
  mutating func take(front: UInt64, back: UInt64, into destination: inout MutableSpan<UInt8>) {
    chainFront = front
    chainBack = back
    encode(front: front, back: back, into: &destination)
    blocksDone += 1
  }

  /// Encodes the carried bytes and a ciphertext block (`front`, `back`: little-endian words)
  /// as far as they make whole groups, and carries the rest.
  mutating func encode(front: UInt64, back: UInt64, into destination: inout MutableSpan<UInt8>) {
    // The block as a big-endian bit string: `high` holds bytes 0...7, `low` bytes 8...15.
    let high = front.byteSwapped
    let low = back.byteSwapped
    let mask: UInt64 = 0xFF_FFFF
    // Groups 2i and 2i + 1 go into the low and high halves of pairs[i].
    let pairs: (UInt64, UInt64, UInt64)
    let groupCount: Int
    switch carryCount {
    case 0:  // 16 bytes: five groups, one byte over
      pairs = (
        high >> 40 | (high >> 16 & mask) << 32,
        (high & 0xFFFF) << 8 | low >> 56 | (low >> 32 & mask) << 32,
        low >> 8 & mask
      )
      groupCount = 5
      carry = low & 0xFF
      carryCount = 1
    case 1:  // 17 bytes: five groups, two bytes over
      pairs = (
        carry << 16 | high >> 48 | (high >> 24 & mask) << 32,
        high & mask | (low >> 40) << 32,
        low >> 16 & mask
      )
      groupCount = 5
      carry = low & 0xFFFF
      carryCount = 2
    default:  // 18 bytes: six groups exactly
      pairs = (
        carry << 8 | high >> 56 | (high >> 32 & mask) << 32,
        high >> 8 & mask | ((high & 0xFF) << 16 | low >> 48) << 32,
        low >> 24 & mask | (low & mask) << 32
      )
      groupCount = 6
      carry = 0
      carryCount = 0
    }
    let first = Base64URL.characters(pair: pairs.0)
    let second = Base64URL.characters(pair: pairs.1)
    let third = Base64URL.characters(pair: pairs.2)
    // Every bit pattern is a valid UInt8, and the raw span checks the bounds.
    var bytes = unsafe destination.mutableBytes
    bytes.storeBytes(
      of: UInt32(truncatingIfNeeded: first).littleEndian, toByteOffset: textOffset(0),
      as: UInt32.self)
    bytes.storeBytes(
      of: UInt32(truncatingIfNeeded: first >> 32).littleEndian, toByteOffset: textOffset(4),
      as: UInt32.self)
    bytes.storeBytes(
      of: UInt32(truncatingIfNeeded: second).littleEndian, toByteOffset: textOffset(8),
      as: UInt32.self)
    bytes.storeBytes(
      of: UInt32(truncatingIfNeeded: second >> 32).littleEndian, toByteOffset: textOffset(12),
      as: UInt32.self)
    bytes.storeBytes(
      of: UInt32(truncatingIfNeeded: third).littleEndian, toByteOffset: textOffset(16),
      as: UInt32.self)
    if groupCount == 6 {
      bytes.storeBytes(
        of: UInt32(truncatingIfNeeded: third >> 32).littleEndian, toByteOffset: textOffset(20),
        as: UInt32.self)
    }
    textProduced += 4 * groupCount
  }

  /// Where the text character `distance` after the last one written goes in the layer's
  /// destination (for a multiple of 4, the start of a group's four characters).
  @inline(__always)
  func textOffset(_ distance: Int) -> Int {
    textBase + ((textProduced + distance) & textMask)
  }

  /// Encodes the carried bytes and the tag, with `=` padding: the end of the layer's text.
  mutating func finish(tag: Span<UInt8>, into destination: inout MutableSpan<UInt8>) {
    var tail = InlineArray<36, UInt8>(repeating: 0)
    for byte in 0..<carryCount {
      tail[byte] = UInt8(truncatingIfNeeded: carry >> (8 * UInt64(carryCount - 1 - byte)))
    }
    for byte in tag.indices { tail[carryCount + byte] = tag[byte] }
    let count = carryCount + tag.count
    var characters = InlineArray<12, UInt32>(repeating: 0)
    for group in 0..<(count + 2) / 3 {
      characters[group] = Base64URL.characters(
        UInt32(tail[3 * group]) << 16 | UInt32(tail[3 * group + 1]) << 8
          | UInt32(tail[3 * group + 2]))
    }
    // '=' (0x3D) replaces the characters of the last group that encode no byte.
    switch count % 3 {
    case 1: characters[count / 3] = characters[count / 3] & 0xFFFF | 0x3D3D_0000
    case 2: characters[count / 3] = characters[count / 3] & 0x00FF_FFFF | 0x3D00_0000
    default: break
    }
    write(characters, count: (count + 2) / 3, into: &destination)
    carry = 0
    carryCount = 0
  }

  /// Appends the first `count` words of `characters` (four characters each, the first in the
  /// lowest byte) to the layer's text in `destination`.
  mutating func write(
    _ characters: InlineArray<12, UInt32>, count: Int, into destination: inout MutableSpan<UInt8>
  ) {
    // Every bit pattern is a valid UInt8, and the raw span checks the bounds.
    var bytes = unsafe destination.mutableBytes
    for word in 0..<count {
      bytes.storeBytes(
        of: characters[word].littleEndian, toByteOffset: textOffset(4 * word), as: UInt32.self)
    }
    textProduced += 4 * count
  }
}
