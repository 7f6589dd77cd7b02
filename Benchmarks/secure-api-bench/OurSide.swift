// OurSide.swift: the pure-Swift workloads, one per row, with their keys and inputs set up once.
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import CryptoSupport
import Fernet
import HostSystem
import MessageAuthentication
import SHA2
import SecureAPI

/// Our keys and the factory of our workloads.
///
/// Every workload does what its Python twin in `python/bench_reference.py` does: the same
/// inputs sizes, a fresh random IV per Fernet token (system CSPRNG, as `os.urandom`), the
/// system clock for Fernet timestamps, and for seal a fresh random mask and 16 fresh IVs per
/// call, from `SystemRandomNumberGenerator` as the server and client use.
final class OurSide {
  private let aes: AES128
  private let iv: InlineArray<16, UInt8>
  private let hmacKey: SymmetricKey
  private let fernet: FernetKey
  private let ring: KeyRing

  /// Makes random keys: an AES-128 key and IV, a 32-byte HMAC key, a Fernet key and a
  /// standard 512-character key file (16 layers).
  init() {
    var rng = SystemRandomNumberGenerator()
    aes = AES128(key: InlineArray<16, UInt8> { _ in rng.next() })
    iv = InlineArray<16, UInt8> { _ in rng.next() }
    hmacKey = SymmetricKey(byteCount: 32, using: &rng)
    fernet = FernetKey.generate(using: &rng)
    ring = KeyFile.generate(using: &rng).keyRing()
  }

  /// The layer count of the key ring (16).
  var layerCount: Int { ring.layerCount }

  /// The workload for `row`: `workload(n)` makes `n` calls and returns the sum of a number
  /// taken from each output (the token length for seal and open).
  func workload(for row: Row) -> (Int) -> Int {
    let data = Self.randomBytes(row.size)
    switch row.operation {
    case .sha224:
      return { count in
        var sum = 0
        for _ in 0..<count { sum &+= Int(SHA224.hash(data.span).bytes[0]) }
        return sum
      }
    case .sha256:
      return { count in
        var sum = 0
        for _ in 0..<count { sum &+= Int(SHA256.hash(data.span).bytes[0]) }
        return sum
      }
    case .hmacSHA256:
      return { [self] count in
        var sum = 0
        for _ in 0..<count {
          let code = HMAC<SHA256>.authenticationCode(for: data.span, using: hmacKey)
          sum &+= Int(code.digest.bytes[0])
        }
        return sum
      }
    case .aesEncrypt:
      return { [self] count in
        var sum = 0
        for _ in 0..<count { sum &+= CBC.encrypt(padding: data.span, iv: iv, with: aes).count }
        return sum
      }
    case .aesEncryptNoPadding:
      return { [self] count in
        var sum = 0
        for _ in 0..<count {
          sum &+= Self.expect { () throws(CipherError) in
            try CBC.encrypt(data.span, iv: iv, with: aes).count
          }
        }
        return sum
      }
    case .aesDecrypt:
      let ciphertext = CBC.encrypt(padding: data.span, iv: iv, with: aes)
      return { [self] count in
        var sum = 0
        for _ in 0..<count {
          sum &+= Self.expect { () throws(CipherError) in
            try CBC.decrypt(unpadding: ciphertext.span, iv: iv, with: aes).count
          }
        }
        return sum
      }
    case .aesDecryptNoPadding:
      return { [self] count in
        var sum = 0
        for _ in 0..<count {
          sum &+= Self.expect { () throws(CipherError) in
            try CBC.decrypt(data.span, iv: iv, with: aes).count
          }
        }
        return sum
      }
    case .fernetEncrypt:
      return { [self] count in
        var sum = 0
        for _ in 0..<count {
          let iv = FernetKey.systemRandomIV()
          sum &+= fernet.encryptToASCII(data.span, at: SystemClock.unixSeconds(), iv: iv).count
        }
        return sum
      }
    case .fernetDecrypt:
      var rng = SystemRandomNumberGenerator()
      let token = fernet.encryptToASCII(
        data.span, at: SystemClock.unixSeconds(), iv: FernetKey.randomIV(using: &rng))
      return { [self] count in
        var sum = 0
        for _ in 0..<count {
          sum &+= Self.expect { () throws(FernetError) in
            try fernet.decrypt(token.span).count
          }
        }
        return sum
      }
    case .seal:
      let body = Self.frameBody(messageLength: row.size)
      return { [self] count in
        var rng = SystemRandomNumberGenerator()
        var sum = 0
        for _ in 0..<count {
          sum &+=
            SecureChannel.seal(
              body: body.span, ring: ring, fernetTime: SystemClock.unixSeconds(), using: &rng
            ).count
        }
        return sum
      }
    case .open:
      let tokens = sealedTokens(messageLength: row.size, count: 32)
      return { [self] count in
        var sum = 0
        for call in 0..<count {
          let token = tokens[call % tokens.count]
          _ = Self.expect { () throws(ProtocolError) in
            try SecureChannel.openBody(token.span, ring: ring).count
          }
          sum &+= token.count
        }
        return sum
      }
    }
  }

  /// Seals one frame with a `messageLength`-character message, for the peak memory child.
  func sealOnce(messageLength: Int) -> [UInt8] {
    var rng = SystemRandomNumberGenerator()
    let body = Self.frameBody(messageLength: messageLength)
    return SecureChannel.seal(
      body: body.span, ring: ring, fernetTime: SystemClock.unixSeconds(), using: &rng)
  }

  /// Opens an outer token, for the peak memory child; returns the frame body length.
  func openOnce(_ token: [UInt8]) -> Int {
    Self.expect { () throws(ProtocolError) in
      try SecureChannel.openBody(token.span, ring: ring).count
    }
  }

  /// `count` outer tokens of one message length, each with its own random mask and IVs, so
  /// that opening cycles through different token sizes as sealing does.
  private func sealedTokens(messageLength: Int, count: Int) -> [[UInt8]] {
    (0..<count).map { _ in sealOnce(messageLength: messageLength) }
  }

  /// A frame body as the client sends it: the current time, `put`, and `messageLength`
  /// random characters of the key alphabet.
  static func frameBody(messageLength: Int) -> [UInt8] {
    var rng = SystemRandomNumberGenerator()
    let message = (0..<messageLength).map { _ in KeyFile.alphabet.randomElement(using: &rng)! }
    return MessageFrame(time: SystemClock().now(), code: .put, payload: message).encoded()
  }

  /// `count` bytes from the system CSPRNG.
  static func randomBytes(_ count: Int) -> [UInt8] {
    var rng = SystemRandomNumberGenerator()
    return (0..<count).map { _ in rng.next() }
  }

  /// The result of `body`, which cannot fail on the inputs the benchmark makes; a failure
  /// means the library is broken, so the benchmark stops.
  static func expect<E: Error>(_ body: () throws(E) -> Int) -> Int {
    do {
      return try body()
    } catch {
      fatalError("a benchmark operation failed on valid input: \(error)")
    }
  }
}
