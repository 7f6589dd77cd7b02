// SelfTest.swift: the Embedded self-test that the boards run under QEMU: every case of every
// published vector file (the same files and the same checks as the host tests), then a Secure
// API seal-and-open round trip with a fixed key.
// Test harness only; never linked into a user's firmware.
// References: NIST SHAVS §6.4 (Monte Carlo), RFC 4231, NIST AESAVS, the Fernet specification,
// Secure API wire format v1 §3-§4.
// SPDX-License-Identifier: Apache-2.0

import BlockCiphers
import CryptoSupport
import Fernet
import MessageAuthentication
import SHA2
import SecureAPI

/// Runs the self-test and returns the exit code: 0 when every case passed, 1 otherwise.
///
/// The board's start file calls this after setting up the stack, `.data` and `.bss`, and
/// exits QEMU with the result. The summary line is exactly
/// `<target>: <passed>/<total> vectors passed`, where the total is never less than the number
/// of generated cases plus the Secure API checks, so a group left out shows as a failure.
@_cdecl("selftest_main")
public func selftestMain() -> Int32 {
  var tally = Tally()
  hashVectors(&tally)
  hmacVectors(&tally)
  aesVectors(&tally)
  fernetVectors(&tally)
  secureAPIRoundTrip(&tally)
  let expected = GeneratedVectors.caseCount + secureAPICheckCount
  if tally.total != expected {
    Console.write("  FAIL: ran ")
    Console.write(tally.total)
    Console.write(" cases, expected ")
    Console.write(expected)
    Console.newline()
  }
  let total = max(tally.total, expected)
  Console.write(targetName)
  Console.write(": ")
  Console.write(tally.passed)
  Console.write("/")
  Console.write(total)
  Console.write(" vectors passed")
  Console.newline()
  return tally.passed == total && tally.total == expected ? 0 : 1
}

/// The name the summary line starts with.
#if arch(arm)
  let targetName: StaticString = "armv7em"
#elseif arch(riscv32)
  let targetName: StaticString = "riscv32"
#else
  let targetName: StaticString = "host"
#endif

// MARK: - Counting

/// The passed and total cases over all groups.
struct Tally {
  var passed = 0
  var total = 0

  /// Runs `check` on every case of `set` and prints the group's line. A file whose parsed
  /// case count differs from its declared count fails as a whole.
  ///
  /// - Parameters:
  ///   - set: The cases.
  ///   - label: How the first field names a case in a failure line (`line` or `case`).
  ///   - check: Returns `true` when the case passes.
  mutating func run(_ set: VectorSet, label: StaticString, _ check: (Record) -> Bool) {
    var setPassed = 0
    let parsed = set.forEach { record in
      if check(record) {
        setPassed += 1
      } else {
        Console.write("  FAIL ")
        Console.write(set.name)
        Console.write(": ")
        Console.write(label)
        Console.write(" ")
        Console.write(bytes: record.text(0))
        Console.newline()
      }
    }
    if parsed != set.count {
      Console.write("  FAIL ")
      Console.write(set.name)
      Console.write(": parsed ")
      Console.write(parsed)
      Console.write(" cases, the file declares ")
      Console.write(set.count)
      Console.newline()
      setPassed = 0
    }
    record(set.name, passed: setPassed, total: set.count)
  }

  /// Adds a group's result and prints its line.
  mutating func record(_ name: StaticString, passed groupPassed: Int, total groupTotal: Int) {
    Console.write("  ")
    Console.write(name)
    Console.write(": ")
    Console.write(groupPassed)
    Console.write("/")
    Console.write(groupTotal)
    Console.newline()
    passed += groupPassed
    total += groupTotal
  }
}

/// The bytes of a digest or tag.
func bytes<D: HashDigest>(of digest: D) -> [UInt8] {
  digest.withBytes { span in span.indices.map { span[$0] } }
}

/// Sixteen bytes as an `InlineArray`, or `nil` for another length.
func block(_ bytes: [UInt8]?) -> InlineArray<16, UInt8>? {
  guard let bytes, bytes.count == 16 else { return nil }
  return InlineArray<16, UInt8> { bytes[$0] }
}

// MARK: - SHA-2

/// SHA-224 and SHA-256: ShortMsg and LongMsg (`line message digest`) hash the message in one
/// call; Monte (`line seed digest`) runs one SHAVS checkpoint from the previous published one.
func hashVectors(_ tally: inout Tally) {
  let oneShot: [(VectorSet, Bool)] = [
    (GeneratedVectors.sha224CavpShortmsg, false), (GeneratedVectors.sha224CavpLongmsg, false),
    (GeneratedVectors.sha256CavpShortmsg, true), (GeneratedVectors.sha256CavpLongmsg, true),
  ]
  for (set, is256) in oneShot {
    tally.run(set, label: "line") { record in
      guard let message = record.bytes(1), let digest = record.bytes(2) else { return false }
      return is256
        ? bytes(of: SHA256.hash(message.span)) == digest
        : bytes(of: SHA224.hash(message.span)) == digest
    }
  }
  tally.run(GeneratedVectors.sha224CavpMonte, label: "line") { record in
    guard let seed = record.bytes(1), let digest = record.bytes(2) else { return false }
    return monteCheckpoint(SHA224.self, seed: seed) == digest
  }
  tally.run(GeneratedVectors.sha256CavpMonte, label: "line") { record in
    guard let seed = record.bytes(1), let digest = record.bytes(2) else { return false }
    return monteCheckpoint(SHA256.self, seed: seed) == digest
  }
}

/// One checkpoint of the SHAVS Monte Carlo test (§6.4): from `seed`, 1,000 iterations of
/// MD[i] = H(MD[i-3] || MD[i-2] || MD[i-1]).
func monteCheckpoint<H: HashFunction>(_: H.Type, seed: [UInt8]) -> [UInt8] {
  var window = [seed, seed, seed]
  var input: [UInt8] = []
  input.reserveCapacity(3 * seed.count)
  for _ in 0..<1000 {
    input.removeAll(keepingCapacity: true)
    input.append(contentsOf: window[0])
    input.append(contentsOf: window[1])
    input.append(contentsOf: window[2])
    window[0] = window[1]
    window[1] = window[2]
    window[2] = bytes(of: H.hash(input.span))
  }
  return window[2]
}

// MARK: - HMAC

/// RFC 4231 (`line key message tag`): the tag is computed, accepted by the constant-time
/// check, and a tag with its last bit flipped or its last byte cut is refused.
func hmacVectors(_ tally: inout Tally) {
  tally.run(GeneratedVectors.hmacSha224Rfc4231, label: "line") { record in
    hmacCase(SHA224.self, record)
  }
  tally.run(GeneratedVectors.hmacSha256Rfc4231, label: "line") { record in
    hmacCase(SHA256.self, record)
  }
}

/// Checks one RFC 4231 case with hash `H`.
func hmacCase<H: HashFunction>(_: H.Type, _ record: Record) -> Bool {
  guard let keyBytes = record.bytes(1), let message = record.bytes(2), let tag = record.bytes(3)
  else { return false }
  let key = SymmetricKey(copying: keyBytes)
  let code = HMAC<H>.authenticationCode(for: message.span, using: key)
  var tampered = tag
  tampered[tampered.count - 1] ^= 1
  return code.bytes == tag
    && HMAC<H>.isValidAuthenticationCode(tag, authenticating: message, using: key)
    && !HMAC<H>.isValidAuthenticationCode(tampered, authenticating: message, using: key)
    && !HMAC<H>.isValidAuthenticationCode(
      Array(tag.dropLast()), authenticating: message, using: key)
}

// MARK: - AES-128 CBC

/// The CAVP KAT (GFSbox, KeySbox, VarKey, VarTxt) and MMT files
/// (`line direction key iv plaintext ciphertext`): every case, from either section, is
/// encrypted and decrypted without padding and must give the other text.
func aesVectors(_ tally: inout Tally) {
  let sets = [
    GeneratedVectors.aes128CbcCavpGfsbox, GeneratedVectors.aes128CbcCavpKeysbox,
    GeneratedVectors.aes128CbcCavpVarkey, GeneratedVectors.aes128CbcCavpVartxt,
    GeneratedVectors.aes128CbcCavpMmt,
  ]
  for set in sets {
    tally.run(set, label: "line") { record in
      let direction = record.text(1)
      guard direction == [UInt8(ascii: "E")] || direction == [UInt8(ascii: "D")],
        let key = block(record.bytes(2)), let iv = block(record.bytes(3)),
        let plaintext = record.bytes(4), let ciphertext = record.bytes(5)
      else { return false }
      let cipher = AES128(key: key)
      do throws(CipherError) {
        let encrypted = try CBC.encrypt(plaintext.span, iv: iv, with: cipher)
        let decrypted = try CBC.decrypt(ciphertext.span, iv: iv, with: cipher)
        return encrypted == ciphertext && decrypted == plaintext
      } catch {
        return false
      }
    }
  }
}

// MARK: - Fernet

/// The three Fernet spec files: generate encrypts with the given time and IV and must give the
/// token; verify decrypts with the TTL and time (and without them); every invalid token must be
/// refused with `.invalidToken` under its TTL and time.
func fernetVectors(_ tally: inout Tally) {
  // `index secret now iv source token`
  tally.run(GeneratedVectors.fernetSpecGenerate, label: "case") { record in
    guard let secret = record.bytes(1), let now = record.number(2),
      let iv = block(record.bytes(3)), let source = record.bytes(4), let token = record.bytes(5)
    else { return false }
    do throws(FernetError) {
      let key = try FernetKey(base64URL: String(decoding: secret, as: UTF8.self))
      let text = key.encrypt(source.span, at: now, iv: iv)
      return Array(text.utf8) == token && key.encryptToASCII(source.span, at: now, iv: iv) == token
    } catch {
      return false
    }
  }
  // `index secret now ttl source token`
  tally.run(GeneratedVectors.fernetSpecVerify, label: "case") { record in
    guard let secret = record.bytes(1), let now = record.number(2), let ttl = record.number(3),
      let source = record.bytes(4), let token = record.bytes(5)
    else { return false }
    do throws(FernetError) {
      let key = try FernetKey(base64URL: String(decoding: secret, as: UTF8.self))
      let text = String(decoding: token, as: UTF8.self)
      let checked = try key.decrypt(text, ttl: ttl, now: now)
      let unchecked = try key.decrypt(token.span)
      return checked == source && unchecked == source
    } catch {
      return false
    }
  }
  // `index secret now ttl token description`
  tally.run(GeneratedVectors.fernetSpecInvalid, label: "case") { record in
    guard let secret = record.bytes(1), let now = record.number(2), let ttl = record.number(3),
      let token = record.bytes(4), let description = record.bytes(5)
    else { return false }
    let key: FernetKey
    do throws(FernetError) {
      key = try FernetKey(base64URL: String(decoding: secret, as: UTF8.self))
    } catch {
      return false
    }
    do throws(FernetError) {
      _ = try key.decrypt(String(decoding: token, as: UTF8.self), ttl: ttl, now: now)
      Console.write("  accepted an invalid token: ")
      Console.write(bytes: description)
      Console.newline()
      return false
    } catch {
      return error == .invalidToken
    }
  }
}

// MARK: - Secure API

/// The number of Secure API checks below.
let secureAPICheckCount = 4

/// A seal-and-open round trip through all 16 layers with the fixed key file, then refusals:
/// 1. the key file is accepted, has 16 layers, and its SHA-224 identifier matches hashlib's;
/// 2. a frame sealed with a deterministic generator opens to the same body and frame;
/// 3. the token with one character changed is refused as `.undecryptable`;
/// 4. the token opened with another key file is refused as `.undecryptable`.
func secureAPIRoundTrip(_ tally: inout Tally) {
  var passed = 0
  let keyText = staticBytes(GeneratedVectors.secureAPIKey)
  let file: KeyFile
  do throws(ProtocolError) {
    file = try KeyFile(contents: keyText)
  } catch {
    tally.record("secure-api", passed: 0, total: secureAPICheckCount)
    return
  }
  let ring = file.keyRing()
  if ring.layerCount == 16 && ring.shaHex == staticBytes(GeneratedVectors.secureAPIKeySHA224) {
    passed += 1
  } else {
    Console.write("  FAIL secure-api: key ring layers or SHA-224 identifier")
    Console.newline()
  }

  // A weather reading as the device would send it: its time, the `put` code and the text.
  var rng = SplitMix64(seed: 0x5345_4355_5245_4150)
  let frame = MessageFrame(
    time: Timestamp(seconds: 1_796_412_688, nanoseconds: 669_800_000), code: .put,
    payload: Array("station 7: 21.5 C, 1013 hPa".utf8))
  let body = frame.encoded()
  let token = SecureChannel.seal(
    body: body.span, ring: ring, fernetTime: 1_796_412_688, using: &rng)
  Console.write("  secure-api: sealed a ")
  Console.write(body.count)
  Console.write("-byte frame body into a ")
  Console.write(token.count)
  Console.write("-byte token (16 layers)")
  Console.newline()
  do throws(ProtocolError) {
    let opened = try SecureChannel.openBody(token.span, ring: ring)
    let decoded = try MessageFrame(decoding: opened.span)
    if opened == body && decoded == frame {
      passed += 1
    } else {
      Console.write("  FAIL secure-api: the opened frame differs")
      Console.newline()
    }
  } catch {
    Console.write("  FAIL secure-api: a sealed token did not open")
    Console.newline()
  }

  // One character of the outer token changed (to another base64url character, so the
  // change is caught by the tag, not the decoder).
  var tampered = token
  let middle = tampered.count / 2
  tampered[middle] = tampered[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
  passed += refuses(tampered, ring: ring, "a tampered token") ? 1 : 0

  // The same token under a key file that differs in its last character (the outer layer).
  var otherText = keyText
  otherText[otherText.count - 1] = otherText[otherText.count - 1] == UInt8(ascii: "a") ? 98 : 97
  do throws(ProtocolError) {
    let other = try KeyFile(contents: otherText).keyRing()
    passed += refuses(token, ring: other, "another key") ? 1 : 0
  } catch {
    Console.write("  FAIL secure-api: the second key file was refused")
    Console.newline()
  }
  tally.record("secure-api", passed: passed, total: secureAPICheckCount)
}

/// Whether opening `token` fails with `.undecryptable`; prints a failure line otherwise.
func refuses(_ token: [UInt8], ring: borrowing KeyRing, _ what: StaticString) -> Bool {
  do throws(ProtocolError) {
    _ = try SecureChannel.openBody(token.span, ring: ring)
  } catch {
    if error == .undecryptable { return true }
  }
  Console.write("  FAIL secure-api: ")
  Console.write(what)
  Console.write(" was not refused as undecryptable")
  Console.newline()
  return false
}

/// The bytes of a static string.
func staticBytes(_ text: StaticString) -> [UInt8] {
  text.withUTF8Buffer { Array($0) }
}
