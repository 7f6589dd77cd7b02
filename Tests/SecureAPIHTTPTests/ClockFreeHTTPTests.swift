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
      #expect(outcomes.filter { $0 == "hs1 answered" }.count == 2)
      #expect(outcomes.contains("put rejected: stale"))
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

  /// The resident memory of this process (VmRSS), in KiB.
  private func residentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
      return 0
    }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
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

  extension HTTPLayerTests.ClockFreeHTTPTests {
    /// One attacker (127.0.0.2, 8 connections at a time) sends up to 100,000 handshake starts as
    /// fast as it can, for at most 45 s; meanwhile a legitimate client (127.0.0.1) completes a
    /// handshake and a put. The per-address limit is 5 starts per second here (20 by default),
    /// as a debug build needs about 0.3 s to open each admitted 16-layer start.
    @Test func aFloodOfHandshakeStartsLeavesTheStoreBoundedAndServesOthers() throws {
      let key = TestKey.bytes()
      let capacity = PendingPairs.defaultCapacity
      let service = try SecureAPIService(
        ring: TestKey.file(key).keyRing(), store: nil, handshakeLimit: RateLimiter(limit: 5))
      var limits = HTTPServer.Limits.testing(connections: 64)
      limits.receiveTimeout = .seconds(5)
      let server = try HTTPServer(
        host: "127.0.0.1", port: 0, service: service, limits: limits, log: { _ in })
      server.start()
      defer { server.stop() }
      let ring = try TestKey.file(key).keyRing()
      var rng = SystemRandomNumberGenerator()
      // A real, sealed hs1 replayed: every admitted copy makes a new pending pair.
      let start = ClientCore.handshakeStartBody(nonce: Nonce(using: &rng), ring: ring, using: &rng)
      let request = postRequest(start, path: "/handshake")
      let port = server.port

      let rssBefore = residentKiB()
      let statistics = Mutex<(sent: Int, limited: Int, answered: Int, failed: Int)>((0, 0, 0, 0))
      let peaks = Mutex<(store: Int, rss: Int)>((0, rssBefore))
      let done = Atomic<Bool>(false)
      let deadline = ContinuousClock.now + .seconds(45)
      let claimed = Atomic<Int>(0)
      let running = Atomic<Int>(8)
      let attack: @Sendable () -> Void = {
        while claimed.add(1, ordering: .relaxed).newValue <= 100_000,
          ContinuousClock.now < deadline
        {
          let status = floodOnce(request, source: "127.0.0.2", port: port)
          statistics.withLock {
            $0.sent += 1
            switch status {
            case 429: $0.limited += 1
            case 200: $0.answered += 1
            default: $0.failed += 1
            }
          }
        }
        if running.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
          done.store(true, ordering: .sequentiallyConsistent)
        }
      }
      let monitor = Thread {
        while !done.load(ordering: .sequentiallyConsistent) {
          let store = service.pendingCount
          let rss = residentKiB()
          peaks.withLock { $0 = (max($0.store, store), max($0.rss, rss)) }
          Thread.sleep(forTimeInterval: 0.05)
        }
      }
      for _ in 0..<8 { Thread { attack() }.start() }
      monitor.start()

      // The legitimate client, during the flood.
      Thread.sleep(forTimeInterval: 1)
      let first = Nonce(using: &rng)
      let hs1 = try HTTPClient.post(
        url: server.url + "handshake",
        body: ClientCore.handshakeStartBody(nonce: first, ring: ring, using: &rng))
      try #require(hs1.status == 200)
      let pair = try ClientCore.pair(ofHandshakeReply: hs1.body.span, nonce: first, ring: ring)
      let messageNonce = Nonce(using: &rng)
      let put = try HTTPClient.post(
        url: server.url,
        body: ClientCore.boundRequestBody(
          code: .noClockPut, pair: pair, messageNonce: messageNonce,
          message: Array("during the flood".utf8), ring: ring, using: &rng))
      let legitimateDone = statistics.withLock { $0.sent }
      #expect(
        try ClientCore.outcome(ofBoundReply: put.body.span, messageNonce: messageNonce, ring: ring)
          == acknowledged("ok"))

      while !done.load(ordering: .sequentiallyConsistent) { Thread.sleep(forTimeInterval: 0.1) }
      let final = statistics.withLock { $0 }
      let peak = peaks.withLock { $0 }
      print(
        "flood: \(final.sent) starts sent (\(final.limited) got 429, \(final.answered) got hs2, "
          + "\(final.failed) failed); store peak \(peak.store) of \(capacity); VmRSS \(rssBefore) KiB "
          + "before, peak \(peak.rss) KiB; legitimate put done after \(legitimateDone) starts")
      #expect(peak.store <= capacity)
      #expect(service.pendingCount <= capacity)
      #expect(final.sent > 0)
      #expect(final.answered + final.limited > final.sent * 9 / 10)
      // Stated bound: the flood adds at most 64 MiB of resident memory.
      #expect(peak.rss - rssBefore < 64 * 1024)
    }
  }
#endif
