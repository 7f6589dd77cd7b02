// Demo.swift: `secure-api demo`, the whole protocol on this machine in one command: a fresh
// key, a server on a free loopback port, a put, a get, a replay refused and a tampered token
// refused.
// Reference: wire format v1 §1-§6.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI
import SecureAPIHTTP

extension Command {
  /// `demo`: a self-contained tour that checks itself.
  static let demo = Command(
    name: "demo",
    summary: "run a server and a client in this process and show a put, a get and two attacks",
    details: """
      Writes a fresh 512-character key (system CSPRNG, mode 0600) into a new temporary
      directory, starts the server on a free loopback port with its state in that directory,
      then, printing sizes and timings: stores a sample reading with put, reads it back with
      get, replays the captured put request byte for byte (the server refuses it: rej
      replayed, and the stored message is unchanged), and sends the put token with one
      character of its outer token flipped (refused with HTTP 401). Then it stops the server
      and removes the temporary files.

      Exit status: 0 when every step behaved as expected; 1 otherwise (the failing step is
      named).
      """,
    action: { _ throws(CLIError) in try DemoCommand.run() })
}

/// The `demo` command.
enum DemoCommand {
  /// The message the demo stores.
  static let sampleReading = "temperature=21.4C humidity=40%"

  /// The column where step details start.
  private static let indent = String(repeating: " ", count: 11)

  /// Runs every step, checking each outcome.
  ///
  /// - Throws: ``CLIError/failure(_:)`` naming the step that did not behave as expected.
  static func run() throws(CLIError) {
    let directory: String
    do {
      directory = try HostFiles.makeTemporaryDirectory(prefix: "secure-api-demo-")
    } catch {
      throw .failure("demo: \(error)")
    }
    defer { try? FileManager.default.removeItem(atPath: directory) }
    IO.writeLine("secure-api demo: a key, a server on loopback and a client, in this process")

    // 1. The key, written and read back like any key file.
    let keyPath = directory + "/key.txt"
    var rng = SystemRandomNumberGenerator()
    let generated = KeyFile.generate(using: &rng)
    let file: KeyFile
    let contents: [UInt8]
    do {
      try HostFiles.writeSecret(keyPath, generated.serialized())
      contents = try HostFiles.read(keyPath)
      file = try KeyFile(contents: contents)
    } catch {
      throw .failure("demo failed at step 1 (key): \(error)")
    }
    let ring = file.keyRing()
    step(1, "key", "\(file.byteCount)-character key file, mode 0600, \(ring.layerCount) layers")
    detail(keyPath)

    // 2. The server, on a port the system picks.
    let server: HTTPServer
    let service: SecureAPIService
    let store: StateStore
    do {
      store = try StateStore(directory: directory + "/state")
      // The server loads the key file on its own, as a separate process would.
      service = try SecureAPIService(ring: KeyFile(contents: contents).keyRing(), store: store)
      server = try HTTPServer(
        host: "127.0.0.1", port: 0, service: service,
        log: { entry in IO.writeLine(indent + "server log: \(entry)") })
    } catch {
      throw .failure("demo failed at step 2 (server): \(error)")
    }
    server.start()
    defer { server.stop() }
    step(2, "server", "listening on \(server.url)")
    detail("state file \(store.path)")

    // 3. put.
    let reading = Array(sampleReading.utf8)
    step(3, "put", "sending \"\(sampleReading)\" (\(reading.count) bytes)")
    let putTime = SystemClock().now()
    let putBody = ClientCore.requestBody(
      code: .put, message: reading, time: putTime, ring: ring, using: &rng)
    let put = try send(putBody, to: server.url, step: 3, sentTime: putTime, ring: ring)
    guard put.outcome == .acknowledged(payload: Array("ok".utf8)) else {
      throw .failure("demo failed at step 3 (put): expected ack ok, got \(put.outcome)")
    }
    detail("ack ok: stored (\(put.milliseconds) ms)")
    detail(
      "request token \(try tokenSize(putBody)) bytes, reply token \(put.replyTokenSize) bytes")

    // 4. get.
    step(4, "get", "asking for the stored message")
    let getTime = SystemClock().now()
    let getBody = ClientCore.requestBody(
      code: .get, message: [], time: getTime, ring: ring, using: &rng)
    let get = try send(getBody, to: server.url, step: 4, sentTime: getTime, ring: ring)
    guard get.outcome == .acknowledged(payload: reading) else {
      throw .failure("demo failed at step 4 (get): expected the reading, got \(get.outcome)")
    }
    detail("ack \"\(sampleReading)\" (\(get.milliseconds) ms)")
    detail(
      "request token \(try tokenSize(getBody)) bytes, reply token \(get.replyTokenSize) bytes")

    // 5. The captured put, replayed byte for byte.
    step(5, "replay", "sending the captured put request again, byte for byte")
    let replay = try send(putBody, to: server.url, step: 5, sentTime: putTime, ring: ring)
    guard replay.outcome == .rejected(reason: "replayed") else {
      throw .failure("demo failed at step 5 (replay): expected rej replayed, got \(replay.outcome)")
    }
    guard service.state.storedMessage == reading else {
      throw .failure("demo failed at step 5 (replay): the stored message changed")
    }
    detail("rej replayed: the server refused it (\(replay.milliseconds) ms)")
    detail("the stored message is unchanged")

    // 6. The put token with one character of the outer token flipped.
    step(6, "tamper", "sending the put token with one character of its outer token flipped")
    let tamperedBody: [UInt8]
    do {
      var token = try WireFormat.token(fromBody: putBody.span)
      let middle = token.count / 2
      token[middle] = token[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
      tamperedBody = WireFormat.body(token: token.span)
    } catch {
      throw .failure("demo failed at step 6 (tamper): \(error)")
    }
    let started = ContinuousClock.now
    let tampered = try post(tamperedBody, to: server.url, step: 6)
    let reason = WireFormat.errorReason(fromBody: tampered.body.span) ?? "no reason"
    guard tampered.status == 401 else {
      throw .failure("demo failed at step 6 (tamper): expected HTTP 401, got \(tampered.status)")
    }
    detail("HTTP 401: \(reason) (\(milliseconds(since: started)) ms)")

    // 7. Stop and clean up (the deferred stop and removal do it; stopping twice is harmless).
    server.stop()
    step(7, "stop", "server stopped; temporary key and state removed")
    IO.writeLine("demo passed: every step behaved as expected")
  }

  /// What one sealed exchange gave.
  private struct Exchange {
    let outcome: ClientOutcome
    let replyTokenSize: Int
    let milliseconds: Int
  }

  /// Posts a sealed request and checks the reply with the client's rules.
  private static func send(
    _ body: [UInt8], to url: String, step number: Int, sentTime: Timestamp,
    ring: borrowing KeyRing
  ) throws(CLIError) -> Exchange {
    let started = ContinuousClock.now
    let response = try post(body, to: url, step: number)
    guard response.status == 200 else {
      let reason = WireFormat.errorReason(fromBody: response.body.span) ?? "no reason"
      throw .failure("demo failed at step \(number): HTTP \(response.status): \(reason)")
    }
    do {
      let outcome = try ClientCore.outcome(
        ofReply: response.body.span, sentTime: sentTime, ring: ring)
      return Exchange(
        outcome: outcome, replyTokenSize: try tokenSize(response.body),
        milliseconds: milliseconds(since: started))
    } catch {
      throw .failure("demo failed at step \(number): insecure reply: \(error)")
    }
  }

  /// Posts a body to the demo server.
  private static func post(_ body: [UInt8], to url: String, step number: Int) throws(CLIError)
    -> (
      status: Int, body: [UInt8]
    )
  {
    do {
      return try HTTPClient.post(url: url, body: body)
    } catch {
      throw .failure("demo failed at step \(number): \(error)")
    }
  }

  /// The size of the outer token in a body.
  private static func tokenSize(_ body: [UInt8]) throws(CLIError) -> Int {
    do {
      return try WireFormat.token(fromBody: body.span).count
    } catch {
      throw .failure("demo: a body holds no token")
    }
  }

  private static func step(_ number: Int, _ name: String, _ text: String) {
    let label = "\(number). \(name)"
    IO.writeLine(label + String(repeating: " ", count: max(1, indent.count - label.count)) + text)
  }

  private static func detail(_ text: String) {
    IO.writeLine(indent + text)
  }

  private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
    Int((start.duration(to: .now) / .milliseconds(1)).rounded())
  }
}
