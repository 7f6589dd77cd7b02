// HTTPServerTests.swift: our client against our server in-process: round trips, replays,
// stale and future times, persistence across restarts, and a state that cannot be saved.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI
import SecureAPIHTTP
import Testing

extension HTTPLayerTests {
  @Suite struct HTTPServerTests {
    @Test func putThenGetReturnsTheMessage() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(stateDirectory: scratch.file("state"))
      defer { server.stop() }

      let put = try server.exchange(.put, "température 21°C ✓")
      #expect(put.status == 200)
      #expect(put.outcome == acknowledged("ok"))
      let get = try server.exchange(.get)
      #expect(get.outcome == acknowledged("température 21°C ✓"))

      let entries = server.log.entries
      #expect(entries.map(\.outcome) == ["put accepted", "get served"])
      #expect(entries.allSatisfy { $0.method == "POST" && $0.path == "/" && $0.status == 200 })
      #expect(entries.allSatisfy { !$0.description.contains("température") })
    }

    @Test func aReplayedPutIsRejectedAndTheStoredMessageIsUnchanged() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(stateDirectory: scratch.file("state"))
      defer { server.stop() }

      let first = try server.exchange(.put, "first")
      #expect(first.outcome == acknowledged("ok"))
      let second = try server.exchange(.put, "second")
      #expect(second.outcome == acknowledged("ok"))

      for captured in [first, second] {
        let replay = try exchange(
          .put, key: server.key, url: server.url,
          time: try Self.time(of: captured, key: server.key),
          body: captured.requestBody)
        #expect(replay.status == 200)
        #expect(replay.outcome == .rejected(reason: "replayed"))
      }
      #expect(try server.storedMessage() == "second")
      #expect(server.log.entries.map(\.outcome).contains("put rejected: replayed"))
    }

    @Test func staleAndFutureTimesAreRefused() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(stateDirectory: scratch.file("state"))
      defer { server.stop() }
      let now = SystemClock().now().ticks
      let minute = 60 * Timestamp.ticksPerSecond

      let stalePut = try server.exchange(.put, "old", time: Timestamp(ticks: now - minute))
      #expect(stalePut.outcome == .rejected(reason: "stale"))
      let futurePut = try server.exchange(.put, "early", time: Timestamp(ticks: now + minute))
      #expect(futurePut.outcome == .rejected(reason: "future"))
      let staleGet = try server.exchange(.get, time: Timestamp(ticks: now - minute))
      #expect(staleGet.outcome == .rejected(reason: "stale"))
      let futureGet = try server.exchange(.get, time: Timestamp(ticks: now + minute))
      #expect(futureGet.outcome == .rejected(reason: "future"))
      #expect(try server.storedMessage() == "")
    }

    @Test func theStateSurvivesARestart() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let directory = scratch.file("state")
      let key = TestKey.bytes(seed: 7)

      let first = try TestServer(key: key, stateDirectory: directory)
      let put = try first.exchange(.put, "kept across restarts")
      #expect(put.outcome == acknowledged("ok"))
      first.stop()
      let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/state")
      #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

      let second = try TestServer(key: key, stateDirectory: directory)
      defer { second.stop() }
      #expect(try second.storedMessage() == "kept across restarts")
      let replay = try exchange(
        .put, key: key, url: second.url, time: try Self.time(of: put, key: key),
        body: put.requestBody)
      #expect(replay.outcome == .rejected(reason: "replayed"))
      #expect(second.service.state.storedMessage == Array("kept across restarts".utf8))
    }

    @Test func aDamagedStateFileStopsTheServerFromStarting() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let directory = scratch.file("state")
      let store = try StateStore(directory: directory)
      try HostFiles.writeAtomically(store.path, Array("not a state\n".utf8))
      #expect(throws: StateStoreError.corrupt(path: store.path)) {
        try SecureAPIService(ring: TestKey.file(TestKey.bytes()).keyRing(), store: store)
      }
      #expect(
        StateStoreError.corrupt(path: store.path).description.contains("not a saved server state"))
    }

    @Test func aPutWhoseStateCannotBeSavedGets500AndIsNotStored() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(stateDirectory: scratch.file("state"))
      defer { server.stop() }
      #expect(try server.exchange(.put, "saved").outcome == acknowledged("ok"))

      // Without its directory the state file cannot be replaced (even for root).
      try FileManager.default.removeItem(atPath: server.stateDirectory)
      let failed = try server.exchange(.put, "not saved")
      #expect(failed.status == 500)
      #expect(
        WireFormat.errorReason(fromBody: failed.responseBody.span)
          == "the server could not save its state; nothing was stored")
      #expect(try server.storedMessage() == "saved")
    }

    @Test func theServiceWorksWithoutAStore() throws {
      let key = TestKey.bytes(seed: 11)
      let service = try SecureAPIService(ring: TestKey.file(key).keyRing(), store: nil)
      let ring = try TestKey.file(key).keyRing()
      var rng = SystemRandomNumberGenerator()
      let time = SystemClock().now()
      let body = ClientCore.requestBody(
        code: .put, message: Array("memory".utf8), time: time, ring: ring, using: &rng)
      let reply = service.respond(to: body)
      #expect(reply.status == 200 && reply.outcome == "put accepted")
      #expect(service.state.storedMessage == Array("memory".utf8))
    }

    /// The frame time of a request that was sent, read back with the key.
    static func time(of exchange: Exchange, key: [UInt8]) throws -> Timestamp {
      let token = try WireFormat.token(fromBody: exchange.requestBody.span)
      return try SecureChannel.open(token.span, ring: TestKey.file(key).keyRing()).time
    }
  }
}
