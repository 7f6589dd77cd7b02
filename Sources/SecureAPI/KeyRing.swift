// KeyRing.swift: the layer keys and the SHA-224 identifier derived from a key file.
// Reference: wire format v1 §2 (layer keys), §3 (`sha`).
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport
import Fernet
import SHA2

/// The keys one side needs: `L = byteCount / 32` Fernet keys, where layer key `i` is the 32
/// bytes `P[32i ..< 32i + 32]` of the key file used as raw Fernet key bytes (HMAC key first 16,
/// AES key last 16), and the lowercase hex SHA-224 of the whole file.
///
/// Each Fernet key is expanded once (AES round keys, HMAC pads), so sealing and opening many
/// messages costs no key setup.
public struct KeyRing: ~Copyable {
  /// The expanded layer keys, innermost first.
  let layers: [FernetKeyBox]

  /// The 56 lowercase hex digits of the key file's SHA-224.
  public let shaHex: [UInt8]

  /// The number of Fernet layers (16 for a standard key file).
  public var layerCount: Int { layers.count }

  init(keyFileBytes bytes: Span<UInt8>) {
    var layers: [FernetKeyBox] = []
    let count = bytes.count / KeyFile.layerKeyLength
    layers.reserveCapacity(count)
    for index in 0..<count {
      let start = index * KeyFile.layerKeyLength
      // The ring hands over exactly 32 bytes, which always make a key.
      let key = FernetKey(
        checkedRawBytes: bytes.extracting(start..<(start + KeyFile.layerKeyLength)))
      layers.append(FernetKeyBox(key))
    }
    self.layers = layers
    var hex: [UInt8] = []
    SHA224.hash(bytes).withBytes { HexDigits.append($0, to: &hex) }
    shaHex = hex
  }

  /// Calls `body` with layer key `index` (0 is innermost).
  borrowing func withLayer<R, E: Error>(
    _ index: Int, _ body: (borrowing FernetKey) throws(E) -> R
  ) throws(E) -> R {
    try body(layers[index].key)
  }
}

// A ring is never changed after it is made: its keys are expanded in `init`, held by `let`
// references and only read afterwards (`withLayer` lends them out borrowed), so threads may
// share one.
extension KeyRing: @unchecked Sendable {}
