// HostFilesTests.swift: secret files with mode 0600, refusal to overwrite, atomic
// replacement and the typed errors of HostFiles.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import Testing

extension HTTPLayerTests {
  @Suite struct HostFilesTests {
    @Test func writeSecretCreatesAnOwnerOnlyFileAndRefusesToOverwrite() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let path = scratch.file("key.txt")
      try HostFiles.writeSecret(path, Array("first".utf8))
      #expect(try HostFiles.read(path) == Array("first".utf8))
      #expect(try Self.mode(path) == 0o600)

      #expect(throws: HostError.alreadyExists(path: path)) {
        try HostFiles.writeSecret(path, Array("second".utf8))
      }
      #expect(try HostFiles.read(path) == Array("first".utf8))

      try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
      try HostFiles.writeSecret(path, Array("third".utf8), overwrite: true)
      #expect(try HostFiles.read(path) == Array("third".utf8))
      #expect(try Self.mode(path) == 0o600)
    }

    @Test func writeSecretNeverFollowsASymbolicLink() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let target = scratch.file("target")
      let link = scratch.file("link")
      try HostFiles.writeSecret(target, Array("target".utf8))
      try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
      #expect(throws: HostError.self) { try HostFiles.writeSecret(link, [1], overwrite: true) }
      #expect(throws: HostError.alreadyExists(path: link)) { try HostFiles.writeSecret(link, [1]) }
      #expect(try HostFiles.read(target) == Array("target".utf8))
    }

    @Test func writeAtomicallyReplacesTheFileAndLeavesNoTemporaryFile() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let path = scratch.file("state")
      try HostFiles.writeAtomically(path, Array("one".utf8))
      try HostFiles.writeAtomically(path, Array("two".utf8))
      #expect(try HostFiles.read(path) == Array("two".utf8))
      #expect(try Self.mode(path) == 0o600)
      #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["state"])

      let missing = scratch.file("missing/state")
      #expect(throws: HostError.self) { try HostFiles.writeAtomically(missing, [1]) }
    }

    @Test func readReportsMissingFilesAndDirectories() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      #expect(throws: HostError.notFound(path: scratch.file("none"))) {
        try HostFiles.read(scratch.file("none"))
      }
      #expect(throws: HostError.wrongKind(path: scratch.path, expected: "a regular file")) {
        try HostFiles.read(scratch.path)
      }
      #expect(
        HostError.notFound(path: "/x").description == "/x: no such file or directory")
    }

    @Test func createDirectoryMakesPrivateParentsAndAcceptsAnExistingOne() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let nested = scratch.file("a/b/c")
      try HostFiles.createDirectory(nested)
      try HostFiles.createDirectory(nested)
      #expect(try Self.mode(nested) == 0o700)
      #expect(try Self.mode(scratch.file("a")) == 0o700)
      let file = scratch.file("file")
      try HostFiles.writeSecret(file, [])
      #expect(throws: HostError.wrongKind(path: file, expected: "a directory")) {
        try HostFiles.createDirectory(file)
      }
    }

    static func mode(_ path: String) throws -> Int {
      let attributes = try FileManager.default.attributesOfItem(atPath: path)
      return try #require((attributes[.posixPermissions] as? NSNumber)?.intValue)
    }
  }
}
