// KeyFile.swift: the 512-character key file, its validation and its generation.
// Reference: wire format v1 §1 (file), §2 (layer keys).
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport
import MessageAuthentication
import SHA2

/// The shared secret of a client and a server: a text file of printable characters, by default
/// 512 of them from a 62-character alphabet, read as exact bytes (no stripping), as the deployed
/// system reads it.
///
/// Every 32 characters make one layer key (``KeyRing``); the whole file's SHA-224 identifies it
/// inside each frame.
public struct KeyFile: ~Copyable {
  /// The alphabet of generated keys (the deployed generator's, in its order).
  ///
  /// The bytes of `qwertyuiopasdfghjklzxcvbnm1234567890QWERTYUIOPASDFGHJKLZXCVBNM`, written
  /// as numbers so that Embedded builds need no Unicode string support.
  public static let alphabet: [UInt8] = [
    0x71, 0x77, 0x65, 0x72, 0x74, 0x79, 0x75, 0x69, 0x6f, 0x70, 0x61, 0x73,
    0x64, 0x66, 0x67, 0x68, 0x6a, 0x6b, 0x6c, 0x7a, 0x78, 0x63, 0x76, 0x62,
    0x6e, 0x6d, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30,
    0x51, 0x57, 0x45, 0x52, 0x54, 0x59, 0x55, 0x49, 0x4f, 0x50, 0x41, 0x53,
    0x44, 0x46, 0x47, 0x48, 0x4a, 0x4b, 0x4c, 0x5a, 0x58, 0x43, 0x56, 0x42,
    0x4e, 0x4d,
  ]

  /// The length of a generated key file.
  public static let standardLength = 512

  /// The length of one layer key.
  public static let layerKeyLength = 32

  private let storage: SecretStorage<UInt8>

  /// The number of bytes in the file.
  public let byteCount: Int

  /// Validates key file contents.
  ///
  /// - Parameter contents: The file's exact bytes.
  /// - Throws: ``ProtocolError/invalidKeyFile(_:)``: empty, shorter than 32 bytes, a non-ASCII
  ///   byte, or a control character (a trailing newline included: the deployed system would
  ///   silently make it part of the key, so it is refused here with its offset).
  /// - Timing: depends on the length; on invalid input, also on the first bad offset.
  public init(contents: Span<UInt8>) throws(ProtocolError) {
    guard !contents.isEmpty else { throw .invalidKeyFile(.empty) }
    var firstNonASCII = -1
    var firstControl = -1
    for index in contents.indices {
      let byte = contents[index]
      if byte >= 0x80 && firstNonASCII < 0 { firstNonASCII = index }
      if (byte < 0x20 || byte == 0x7f) && firstControl < 0 { firstControl = index }
    }
    if firstNonASCII >= 0 { throw .invalidKeyFile(.nonASCII(offset: firstNonASCII)) }
    if firstControl >= 0 { throw .invalidKeyFile(.nonPrintable(offset: firstControl)) }
    guard contents.count >= Self.layerKeyLength else {
      throw .invalidKeyFile(.tooShort(byteCount: contents.count))
    }
    storage = SecretStorage(repeating: 0, count: contents.count)
    storage.withMutableSpan { target in
      for index in contents.indices { target[index] = contents[index] }
    }
    byteCount = contents.count
  }

  /// Validates key file contents given as an array.
  public init(contents: [UInt8]) throws(ProtocolError) {
    try self.init(contents: contents.span)
  }

  /// Generates a standard key file: 512 characters drawn uniformly from ``alphabet``.
  ///
  /// Each character comes from one random byte by rejection sampling: bytes 0...247 (four
  /// whole copies of the 62 characters) map to `byte % 62`, others are drawn again, so there is
  /// no modulo bias. When `entropy` is given (for example text typed at the keyboard), it is
  /// mixed in: every random byte is XORed with a byte of an HMAC-SHA256 stream keyed by it.
  /// XOR with an independent stream keeps uniform bytes uniform, so typed input can only add
  /// unpredictability, never replace the generator's.
  ///
  /// - Parameters:
  ///   - rng: The generator; pass `SystemRandomNumberGenerator` outside tests.
  ///   - entropy: Optional extra input to mix in.
  public static func generate(
    using rng: inout some RandomNumberGenerator, mixing entropy: [UInt8] = []
  ) -> KeyFile {
    var mixer = EntropyMixer(entropy)
    var characters: [UInt8] = []
    characters.reserveCapacity(standardLength)
    while characters.count < standardLength {
      let byte = UInt8(truncatingIfNeeded: rng.next() as UInt64) ^ mixer.next()
      if byte < 248 { characters.append(alphabet[Int(byte % 62)]) }
    }
    defer {
      for index in characters.indices { characters[index] = 0 }
    }
    return KeyFile(checked: characters.span)
  }

  private init(checked contents: Span<UInt8>) {
    storage = SecretStorage(repeating: 0, count: contents.count)
    storage.withMutableSpan { target in
      for index in contents.indices { target[index] = contents[index] }
    }
    byteCount = contents.count
  }

  /// The file's exact bytes, for writing it out.
  public borrowing func serialized() -> [UInt8] {
    storage.withSpan { span in span.indices.map { span[$0] } }
  }

  /// The layer keys and identifier this file yields.
  public borrowing func keyRing() -> KeyRing {
    storage.withSpan { KeyRing(keyFileBytes: $0) }
  }
}

/// An HMAC-SHA256 counter-mode byte stream keyed by extra entropy; all zeros when there is none.
private struct EntropyMixer {
  private let keyed: HMAC<SHA256>?
  private var block: [UInt8] = []
  private var position = 0
  private var counter: UInt64 = 0

  init(_ entropy: [UInt8]) {
    keyed = entropy.isEmpty ? nil : HMAC<SHA256>(key: entropy.span)
  }

  mutating func next() -> UInt8 {
    guard let keyed else { return 0 }
    if position == block.count {
      var state = keyed
      var counterBytes: [UInt8] = []
      counterBytes.appendBigEndian(counter)
      state.update(counterBytes)
      block = state.finalize().bytes
      counter += 1
      position = 0
    }
    defer { position += 1 }
    return block[position]
  }
}
