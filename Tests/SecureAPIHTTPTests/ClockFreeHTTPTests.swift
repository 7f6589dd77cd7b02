// ClockFreeHTTPTests.swift: the clock-free handshake over HTTP: POST /handshake, the bound
// request on POST /, and the per-address rate limit on handshake starts.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI
import SecureAPIHTTP
import Synchronization
import Testing

extension HTTPLayerTests {
  @Suite struct ClockFreeHTTPTests {
    /// `http://127.0.0.1:PORT/handshake`.
    private static func handshakeURL(_ server: TestServer) -> String {
      server.url + "handshake"
    }

    /// Runs hs1 over HTTP and returns the pair.
    private static func handshake(_ server: TestServer, ring: borrowing KeyRing) throws
      -> NoncePair
    {
      var rng = SystemRandomNumberGenerator()
      let first = Nonce(using: &rng)
      let body = ClientCore.handshakeStartBody(nonce: first, ring: ring, using: &rng)
      let response = try HTTPClient.post(url: handshakeURL(server), body: body)
      try #require(response.status == 200)
      return try ClientCore.pair(ofHandshakeReply: response.body.span, nonce: first, ring: ring)
    }

    @Test func aClockFreePutAndGetOverHTTPWithAServerFarInTheFuture() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      // The server's clock is a day ahead: v1 requests would be stale; these skip the clock.
      let server = try TestServer(
        stateDirectory: scratch.file("state"), clock: AheadClock(seconds: 86_400))
      defer { server.stop() }
      let ring = try TestKey.file(server.key).keyRing()
      var rng = SystemRandomNumberGenerator()

      let pair = try Self.handshake(server, ring: ring)
      #expect(server.service.pendingCount == 1)
      let putNonce = Nonce(using: &rng)
      let putBody = ClientCore.boundRequestBody(
        code: .noClockPut, pair: pair, messageNonce: putNonce, message: Array("no clock".utf8),
        ring: ring, using: &rng)
      let put = try HTTPClient.post(url: server.url, body: putBody)
      #expect(put.status == 200)
      #expect(
        try ClientCore.outcome(ofBoundReply: put.body.span, messageNonce: putNonce, ring: ring)
          == acknowledged("ok"))
      #expect(server.service.pendingCount == 0)
      #expect(server.service.state.storedMessage == Array("no clock".utf8))

      // The same request replayed finds its pair gone.
      let replay = try HTTPClient.post(url: server.url, body: putBody)
      #expect(
        try ClientCore.outcome(ofBoundReply: replay.body.span, messageNonce: putNonce, ring: ring)
          == .rejected(reason: "unknown pair"))

      let second = try Self.handshake(server, ring: ring)
      let getNonce = Nonce(using: &rng)
      let getBody = ClientCore.boundRequestBody(
        code: .noClockGet, pair: second, messageNonce: getNonce, ring: ring, using: &rng)
      let get = try HTTPClient.post(url: server.url, body: getBody)
      #expect(
        try ClientCore.outcome(ofBoundReply: get.body.span, messageNonce: getNonce, ring: ring)
          == acknowledged("no clock"))
      let outcomes = server.log.entries.map(\.outcome)
      #expect(outcomes.contains("npt accepted") && outcomes.contains("ngt served"))
    }

    @Test func theCLISyncsTimeOnceAndUsesTheClockFreeHandshake() throws {
      let tool = try Tool.require()
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      // The server's clock is a day ahead of this machine's, so plain v1 requests are stale.
      let server = try TestServer(
        stateDirectory: scratch.file("state"), clock: AheadClock(seconds: 86_400))
      defer { server.stop() }
      let keyPath = scratch.file("key.txt")
      try HostFiles.writeSecret(keyPath, server.key)

      // The interactive client: refused as stale, then one automatic sync and retry.
      let automatic = try Subprocess.run(
        tool, ["client", "--key", keyPath, "--url", server.url], input: "put\nsynced\nexit\n")
      #expect(automatic.status == 0, "stderr: \(automatic.error)")
      #expect(automatic.output.contains("ok\n"))
      #expect(automatic.error.contains("syncing time with the server and retrying once"))
      // Synced up front: no refusal at all.
      let explicit = try Subprocess.run(
        tool, ["get", "--key", keyPath, "--url", server.url, "--sync-time"])
      #expect(explicit.status == 0 && explicit.output == "synced\n", "stderr: \(explicit.error)")
      #expect(explicit.error.isEmpty)
      // No clock at all.
      let put = try Subprocess.run(
        tool, ["put", "--key", keyPath, "--url", server.url, "--no-clock", "clock-free"])
      #expect(put.status == 0 && put.output == "ok\n", "stderr: \(put.error)")
      let get = try Subprocess.run(
        tool, ["get", "--key", keyPath, "--url", server.url, "--no-clock"])
      #expect(get.status == 0 && get.output == "clock-free\n", "stderr: \(get.error)")
      let outcomes = server.log.entries.map(\.outcome)
      #expect(outcomes.filter { $0 == "tsq answered" }.count == 2)
      #expect(outcomes.filter { $0.hasPrefix("hs1 answered, ") }.count == 2)
      #expect(outcomes.contains("put rejected: stale"))
    }

    @Test func copiesOfOneBoundRequestSentAtOnceAreAcceptedOnce() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(stateDirectory: scratch.file("state"))
      defer { server.stop() }
      let ring = try TestKey.file(server.key).keyRing()
      var rng = SystemRandomNumberGenerator()
      let pair = try Self.handshake(server, ring: ring)
      let messageNonce = Nonce(using: &rng)
      let body = ClientCore.boundRequestBody(
        code: .noClockPut, pair: pair, messageNonce: messageNonce, message: Array("once".utf8),
        ring: ring, using: &rng)
      // The copies are opened in parallel, outside the service's lock; the pair is taken
      // under it, so exactly one copy finds it.
      let replies = Mutex<[[UInt8]]>([])
      let url = server.url
      DispatchQueue.concurrentPerform(iterations: 4) { _ in
        let reply = try? HTTPClient.post(url: url, body: body, timeout: .seconds(60))
        replies.withLock { $0.append(reply?.body ?? []) }
      }
      let outcomes = try replies.withLock { $0 }.map {
        try ClientCore.outcome(ofBoundReply: $0.span, messageNonce: messageNonce, ring: ring)
      }
      #expect(outcomes.filter { $0 == acknowledged("ok") }.count == 1)
      #expect(outcomes.filter { $0 == .rejected(reason: "unknown pair") }.count == 3)
      #expect(server.service.state.storedMessage == Array("once".utf8))
    }

    @Test func handshakeStartsAreRateLimitedPerAddressBeforeDecryption() throws {
      let key = TestKey.bytes()
      // Three starts per minute per address, so the test does not race the window.
      let service = try SecureAPIService(
        ring: TestKey.file(key).keyRing(), store: nil,
        handshakeLimit: RateLimiter(limit: 3, window: 60_000_000_000))
      let log = LogRecorder()
      let server = try HTTPServer(
        host: "127.0.0.1", port: 0, service: service, limits: .testing(),
        log: { log.record($0) })
      server.start()
      defer { server.stop() }
      let ring = try TestKey.file(key).keyRing()
      var rng = SystemRandomNumberGenerator()
      // hs1 on POST / is refused, so starts cannot bypass the limit.
      let start = ClientCore.handshakeStartBody(nonce: Nonce(using: &rng), ring: ring, using: &rng)
      #expect(try HTTPClient.post(url: server.url, body: start).status == 400)
      // Garbage is counted too: the limit is applied before anything is decrypted.
      var statuses: [Int] = []
      for _ in 0..<5 {
        statuses.append(try HTTPClient.post(url: server.url + "handshake", body: []).status)
      }
      #expect(statuses == [400, 400, 400, 429, 429])
      #expect(try HTTPClient.post(url: server.url + "handshake", body: start).status == 429)
      #expect(service.pendingCount == 0)
      #expect(log.entries.map(\.outcome).contains("hs1 rate-limited"))
    }
  }
}

// MARK: - Flood

#if canImport(Glibc)
  import Glibc

  /// A field of `/proc/PID/status` (`VmRSS`, `VmHWM`), in KiB, or 0 when unreadable.
  private func memoryKiB(_ field: String, process: Int32) -> Int {
    guard
      let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8)
    else {
      return 0
    }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
      return Int(line.split(separator: " ")[1]) ?? 0
    }
    return 0
  }

  /// Sends `request` on a new connection from `source` to 127.0.0.1:`port`, reads the status
  /// and resets the connection (SO_LINGER 0), so that no TIME_WAIT uses up ports.
  private func floodOnce(_ request: [UInt8], source: String, port: UInt16) -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return -1 }
    defer { _ = close(descriptor) }
    var linger = linger(l_onoff: 1, l_linger: 0)
    _ = setsockopt(
      descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    _ = setsockopt(
      descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var local = sockaddr_in()
    local.sin_family = sa_family_t(AF_INET)
    local.sin_addr.s_addr = inet_addr(source)
    var remote = sockaddr_in()
    remote.sin_family = sa_family_t(AF_INET)
    remote.sin_port = port.bigEndian
    remote.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &local) { localPointer in
      withUnsafePointer(to: &remote) { remotePointer in
        localPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { from in
          remotePointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { to in
            bind(descriptor, from, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
              && connect(descriptor, to, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
          }
        }
      }
    }
    guard connected else { return -1 }
    let sent = request.withUnsafeBytes {
      send(descriptor, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL))
    }
    guard sent == request.count else { return -1 }
    var head = [UInt8](repeating: 0, count: 12)
    let count = head.withUnsafeMutableBytes {
      recv(descriptor, $0.baseAddress, 12, Int32(MSG_WAITALL))
    }
    guard count == 12 else { return -1 }
    return Int(String(decoding: head[9..<12], as: UTF8.self)) ?? -1
  }

  /// The optimized `secure-api` that the flood runs against: `SECURE_API_RELEASE_BINARY`,
  /// which `Scripts/test.sh` builds and sets. (A debug server spends about 0.3 s on each
  /// admitted start, so it measures the build, not the protection.)
  private let releaseTool = ProcessInfo.processInfo.environment["SECURE_API_RELEASE_BINARY"]

  extension HTTPLayerTests.ClockFreeHTTPTests {
    /// One attacker (127.0.0.2, 8 connections at a time) sends 100,000 handshake starts as fast
    /// as it can to a release-built `secure-api serve` with the default per-address limit (20
    /// starts per second) and a store of 100 pairs (so that eviction happens within the
    /// flood); meanwhile a legitimate client (127.0.0.1) completes a handshake and a put.
    @Test(
      .enabled(
        if: releaseTool != nil,
        "set SECURE_API_RELEASE_BINARY to a release secure-api (Scripts/test.sh does)"))
    func aFloodOfHandshakeStartsLeavesTheStoreBoundedAndServesOthers() throws {
      let tool = try #require(releaseTool)
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let key = TestKey.bytes(seed: 77)
      let keyPath = scratch.file("key.txt")
      try HostFiles.writeSecret(keyPath, key)
      let capacity = 100
      let serve = try Subprocess(
        tool,
        [
          "serve", "--key", keyPath, "--port", "0", "--state", scratch.file("state"),
          "--pending-capacity", "\(capacity)",
        ])
      defer { serve.kill() }
      let url = try serve.waitForLine(startingWith: "listening on ")
      let port = try #require(UInt16(url.split(separator: ":").last!.dropLast()))
      let server = serve.process.processIdentifier
      let ring = try TestKey.file(key).keyRing()
      var rng = SystemRandomNumberGenerator()

      /// A handshake and a clock-free put from 127.0.0.1.
      func legitimatePut(_ text: String, rng: inout SystemRandomNumberGenerator) throws
        -> ClientOutcome
      {
        let first = Nonce(using: &rng)
        let hs1 = try HTTPClient.post(
          url: url + "handshake",
          body: ClientCore.handshakeStartBody(nonce: first, ring: ring, using: &rng))
        try #require(hs1.status == 200)
        let pair = try ClientCore.pair(ofHandshakeReply: hs1.body.span, nonce: first, ring: ring)
        let messageNonce = Nonce(using: &rng)
        let put = try HTTPClient.post(
          url: url,
          body: ClientCore.boundRequestBody(
            code: .noClockPut, pair: pair, messageNonce: messageNonce,
            message: Array(text.utf8), ring: ring, using: &rng))
        return try ClientCore.outcome(
          ofBoundReply: put.body.span, messageNonce: messageNonce, ring: ring)
      }
      // Warm up, so that the baseline includes the server's working set for a handshake.
      #expect(try legitimatePut("before the flood", rng: &rng) == acknowledged("ok"))
      let rssBefore = memoryKiB("VmRSS", process: server)

      // A real, sealed hs1 replayed: every admitted copy makes a new pending pair.
      let start = ClientCore.handshakeStartBody(nonce: Nonce(using: &rng), ring: ring, using: &rng)
      let request = postRequest(start, path: "/handshake")
      let total = 100_000
      let statistics = Mutex<(sent: Int, limited: Int, answered: Int, other: Int)>((0, 0, 0, 0))
      let peakRSS = Mutex<Int>(rssBefore)
      let done = Atomic<Bool>(false)
      let deadline = ContinuousClock.now + .seconds(300)
      let claimed = Atomic<Int>(0)
      let running = Atomic<Int>(8)
      let began = ContinuousClock.now
      let attack: @Sendable () -> Void = {
        while claimed.add(1, ordering: .relaxed).newValue <= total,
          ContinuousClock.now < deadline
        {
          let status = floodOnce(request, source: "127.0.0.2", port: port)
          statistics.withLock {
            $0.sent += 1
            switch status {
            case 429: $0.limited += 1
            case 200: $0.answered += 1
            default: $0.other += 1
            }
          }
        }
        if running.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
          done.store(true, ordering: .sequentiallyConsistent)
        }
      }
      let monitor = Thread {
        while !done.load(ordering: .sequentiallyConsistent) {
          let rss = memoryKiB("VmRSS", process: server)
          peakRSS.withLock { $0 = max($0, rss) }
          Thread.sleep(forTimeInterval: 0.05)
        }
      }
      for _ in 0..<8 { Thread { attack() }.start() }
      monitor.start()

      // The legitimate client, during the flood.
      Thread.sleep(forTimeInterval: 1)
      let startsBefore = statistics.withLock { $0.sent }
      #expect(try legitimatePut("during the flood", rng: &rng) == acknowledged("ok"))
      let startsAfter = statistics.withLock { $0.sent }

      while !done.load(ordering: .sequentiallyConsistent) { Thread.sleep(forTimeInterval: 0.1) }
      let seconds =
        Double((ContinuousClock.now - began).components.seconds)
        + Double((ContinuousClock.now - began).components.attoseconds) / 1e18
      let final = statistics.withLock { $0 }
      let peak = peakRSS.withLock { $0 }
      let highWater = memoryKiB("VmHWM", process: server)
      // The server's log line for each answered start ends with the pairs pending.
      let pendingCounts = serve.error.split(separator: "\n").compactMap { line in
        line.firstRange(of: "hs1 answered, ").flatMap { range in
          Int(line[range.upperBound...].prefix { $0.isNumber })
        }
      }
      let storePeak = pendingCounts.max() ?? 0
      print(
        "flood: \(final.sent) starts in \(Int(seconds)) s (\(final.limited) got 429, "
          + "\(final.answered) got hs2, \(final.other) other); store peak \(storePeak) of "
          + "\(capacity) over \(pendingCounts.count) answered starts; server VmRSS "
          + "\(rssBefore) KiB before, peak \(peak) KiB, VmHWM \(highWater) KiB; legitimate "
          + "handshake and put done between starts \(startsBefore) and \(startsAfter)")
      #expect(final.sent == total)
      #expect(final.limited + final.answered == final.sent)
      #expect(pendingCounts.allSatisfy { $0 <= capacity })
      // More starts answered than the store holds: it filled, and evicted the oldest since.
      if pendingCounts.count > capacity { #expect(storePeak == capacity) }
      // Stated bound: the flood adds at most 32 MiB to the server's resident memory.
      #expect(peak - rssBefore < 32 * 1024)
      #expect(try legitimatePut("after the flood", rng: &rng) == acknowledged("ok"))
    }
  }
#endif
