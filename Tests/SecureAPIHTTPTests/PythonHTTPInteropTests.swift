// PythonHTTPInteropTests.swift: the Python reference of the deployed system over HTTP, both ways:
// its client against our server, and our client against its Flask server.
// Skipped when python3 with cryptography and flask is missing, unless
// SECURE_API_REQUIRE_PYTHON=1, which turns that into a failure.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI
import SecureAPIHTTP
import Testing

extension HTTPLayerTests {
  @Suite(
    .enabled(
      if: PythonHTTP.shouldRun,
      "python3 with cryptography and flask is missing (pip install -r Tests/requirements.txt)"))
  struct PythonHTTPInteropTests {
    /// A message and a short name for the test report.
    struct Message: CustomTestStringConvertible, Sendable {
      let name: String
      let text: String
      var testDescription: String { name }
    }

    static let messages = [
      Message(name: "empty", text: ""),
      Message(name: "multi-byte UTF-8", text: "température 21°C ✓"),
      Message(name: "10 KB", text: String(repeating: "0123456789", count: 1024)),
    ]

    @Test(arguments: messages)
    func thePythonClientTalksToOurServer(_ message: Message) throws {
      try PythonHTTP.requireAvailable()
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let keyPath = scratch.file("key.txt")
      let key = TestKey.bytes(seed: 21)
      try HostFiles.writeSecret(keyPath, key)
      let server = try TestServer(key: key, stateDirectory: scratch.file("state"))
      defer { server.stop() }

      let put = try PythonHTTP.run(["put", "--key", keyPath, "--url", server.url, message.text])
      #expect(put.status == 0, "stderr: \(put.error)")
      #expect(put.output == "ok\n")
      let get = try PythonHTTP.run(["get", "--key", keyPath, "--url", server.url])
      #expect(get.status == 0, "stderr: \(get.error)")
      #expect(get.output == message.text + "\n")
      #expect(server.service.state.storedMessage == Array(message.text.utf8))
    }

    @Test func aRefusedPutMakesThePythonClientReportInsecure() throws {
      try PythonHTTP.requireAvailable()
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let keyPath = scratch.file("key.txt")
      let key = TestKey.bytes(seed: 22)
      try HostFiles.writeSecret(keyPath, key)
      let server = try TestServer(key: key, stateDirectory: scratch.file("state"))
      defer { server.stop() }

      // A put stamped 4 s ahead is accepted; the Python client's put, stamped now, is then
      // not newer than the last accepted one, so the server answers rej replayed.
      let ahead = Timestamp(ticks: SystemClock().now().ticks + 4 * Timestamp.ticksPerSecond)
      #expect(
        try server.exchange(.put, "from the future", time: ahead).outcome == acknowledged("ok"))
      let put = try PythonHTTP.run(["put", "--key", keyPath, "--url", server.url, "late"])
      #expect(put.status == 3)
      #expect(put.output == "insecure\n")
      #expect(put.error.contains("b'rej'"))
      #expect(server.service.state.storedMessage == Array("from the future".utf8))
      #expect(server.log.entries.last?.outcome == "put rejected: replayed")
    }

    @Test func ourClientTalksToThePythonServer() throws {
      try PythonHTTP.requireAvailable()
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let keyPath = scratch.file("key.txt")
      let key = TestKey.bytes(seed: 23)
      try HostFiles.writeSecret(keyPath, key)
      let python = try Subprocess(
        PythonHTTP.interpreter,
        [PythonHTTP.script, "serve", "--key", keyPath, "--port", "0", "--host", "127.0.0.1"])
      defer {
        python.kill()
        _ = python.finish(timeout: 10)
      }
      let url = try python.waitForLine(startingWith: "listening on ")

      for message in ["température 21°C ✓", "second reading"] {
        let put = try exchange(.put, message, key: key, url: url)
        #expect(put.status == 200)
        #expect(put.outcome == acknowledged("ok"))
        let get = try exchange(.get, key: key, url: url)
        #expect(get.outcome == acknowledged(message))
      }

      // The command-line client too.
      let tool = try Tool.require()
      let put = try Subprocess.run(tool, ["put", "--key", keyPath, "--url", url, "from the CLI"])
      #expect(put.status == 0, "stderr: \(put.error)")
      #expect(put.output == "ok\n")
      let get = try Subprocess.run(tool, ["get", "--key", keyPath, "--url", url])
      #expect(get.status == 0, "stderr: \(get.error)")
      #expect(get.output == "from the CLI\n")
    }
  }
}
