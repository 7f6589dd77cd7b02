// CLITests.swift: runs the built `secure-api` executable as a subprocess and checks its output,
// exit status and error messages for every subcommand.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import VectorFiles

@Suite struct CLITests {
  // MARK: - hash

  @Test func hashOfStandardInputAndOfAFileMatchKnownDigests() throws {
    let sha256 = try Tool.run(["hash", "sha256"], input: "abc")
    #expect(sha256.status == 0)
    #expect(sha256.output == "\(Known.sha256OfABC)  -\n")

    let file = try Scratch.file(named: "abc.txt", contents: "abc")
    defer { Scratch.remove(file) }
    let sha224 = try Tool.run(["hash", "sha224", file.path])
    #expect(sha224.status == 0)
    #expect(sha224.output == "\(Known.sha224OfABC)  \(file.path)\n")
  }

  @Test func hashOfSeveralFilesAndDashPrintsOneLinePerInputInOrder() throws {
    let first = try Scratch.file(named: "first.txt", contents: "abc")
    defer { Scratch.remove(first) }
    let empty = try Scratch.file(named: "empty.txt", contents: "")
    defer { Scratch.remove(empty) }
    let result = try Tool.run(["hash", "sha256", first.path, "-", empty.path], input: "abc")
    #expect(result.status == 0)
    #expect(
      result.lines == [
        "\(Known.sha256OfABC)  \(first.path)",
        "\(Known.sha256OfABC)  -",
        "\(Known.sha256OfEmpty)  \(empty.path)",
      ])
  }

  @Test func hashOfAnUnreadableFileFailsButHashesTheOthers() throws {
    let file = try Scratch.file(named: "abc.txt", contents: "abc")
    defer { Scratch.remove(file) }
    let missing = file.deletingLastPathComponent().appendingPathComponent("missing.txt")
    let result = try Tool.run(["hash", "sha256", missing.path, file.path])
    #expect(result.status == 1)
    #expect(result.lines == ["\(Known.sha256OfABC)  \(file.path)"])
    #expect(result.errorLines.count == 1)
    #expect(result.error.hasPrefix("secure-api: cannot open \(missing.path)"))
  }

  // MARK: - hmac

  @Test func hmacMatchesRFC4231TestCase2() throws {
    let message = "what do ya want for nothing?"
    let sha256 = try Tool.run(["hmac", "sha256", "--key-hex", "4a656665"], input: message)
    #expect(sha256.status == 0)
    #expect(sha256.output == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843\n")

    let file = try Scratch.file(named: "message.txt", contents: message)
    defer { Scratch.remove(file) }
    let sha224 = try Tool.run(["hmac", "sha224", "--key-hex", "4A656665", file.path])
    #expect(sha224.status == 0)
    #expect(sha224.output == "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44\n")
  }

  @Test func hmacAcceptsAnEmptyKey() throws {
    let result = try Tool.run(["hmac", "sha256", "--key-hex", ""], input: "")
    #expect(result.status == 0)
    #expect(result.output == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad\n")
  }

  @Test func hmacWithoutKeyOrWithBadHexIsAUsageError() throws {
    let missing = try Tool.run(["hmac", "sha256"], input: "x")
    #expect(missing.status == 2)
    #expect(missing.error.contains("--key-hex"))

    let odd = try Tool.run(["hmac", "sha256", "--key-hex", "abc"], input: "x")
    #expect(odd.status == 2)
    #expect(odd.error.contains("odd number of hexadecimal digits"))
  }

  // MARK: - aes-128-cbc

  @Test func aesMatchesSP800_38A_F21WithoutPadding() throws {
    let plaintext = try bytes(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
        + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
    let ciphertext = try bytes(
      "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
        + "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7")
    let options = ["--key-hex", Known.aesKey, "--iv-hex", Known.aesIV, "--no-padding"]

    let firstBlock = try Tool.run(
      ["aes-128-cbc", "encrypt"] + options, input: Array(plaintext.prefix(16)))
    #expect(firstBlock.status == 0)
    #expect(firstBlock.outputBytes == (try bytes("7649abac8119b246cee98e9b12e9197d")))

    let encrypted = try Tool.run(["aes-128-cbc", "encrypt"] + options, input: plaintext)
    #expect(encrypted.status == 0)
    #expect(encrypted.outputBytes == ciphertext)

    let decrypted = try Tool.run(["aes-128-cbc", "decrypt"] + options, input: ciphertext)
    #expect(decrypted.status == 0)
    #expect(decrypted.outputBytes == plaintext)
  }

  @Test(arguments: [0, 1, 15, 16, 17, 33])
  func aesRoundTripsWithPadding(length: Int) throws {
    let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    let options = ["--key-hex", Known.aesKey, "--iv-hex", Known.aesIV]
    let encrypted = try Tool.run(["aes-128-cbc", "encrypt"] + options, input: plaintext)
    #expect(encrypted.status == 0)
    #expect(encrypted.outputBytes.count == (length / 16 + 1) * 16)

    let decrypted = try Tool.run(
      ["aes-128-cbc", "decrypt"] + options, input: encrypted.outputBytes)
    #expect(decrypted.status == 0)
    #expect(decrypted.outputBytes == plaintext)
  }

  @Test func aesDecryptionWithBadPaddingFails() throws {
    // A block whose plaintext ends in 0x00 can never carry valid PKCS #7 padding.
    let options = ["--key-hex", Known.aesKey, "--iv-hex", Known.aesIV]
    let block = try Tool.run(
      ["aes-128-cbc", "encrypt", "--no-padding"] + options, input: [UInt8](repeating: 0, count: 16))
    #expect(block.status == 0)
    let result = try Tool.run(["aes-128-cbc", "decrypt"] + options, input: block.outputBytes)
    #expect(result.status == 1)
    #expect(result.outputBytes.isEmpty)
    #expect(result.error.hasPrefix("secure-api: bad padding"))
  }

  @Test func aesWithoutPaddingRefusesUnalignedInput() throws {
    let options = ["--key-hex", Known.aesKey, "--iv-hex", Known.aesIV, "--no-padding"]
    let result = try Tool.run(["aes-128-cbc", "encrypt"] + options, input: "seventeen bytes!!")
    #expect(result.status == 1)
    #expect(result.error.contains("16-byte blocks"))
  }

  @Test func aesWithAWrongKeyOrIVLengthIsAUsageError() throws {
    let shortKey = try Tool.run(
      ["aes-128-cbc", "encrypt", "--key-hex", "2b7e1516", "--iv-hex", Known.aesIV], input: "x")
    #expect(shortKey.status == 2)
    #expect(shortKey.error.contains("--key-hex must be 16 bytes (32 hex digits), got 4 bytes"))

    let longIV = try Tool.run(
      ["aes-128-cbc", "decrypt", "--key-hex", Known.aesKey, "--iv-hex", Known.aesIV + "00"],
      input: "x")
    #expect(longIV.status == 2)
    #expect(longIV.error.contains("--iv-hex must be 16 bytes"))

    let notHex = try Tool.run(
      [
        "aes-128-cbc", "encrypt", "--key-hex", "zz" + Known.aesKey.dropFirst(2), "--iv-hex",
        Known.aesIV,
      ],
      input: "x")
    #expect(notHex.status == 2)
    #expect(notHex.error.contains("offset 0 is not a hexadecimal digit"))
  }

  // MARK: - fernet

  @Test func fernetEncryptWithFixedTimeAndIVGivesTheSpecToken() throws {
    let result = try Tool.run(
      [
        "fernet", "encrypt", "--key", Known.fernetKey, "--time", "499162800", "--iv-hex",
        Known.aesIV,
      ],
      input: "hello")
    #expect(result.status == 0)
    #expect(result.output == Known.fernetToken + "\n")
  }

  @Test func fernetEncryptWithOnlyTimeOrOnlyIVUsesTheOneGiven() throws {
    let timed = try Tool.run(
      ["fernet", "encrypt", "--key", Known.fernetKey, "--time", "499162800"], input: "hello")
    let timedAgain = try Tool.run(
      ["fernet", "encrypt", "--key", Known.fernetKey, "--time", "499162800"], input: "hello")
    #expect(timed.status == 0)
    // Version byte and timestamp are the first 9 bytes: exactly 12 base64 characters.
    #expect(timed.output.hasPrefix("gAAAAAAdwJ6w"))
    #expect(timed.output != timedAgain.output, "the IV must be random")

    let withIV = try Tool.run(
      ["fernet", "encrypt", "--key", Known.fernetKey, "--iv-hex", Known.aesIV], input: "hello")
    #expect(withIV.status == 0)
    // The IV is bytes 9..<25, whose first 15 bytes are characters 12..<32.
    #expect(withIV.output.dropFirst(12).hasPrefix("AAECAwQFBgcICQoLDA0O"))

    let opened = try Tool.run(
      ["fernet", "decrypt", "--key", Known.fernetKey], input: withIV.output)
    #expect(opened.output == "hello")
  }

  @Test func fernetDecryptTrimsWhitespaceAroundTheToken() throws {
    let result = try Tool.run(
      ["fernet", "decrypt", "--key", Known.fernetKey], input: " \n\t" + Known.fernetToken + " \r\n")
    #expect(result.status == 0)
    #expect(result.output == "hello")
  }

  @Test func fernetDecryptChecksTheTimeToLive() throws {
    let fresh = try Tool.run(
      ["fernet", "decrypt", "--key", Known.fernetKey, "--ttl", "60", "--now", "499162801"],
      input: Known.fernetToken)
    #expect(fresh.status == 0)
    #expect(fresh.output == "hello")

    let expired = try Tool.run(
      ["fernet", "decrypt", "--key", Known.fernetKey, "--ttl", "60", "--now", "499162861"],
      input: Known.fernetToken)
    #expect(expired.status == 1)
    #expect(expired.outputBytes.isEmpty)
    #expect(expired.error.hasPrefix("secure-api: invalid token"))
  }

  @Test func fernetDecryptRefusesATamperedToken() throws {
    var token = Array(Known.fernetToken.utf8)
    token[40] = token[40] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
    let result = try Tool.run(["fernet", "decrypt", "--key", Known.fernetKey], input: token)
    #expect(result.status == 1)
    #expect(result.error.hasPrefix("secure-api: invalid token"))
  }

  @Test func fernetTimeOptionsMustBeNumbersAndNowNeedsTTL() throws {
    let nowAlone = try Tool.run(
      ["fernet", "decrypt", "--key", Known.fernetKey, "--now", "499162801"],
      input: Known.fernetToken)
    #expect(nowAlone.status == 2)
    #expect(nowAlone.error.contains("--now"))

    for (option, command) in [("--ttl", "decrypt"), ("--now", "decrypt"), ("--time", "encrypt")] {
      var arguments = ["fernet", command, "--key", Known.fernetKey, option, "soon"]
      if option == "--now" { arguments += ["--ttl", "60"] }
      let result = try Tool.run(arguments, input: Known.fernetToken)
      #expect(result.status == 2, "\(option)")
      #expect(result.error.contains("\(option) expects a non-negative whole number"), "\(option)")
    }
  }

  @Test func fernetGeneratedKeysWorkForEncryptionAndDecryption() throws {
    let first = try Tool.run(["fernet", "genkey"])
    let second = try Tool.run(["fernet", "genkey"])
    #expect(first.status == 0)
    #expect(first.output.hasSuffix("\n"))
    let key = first.output.trimmingCharacters(in: .newlines)
    #expect(key.count == 44)
    #expect(key.hasSuffix("="))
    #expect(first.output != second.output)

    let token = try Tool.run(["fernet", "encrypt", "--key", key], input: "round trip")
    #expect(token.status == 0)
    let plaintext = try Tool.run(
      ["fernet", "decrypt", "--key", key, "--ttl", "3600"], input: token.output)
    #expect(plaintext.status == 0)
    #expect(plaintext.output == "round trip")
  }

  @Test func fernetKeyTextThatIsNotAKeyIsAUsageError() throws {
    let short = try Tool.run(["fernet", "encrypt", "--key", "c2hvcnQ="], input: "x")
    #expect(short.status == 2)
    #expect(short.errorLines.count == 1)
    #expect(short.error.contains("32 bytes"))

    let plusSign = try Tool.run(
      ["fernet", "decrypt", "--key", "cw_0x689RpI+jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="],
      input: Known.fernetToken)
    #expect(plusSign.status == 2)
    #expect(plusSign.error.contains("32 bytes"))
    #expect(plusSign.error.contains("A-Z a-z 0-9 - _"))
  }

  // MARK: - vectors

  @Test func vectorsOnTheRepositoryPassEveryCatalogFile() throws {
    let result = try Tool.run(
      ["vectors"], workingDirectory: VectorFile.directory.deletingLastPathComponent())
    #expect(result.status == 0)
    var expectedTotal = 0
    for entry in VectorCatalog.all {
      let count = try entry.declaredCaseCount()
      expectedTotal += count
      #expect(result.lines.contains("\(entry.file.relativePath): \(count) passed, 0 failed"))
    }
    #expect(result.lines.count == VectorCatalog.all.count + 1)
    #expect(result.lines.contains("SHA2/sha256-cavp-shortmsg.rsp: 65 passed, 0 failed"))
    #expect(result.lines.last == "vectors: \(expectedTotal) passed, 0 failed")
    #expect(result.error.isEmpty)
  }

  @Test func vectorsFailOnACorruptedDigestAndOnMissingFiles() throws {
    let relativePath = VectorCatalog.sha256CavpShortmsg.file.relativePath
    let original = try String(
      contentsOf: VectorCatalog.sha256CavpShortmsg.file.url, encoding: .utf8)
    // The digest of the empty message (Len = 0), with its first digit changed.
    let goodDigest = "MD = \(Known.sha256OfEmpty)"
    #expect(original.contains(goodDigest))
    let corrupted = original.replacingOccurrences(
      of: goodDigest, with: "MD = f" + Known.sha256OfEmpty.dropFirst())
    let directory = try Scratch.directory()
    defer { Scratch.remove(directory) }
    let target = directory.appendingPathComponent(relativePath)
    try FileManager.default.createDirectory(
      at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    try corrupted.write(to: target, atomically: true, encoding: .utf8)

    let result = try Tool.run(["vectors", directory.path])
    #expect(result.status == 1)
    #expect(result.lines.contains("\(relativePath): 64 passed, 1 failed"))
    #expect(
      result.lines.contains(
        "\(VectorCatalog.sha224CavpShortmsg.file.relativePath): 0 passed, 1 failed (missing)"))
    #expect(result.lines.last == "vectors: 64 passed, \(VectorCatalog.all.count) failed")
    #expect(result.error.contains("\(relativePath):"))
  }

  @Test func vectorsFailOnADirectoryWithoutVectorFiles() throws {
    let directory = try Scratch.directory()
    defer { Scratch.remove(directory) }
    let result = try Tool.run(["vectors", directory.path])
    #expect(result.status == 1)
    #expect(result.lines.last == "vectors: 0 passed, \(VectorCatalog.all.count) failed")
    #expect(result.error.contains("no recognised vector file"))
  }

  // MARK: - Usage and help

  @Test(arguments: [
    ["frobnicate"],
    [],
    ["hash"],
    ["hash", "md5"],
    ["hash", "sha256", "--bogus"],
    ["hmac", "sha256", "--key-hex"],
    ["aes-128-cbc", "encrypt", "--key-hex", Known.aesKey],
    ["aes-128-cbc", "encrypt", "--iv-hex", Known.aesIV],
    ["aes-128-cbc", "encrypt", "--key-hex", Known.aesKey, "--iv-hex", Known.aesIV, "extra"],
    ["fernet"],
    ["fernet", "sign"],
    ["fernet", "encrypt"],
    ["fernet", "decrypt", "--ttl", "60"],
    ["fernet", "genkey", "--key", Known.fernetKey],
    ["vectors", "a", "b"],
    ["serve", "--key", "k", "--pending-capacity", "0"],
    ["serve", "--key", "k", "--pair-lifetime", "86401"],
    ["serve", "--key", "k", "--handshake-limit", "-1"],
    ["serve", "--key", "k", "--handshake-limit", "twenty"],
  ])
  func usageErrorsExitWithStatus2AndOneLine(arguments: [String]) throws {
    let result = try Tool.run(arguments, input: "")
    #expect(result.status == 2)
    #expect(result.outputBytes.isEmpty)
    #expect(result.errorLines.count == 1)
    #expect(result.error.hasPrefix("secure-api: "))
  }

  @Test(arguments: [
    ([], "usage: secure-api <subcommand>"),
    (["hash"], "usage: secure-api hash sha224|sha256 [FILE...]"),
    (["hash", "sha256"], "usage: secure-api hash "),
    (["hmac"], "usage: secure-api hmac sha224|sha256 --key-hex HEX [FILE]"),
    (["aes-128-cbc"], "usage: secure-api aes-128-cbc encrypt|decrypt "),
    (["aes-128-cbc", "decrypt"], "usage: secure-api aes-128-cbc "),
    (["fernet"], "usage: secure-api fernet <subcommand>"),
    (["fernet", "genkey"], "usage: secure-api fernet genkey"),
    (["fernet", "encrypt"], "usage: secure-api fernet encrypt --key KEY [--time UNIX_SECONDS]"),
    (["fernet", "decrypt"], "usage: secure-api fernet decrypt --key KEY"),
    (["vectors"], "usage: secure-api vectors [DIR]"),
  ])
  func helpIsAvailableAtEveryLevel(path: [String], usage: String) throws {
    for flag in ["--help", "-h"] {
      let result = try Tool.run(path + [flag])
      #expect(result.status == 0)
      #expect(result.error.isEmpty)
      #expect(result.output.hasPrefix(usage), "\(path + [flag])")
      #expect(result.output.contains("  --help "))
    }
  }

  @Test func topLevelHelpListsEverySubcommand() throws {
    let result = try Tool.run(["--help"])
    for name in ["hash", "hmac", "aes-128-cbc", "fernet", "vectors"] {
      #expect(result.lines.contains { $0.hasPrefix("  \(name) ") }, "\(name)")
    }
  }

  @Test func leafHelpShowsTheExactForm() throws {
    let aes = try Tool.run(["aes-128-cbc", "--help"])
    #expect(
      aes.lines.first
        == "usage: secure-api aes-128-cbc encrypt|decrypt --key-hex HEX --iv-hex HEX [--no-padding]"
    )
    let decrypt = try Tool.run(["fernet", "decrypt", "--help"])
    #expect(
      decrypt.lines.first
        == "usage: secure-api fernet decrypt --key KEY [--ttl SECONDS] [--now UNIX_SECONDS]")
  }
}

// MARK: - Helpers

/// Values published with the algorithms.
enum Known {
  /// SHA-256("abc"), FIPS 180-4 example.
  static let sha256OfABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
  /// SHA-224("abc"), FIPS 180-4 example.
  static let sha224OfABC = "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
  /// SHA-256 of no bytes.
  static let sha256OfEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
  /// The AES-128 key of SP 800-38A appendix F.
  static let aesKey = "2b7e151628aed2a6abf7158809cf4f3c"
  /// The CBC IV of SP 800-38A F.2.1 (also the Fernet spec's IV).
  static let aesIV = "000102030405060708090a0b0c0d0e0f"
  /// The Fernet specification's key.
  static let fernetKey = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
  /// The Fernet specification's token for "hello" at 499162800 with IV 00 01 ... 0f.
  static let fernetToken =
    "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=="
}

/// What one run of the tool produced.
struct ToolResult {
  /// The exit status.
  let status: Int32
  /// Standard output, raw.
  let outputBytes: [UInt8]
  /// Standard error as text.
  let error: String

  /// Standard output as text.
  var output: String { String(decoding: outputBytes, as: UTF8.self) }
  /// The lines of standard output.
  var lines: [String] { output.split(separator: "\n").map(String.init) }
  /// The lines of standard error.
  var errorLines: [String] { error.split(separator: "\n").map(String.init) }
}

/// Runs the `secure-api` executable built next to the test bundle.
enum Tool {
  /// The executable: `SECURE_API_BINARY` when set, else `secure-api` in the products directory
  /// that holds the test bundle.
  static let executable: URL? = {
    if let override = ProcessInfo.processInfo.environment["SECURE_API_BINARY"] {
      return URL(fileURLWithPath: override)
    }
    var directories = [
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
      Bundle.main.bundleURL,
    ]
    // On Darwin the tests live in an .xctest bundle inside the products directory.
    directories += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map {
      $0.bundleURL.deletingLastPathComponent()
    }
    return directories.map { $0.appendingPathComponent("secure-api") }.first {
      FileManager.default.isExecutableFile(atPath: $0.path)
    }
  }()

  /// Runs the tool with `arguments`, feeding `input` to its standard input.
  static func run(_ arguments: [String], input: String, workingDirectory: URL? = nil) throws
    -> ToolResult
  {
    try run(arguments, input: Array(input.utf8), workingDirectory: workingDirectory)
  }

  /// Runs the tool with `arguments`, feeding `input` to its standard input.
  ///
  /// The streams go through files rather than pipes, so no buffer can fill up and block.
  static func run(_ arguments: [String], input: [UInt8] = [], workingDirectory: URL? = nil) throws
    -> ToolResult
  {
    let executable = try #require(Tool.executable, "secure-api was not built next to the tests")
    let directory = try Scratch.directory()
    let inputURL = directory.appendingPathComponent("stdin")
    let outputURL = directory.appendingPathComponent("stdout")
    let errorURL = directory.appendingPathComponent("stderr")
    try Data(input).write(to: inputURL)
    _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    let inputHandle = try FileHandle(forReadingFrom: inputURL)
    let outputHandle = try FileHandle(forWritingTo: outputURL)
    let errorHandle = try FileHandle(forWritingTo: errorURL)
    defer {
      try? inputHandle.close()
      try? outputHandle.close()
      try? errorHandle.close()
      try? FileManager.default.removeItem(at: directory)
    }

    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardInput = inputHandle
    process.standardOutput = outputHandle
    process.standardError = errorHandle
    if let workingDirectory { process.currentDirectoryURL = workingDirectory }
    try process.run()
    process.waitUntilExit()
    return ToolResult(
      status: process.terminationStatus,
      outputBytes: [UInt8](try Data(contentsOf: outputURL)),
      error: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
  }
}

/// Temporary files for one test.
enum Scratch {
  /// A new empty directory under the system's temporary directory.
  static func directory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "secure-api-cli-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// A new file holding `contents`, in a directory of its own (remove it with ``remove(_:)``).
  static func file(named name: String, contents: String) throws -> URL {
    let url = try directory().appendingPathComponent(name)
    try Data(contents.utf8).write(to: url)
    return url
  }

  /// Removes a scratch directory, or the directory of a scratch file.
  static func remove(_ url: URL) {
    let directory = url.hasDirectoryPath ? url : url.deletingLastPathComponent()
    try? FileManager.default.removeItem(at: directory)
  }
}

/// The bytes of hexadecimal test data.
func bytes(_ hex: String) throws -> [UInt8] {
  try #require(VectorHex.decode(hex))
}
