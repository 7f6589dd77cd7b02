// KeyCommandTests.swift: `secure-api keygen`, `seal` and `open` as scripts call them.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@Suite struct KeyCommandTests {
  static let alphabet = Set("qwertyuiopasdfghjklzxcvbnm1234567890QWERTYUIOPASDFGHJKLZXCVBNM".utf8)

  @Test func keygenWritesAPrivateKeyAndRefusesToOverwrite() throws {
    let directory = try Scratch.directory()
    defer { Scratch.remove(directory) }
    let path = directory.appendingPathComponent("key.txt").path
    let first = try Tool.run(["keygen", "--out", path])
    #expect(first.status == 0)
    #expect(first.output.contains(path))
    let key = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(key.count == 512 && key.allSatisfy { Self.alphabet.contains($0) })
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

    let again = try Tool.run(["keygen", "--out", path])
    #expect(again.status == 1)
    #expect(again.error.hasPrefix("secure-api: cannot write the key") && again.error.contains(path))
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == key)

    let forced = try Tool.run(["keygen", "--out", path, "--force"])
    #expect(forced.status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) != key)
  }

  @Test func keygenDefaultsToKeyTxtAndMixesTypedEntropy() throws {
    let directory = try Scratch.directory()
    defer { Scratch.remove(directory) }
    let result = try Tool.run(
      ["keygen", "--entropy"], input: "some typed text\n", workingDirectory: directory)
    #expect(result.status == 0)
    let key = try Data(contentsOf: directory.appendingPathComponent("key.txt"))
    #expect(key.count == 512 && key.allSatisfy { Self.alphabet.contains($0) })

    let empty = try Tool.run(
      ["keygen", "--entropy", "--out", "other.txt"], input: "", workingDirectory: directory)
    #expect(empty.status == 1)
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("other.txt").path))
  }

  @Test func sealThenOpenGivesTheFrameBody() throws {
    let directory = try Scratch.directory()
    defer { Scratch.remove(directory) }
    let key = directory.appendingPathComponent("key.txt").path
    #expect(try Tool.run(["keygen", "--out", key]).status == 0)
    let message = "température 21°C\n"
    let before = Date().timeIntervalSince1970
    let sealed = try Tool.run(["seal", "--key", key], input: message)
    #expect(sealed.status == 0)
    // The smallest frame (a 1-character mask) still grows to over 10 KB through 16 layers.
    #expect(sealed.output.hasSuffix("\n") && sealed.output.count > 10_000)

    let opened = try Tool.run(["open", "--key", key], input: "  " + sealed.output + "\n")
    #expect(opened.status == 0)
    let body = opened.output
    #expect(body.utf8.count == 23 + message.utf8.count)
    #expect(String(body.dropFirst(20).prefix(3)) == "put")
    #expect(String(body.dropFirst(23)) == message)
    let time = try #require(Double(String(body.prefix(20))))
    #expect(abs(time - before) < 60)

    let get = try Tool.run(["seal", "--key", key, "--code", "get"], input: "")
    let openedGet = try Tool.run(["open", "--key", key], input: get.output)
    #expect(openedGet.status == 0 && openedGet.output.utf8.count == 23)
    #expect(openedGet.output.hasSuffix("get"))
  }

  @Test func openRefusesWrongKeysAndGarbage() throws {
    let directory = try Scratch.directory()
    defer { Scratch.remove(directory) }
    let key = directory.appendingPathComponent("a.txt").path
    let other = directory.appendingPathComponent("b.txt").path
    #expect(try Tool.run(["keygen", "--out", key]).status == 0)
    #expect(try Tool.run(["keygen", "--out", other]).status == 0)
    let sealed = try Tool.run(["seal", "--key", key], input: "x")

    let wrongKey = try Tool.run(["open", "--key", other], input: sealed.output)
    #expect(wrongKey.status == 1)
    #expect(wrongKey.error.contains("does not decrypt"))
    #expect(wrongKey.outputBytes.isEmpty)

    let garbage = try Tool.run(["open", "--key", key], input: "not a token")
    #expect(garbage.status == 1)
  }

  @Test func badKeyFilesAndCodesAreReported() throws {
    let withNewline = try Scratch.file(
      named: "key.txt", contents: String(repeating: "k", count: 512) + "\n")
    defer { Scratch.remove(withNewline) }
    let newline = try Tool.run(["seal", "--key", withNewline.path], input: "x")
    #expect(newline.status == 1)
    #expect(newline.error.contains("offset 512") && newline.error.contains("newline"))

    let missing = try Tool.run(["seal", "--key", "/nonexistent/key.txt"], input: "x")
    #expect(missing.status == 1)
    #expect(
      missing.error.contains("cannot read the key file")
        && missing.error.contains("/nonexistent/key.txt"))

    let good = try Scratch.file(named: "key.txt", contents: String(repeating: "k", count: 512))
    defer { Scratch.remove(good) }
    let badCode = try Tool.run(["seal", "--key", good.path, "--code", "toolong"], input: "x")
    #expect(badCode.status == 2)
    #expect(badCode.error.contains("--code"))

    let noKey = try Tool.run(["open"], input: "x")
    #expect(noKey.status == 2)
  }
}
