// SecureChannel.swift: a frame in, an outer token out, and back: the mask, then one Fernet
// layer per layer key.
// Reference: wire format v1 §3 (mask) and §4 (layering).
// SPDX-License-Identifier: Apache-2.0

import Fernet

/// Seals frames into outer tokens and opens them again.
///
/// Sealing masks the frame body, then encrypts with layer key 0, then encrypts that token's
/// ASCII text with layer key 1, and so on: the outermost layer is the last key. Every layer is a
/// standard Fernet token, so the deployed Python system opens these tokens and makes tokens
/// that open here.
public enum SecureChannel {
  /// Seals a frame body (`time + code + message`) with a random mask and random IVs.
  ///
  /// - Parameters:
  ///   - body: The frame body bytes.
  ///   - ring: The layer keys.
  ///   - fernetTime: The Unix seconds written into every layer's Fernet timestamp.
  ///   - rng: The source of the mask and the IVs.
  /// - Returns: The outer token as ASCII bytes.
  public static func seal(
    body: Span<UInt8>, ring: borrowing KeyRing, fernetTime: UInt64,
    using rng: inout some RandomNumberGenerator
  ) -> [UInt8] {
    #if $Embedded
      // On a microcontroller code size comes first: the pipelined engine (four-key AES lanes,
      // four-lane SHA-256) would add about 17 KB to the device image.
      return sealLayerByLayer(body: body, ring: ring, fernetTime: fernetTime, using: &rng)
    #else
      let frame = Masking.wrap(body, ring: ring, using: &rng)
      guard ring.layerCount > 0 else { return frame }
      // The IVs are drawn in layer order, as the layer-by-layer seal draws them; the layers
      // are then computed together (see FernetKey+Nesting.swift).
      var ivs: [InlineArray<16, UInt8>] = []
      ivs.reserveCapacity(ring.layerCount)
      for _ in 0..<ring.layerCount { ivs.append(FernetKey.randomIV(using: &rng)) }
      return FernetKey.encryptNested(frame.span, keys: ring.layers, at: fernetTime, ivs: ivs)
    #endif
  }

  /// ``seal(body:ring:fernetTime:using:)`` one whole layer after the other: the smaller code
  /// that Embedded Swift builds use, with the same output for the same random numbers (the
  /// tests hold the two together on the host).
  ///
  /// Every layer's length is known in advance, so two buffers suffice: the outer token's, and
  /// one for the layer below it. Layers alternate between them so that the last one lands in
  /// the outer buffer; each reads the other buffer's prefix and writes its own in place.
  package static func sealLayerByLayer(
    body: Span<UInt8>, ring: borrowing KeyRing, fernetTime: UInt64,
    using rng: inout some RandomNumberGenerator
  ) -> [UInt8] {
    let frame = Masking.wrap(body, ring: ring, using: &rng)
    let layerCount = ring.layerCount
    guard layerCount > 0 else { return frame }
    var lengths: [Int] = []
    var length = frame.count
    for _ in 0..<layerCount {
      length = FernetKey.tokenLength(forMessageByteCount: length)
      lengths.append(length)
    }
    var outer = [UInt8](repeating: 0, count: lengths[layerCount - 1])
    var inner = [UInt8](repeating: 0, count: layerCount > 1 ? lengths[layerCount - 2] : 0)
    for layer in 0..<layerCount {
      let iv = FernetKey.randomIV(using: &rng)
      let writesOuter = (layerCount - 1 - layer) % 2 == 0
      ring.withLayer(layer) { key in
        if layer == 0 && writesOuter {
          var output = outer.mutableSpan
          key.encrypt(frame.span, at: fernetTime, iv: iv, into: &output)
        } else if layer == 0 {
          var output = inner.mutableSpan
          key.encrypt(frame.span, at: fernetTime, iv: iv, into: &output)
        } else if writesOuter {
          var output = outer.mutableSpan
          let input = inner.span.extracting(0..<lengths[layer - 1])
          key.encrypt(input, at: fernetTime, iv: iv, into: &output)
        } else {
          var output = inner.mutableSpan
          let input = outer.span.extracting(0..<lengths[layer - 1])
          key.encrypt(input, at: fernetTime, iv: iv, into: &output)
        }
      }
    }
    return outer
  }

  /// Seals a frame with a random mask and random IVs; the outer token as text.
  public static func seal(
    _ frame: MessageFrame, ring: borrowing KeyRing, fernetTime: UInt64,
    using rng: inout some RandomNumberGenerator
  ) -> String {
    let token = seal(body: frame.encoded().span, ring: ring, fernetTime: fernetTime, using: &rng)
    return String(decoding: token, as: UTF8.self)
  }

  /// Opens an outer token and checks the mask, returning the frame body bytes.
  ///
  /// - Throws: ``ProtocolError/undecryptable`` when any layer fails (which one is not said),
  ///   or ``ProtocolError/malformedFrame(_:)`` when the mask is wrong.
  public static func openBody(_ token: Span<UInt8>, ring: borrowing KeyRing) throws(ProtocolError)
    -> [UInt8]
  {
    guard ring.layerCount > 0 else { throw .undecryptable }
    var current: [UInt8] = []
    var layer = ring.layerCount - 1
    do {
      current = try ring.withLayer(layer) { (key) throws(FernetError) in try key.decrypt(token) }
      while layer > 0 {
        layer -= 1
        let input = current
        current = try ring.withLayer(layer) { (key) throws(FernetError) in
          try key.decrypt(input.span)
        }
      }
    } catch {
      throw .undecryptable
    }
    return try Masking.unwrap(current.span, ring: ring)
  }

  /// Opens an outer token into a frame.
  ///
  /// - Throws: ``ProtocolError/undecryptable`` or ``ProtocolError/malformedFrame(_:)``.
  public static func open(_ token: Span<UInt8>, ring: borrowing KeyRing) throws(ProtocolError)
    -> MessageFrame
  {
    let body = try openBody(token, ring: ring)
    return try MessageFrame(decoding: body.span)
  }

  /// Opens an outer token given as text into a frame.
  public static func open(_ token: String, ring: borrowing KeyRing) throws(ProtocolError)
    -> MessageFrame
  {
    try open(Array(token.utf8).span, ring: ring)
  }
}
