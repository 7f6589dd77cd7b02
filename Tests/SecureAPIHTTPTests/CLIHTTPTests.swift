// CLIHTTPTests.swift: the `serve`, `put`, `get`, `client` and `demo` commands as scripts
// call them, with their outputs and exit statuses.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI
import SecureAPIHTTP
import Testing

extension HTTPLayerTests {
  @Suite struct CLIHTTPTests {
    @Test func serveAnswersPutAndGetAndStopsCleanlyOnSIGINT() throws {
      let tool = try Tool.require()
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let keyPath = scratch.file("key.txt")
      let key = TestKey.bytes(seed: 31)
      try HostFiles.writeSecret(keyPath, key)
      let stateDirectory = scratch.file("state")
      let serve = try Subprocess(
        tool, ["serve", "--key", keyPath, "--port", "0", "--state", stateDirectory])
      let url = try serve.waitForLine(startingWith: "listening on ")
      #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/"))

      let put = try Subprocess.run(tool, ["put", "--key", keyPath, "--url", url, "21.4 °C"])
      #expect(put.status == 0, "stderr: \(put.error)")
      #expect(put.output == "ok\n")
      let get = try Subprocess.run(tool, ["get", "--key", keyPath, "--url", url])
      #expect(get.status == 0, "stderr: \(get.error)")
      #expect(get.output == "21.4 °C\n")

      // An HTTP error: the server cannot open a token sealed with another key.
      let otherKey = scratch.file("other.txt")
      try HostFiles.writeSecret(otherKey, TestKey.bytes(seed: 32))
      let wrongKey = try Subprocess.run(tool, ["get", "--key", otherKey, "--url", url])
      #expect(wrongKey.status == 1)
      #expect(
        wrongKey.error
          == "secure-api: the server answered HTTP 401: the token does not decrypt with this key\n")

      serve.send(signal: SIGINT)
      let stopped = serve.finish(timeout: 30)
      #expect(stopped.status == 0)
      #expect(stopped.error.contains("POST / 200 \"put accepted\""))
      #expect(stopped.error.contains("POST / 401 \"undecryptable token\""))
      #expect(stopped.error.hasSuffix("secure-api: server stopped\n"))
      #expect(!stopped.error.contains("21.4"))

      // The state file kept the message for the next run.
      let saved = try HostFiles.read(stateDirectory + "/state")
      let state = try ServerState(serialized: saved.span)
      #expect(state.storedMessage == Array("21.4 °C".utf8))
    }

    @Test func aRefusedRequestExitsWith3() throws {
      let tool = try Tool.require()
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let keyPath = scratch.file("key.txt")
      let key = TestKey.bytes(seed: 35)
      try HostFiles.writeSecret(keyPath, key)
      // The server's clock runs 30 s ahead: a put stamped with its time is accepted, and then
      // a put stamped with the real time is older than it (replayed); a get is stale.
      let clock = AheadClock(seconds: 30)
      let server = try TestServer(key: key, stateDirectory: scratch.file("state"), clock: clock)
      defer { server.stop() }
      #expect(try server.exchange(.put, "ahead", time: clock.now()).outcome == acknowledged("ok"))

      let put = try Subprocess.run(tool, ["put", "--key", keyPath, "--url", server.url, "late"])
      #expect(put.status == 3)
      #expect(put.output.isEmpty)
      #expect(put.error == "secure-api: server refused the request: replayed\n")
      let get = try Subprocess.run(tool, ["get", "--key", keyPath, "--url", server.url])
      #expect(get.status == 3)
      #expect(get.error == "secure-api: server refused the request: stale\n")
      #expect(server.service.state.storedMessage == Array("ahead".utf8))
    }

    @Test func clientErrorsHaveDistinctExitStatuses() throws {
      let tool = try Tool.require()
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let keyPath = scratch.file("key.txt")
      try HostFiles.writeSecret(keyPath, TestKey.bytes(seed: 33))

      // Nothing listens: exit 1.
      let canned = try CannedServer(reply: nil)
      let closedURL = canned.url
      canned.finish()
      let refused = try Subprocess.run(tool, ["get", "--key", keyPath, "--url", closedURL])
      #expect(refused.status == 1)
      #expect(refused.error.hasPrefix("secure-api: cannot reach \(closedURL): connection refused"))

      // A reply that is not sealed with the key: exit 4.
      let forged = #"{"txt": "gAAAA"}"#
      let liar = try CannedServer(
        reply: Array(
          "HTTP/1.1 200 OK\r\nContent-Length: \(forged.utf8.count)\r\n\r\n\(forged)".utf8))
      let insecure = try Subprocess.run(tool, ["get", "--key", keyPath, "--url", liar.url])
      liar.finish()
      #expect(insecure.status == 4)
      #expect(insecure.error.hasPrefix("secure-api: insecure connection: "))

      // Bad usage: exit 2.
      let badURL = try Subprocess.run(tool, ["get", "--key", keyPath, "--url", "https://x/"])
      #expect(badURL.status == 2)
      #expect(badURL.error.contains("https is not supported"))
      let badPort = try Subprocess.run(tool, ["serve", "--key", keyPath, "--port", "70000"])
      #expect(badPort.status == 2)
      let noMessage = try Subprocess.run(tool, ["put", "--key", keyPath])
      #expect(noMessage.status == 2)

      // A missing key file: exit 1.
      let noKey = try Subprocess.run(tool, ["get", "--key", scratch.file("none")])
      #expect(noKey.status == 1)

      // A damaged state file stops serve from starting.
      let stateDirectory = scratch.file("state")
      try HostFiles.createDirectory(stateDirectory)
      try HostFiles.writeAtomically(stateDirectory + "/state", Array("garbage".utf8))
      let damaged = try Subprocess.run(
        tool, ["serve", "--key", keyPath, "--port", "0", "--state", stateDirectory])
      #expect(damaged.status == 1)
      #expect(damaged.error.contains("is not a saved server state"))
    }

    @Test func theInteractiveClientPutsAndGets() throws {
      let tool = try Tool.require()
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let keyPath = scratch.file("key.txt")
      let key = TestKey.bytes(seed: 34)
      try HostFiles.writeSecret(keyPath, key)
      let server = try TestServer(key: key, stateDirectory: scratch.file("state"))
      defer { server.stop() }

      let session = try Subprocess.run(
        tool, ["client", "--key", keyPath, "--url", server.url],
        input: "put\nhumidity=40%\nget\nnonsense\n\nexit\n")
      #expect(session.status == 0, "stderr: \(session.error)")
      #expect(session.output == "> message: ok\n> humidity=40%\n> > > ")
      #expect(session.error.contains("unknown command 'nonsense'"))

      let endOfInput = try Subprocess.run(
        tool, ["client", "--key", keyPath, "--url", server.url], input: "get\n")
      #expect(endOfInput.status == 0)
      #expect(endOfInput.output == "> humidity=40%\n> \n")
    }

    @Test func demoRunsEveryStepAndCleansUp() throws {
      let tool = try Tool.require()
      let demo = try Subprocess.run(tool, ["demo"])
      #expect(demo.status == 0, "stderr: \(demo.error)")
      let output = demo.output
      #expect(output.contains("ack ok"))
      #expect(output.contains("ack \"temperature=21.4C humidity=40%\""))
      #expect(output.contains("rej replayed"))
      #expect(output.contains("HTTP 401"))
      #expect(output.contains("request token"))
      #expect(output.hasSuffix("demo passed: every step behaved as expected\n"))
      let keyPath = try #require(
        output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first {
          $0.hasSuffix("/key.txt")
        })
      #expect(!FileManager.default.fileExists(atPath: keyPath))
    }
  }
}
