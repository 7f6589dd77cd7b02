// ClockFreeTests.swift: the clock-free modes of docs/PROTOCOL.md §2 driven directly through
// ServerCore and ClientCore: nonces, time sync, the Nonce_1/Nonce_2 handshake, every replay of
// issue 6 item 5, and the pending store's and rate limiter's bounds.
// SPDX-License-Identifier: Apache-2.0

import SecureAPI
import Testing
import _TestSupport

/// A server and a client sharing one key, with seeded randomness and explicit clocks.
private struct Harness: ~Copyable {
  var server: ServerCore
  let clientRing: KeyRing
  var rng = SeededGenerator(seed: 0xC10C_F4EE)
  /// The server's wall clock.
  var now = Timestamp(seconds: 1_800_000_000)
  /// The server's monotonic clock, in nanoseconds.
  var monotonic: UInt64 = 5_000_000_000

  init(pending: PendingPairs = PendingPairs()) {
    let file = testKeyFile(seed: 61)
    server = ServerCore(ring: file.keyRing(), pending: pending)
    clientRing = file.keyRing()
  }

  mutating func nonce() -> Nonce { Nonce(using: &rng) }

  /// Posts `body` to the server; commits any new state as the service would.
  mutating func post(_ body: [UInt8], endpoint: ServerEndpoint = .api) -> ServerResponse {
    let response = server.respond(
      to: body.span, now: now, monotonic: monotonic, endpoint: endpoint, using: &rng)
    if let state = response.newState { server.commit(state) }
    return response
  }

  /// Runs `hs1` -> `hs2` and returns the pair.
  mutating func handshake() throws -> NoncePair {
    let first = nonce()
    let body = ClientCore.handshakeStartBody(nonce: first, ring: clientRing, using: &rng)
    let reply = post(body, endpoint: .handshake)
    #expect(reply.status == 200)
    return try ClientCore.pair(ofHandshakeReply: reply.body.span, nonce: first, ring: clientRing)
  }

  /// Sends a bound request and returns its body and the reply.
  mutating func bound(
    _ code: FrameCode, _ message: String = "", pair: NoncePair, messageNonce: Nonce
  ) -> (request: [UInt8], reply: ServerResponse) {
    let body = ClientCore.boundRequestBody(
      code: code, pair: pair, messageNonce: messageNonce, message: Array(message.utf8),
      ring: clientRing, using: &rng)
    return (body, post(body))
  }

  func outcome(_ reply: ServerResponse, _ messageNonce: Nonce) throws(ClockFreeError)
    -> ClientOutcome
  {
    try ClientCore.outcome(
      ofBoundReply: reply.body.span, messageNonce: messageNonce, ring: clientRing)
  }
}

private func ok(_ text: String) -> ClientOutcome { .acknowledged(payload: Array(text.utf8)) }

@Suite struct ClockFreeTests {
  // MARK: Nonces

  @Test func noncesAre64LowercaseHexDigitsAndParseStrictly() throws {
    var rng = SeededGenerator(seed: 1)
    let nonce = Nonce(using: &rng)
    let hex = nonce.hex
    #expect(hex.count == 64)
    #expect(hex.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
    #expect(Nonce(hex: hex.span) == nonce)
    #expect(Nonce(bytes: nonce.bytes) == nonce)
    let upper = Array(nonce.description.uppercased().utf8)
    #expect(hex == upper.map { $0 >= 0x41 && $0 <= 0x46 ? $0 + 0x20 : $0 })
    if upper != hex { #expect(Nonce(hex: upper.span) == nil) }
    #expect(Nonce(hex: Array(hex.dropLast()).span) == nil)
    #expect(Nonce(hex: (hex + [0x30]).span) == nil)
    #expect(Nonce(using: &rng) != nonce)
    let known = Nonce(bytes: Array(0..<32))!
    #expect(
      known.description == "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
  }

  // MARK: Time sync

  @Test func timeSyncGivesTheServerTimeAndAnOffset() throws {
    var h = Harness()
    let clientClock = Timestamp(seconds: 86_400)  // booted near 1970
    let nonce = h.nonce()
    let body = ClientCore.timeSyncRequestBody(
      nonce: nonce, time: clientClock, ring: h.clientRing, using: &h.rng)
    let reply = h.post(body)
    #expect(reply.status == 200 && reply.outcome == "tsq answered")
    let serverTime = try ClientCore.serverTime(
      ofTimeSyncReply: reply.body.span, nonce: nonce, sentTime: clientClock, ring: h.clientRing)
    #expect(serverTime == h.now)
    let offset = try ClientCore.timeOffset(
      serverTime: serverTime, sentAt: clientClock, roundTrip: 200_000_000)
    // The middle of a 0.2 s round trip is 0.1 s after sending.
    #expect(offset.applied(to: Timestamp(ticks: clientClock.ticks + 1_000)) == h.now)
    #expect(
      throws: ClockFreeError.roundTripTooLong(nanoseconds: 2_000_000_001),
      "a slow round trip would let a delaying attacker skew the offset"
    ) {
      _ = try ClientCore.timeOffset(
        serverTime: serverTime, sentAt: clientClock, roundTrip: 2_000_000_001)
    }
    // A client ahead of the server gets a negative offset.
    let ahead = try ClientCore.timeOffset(
      serverTime: h.now, sentAt: Timestamp(ticks: h.now.ticks + 600_000), roundTrip: 0)
    #expect(ahead.ticks == -600_000)
    #expect(ahead.applied(to: Timestamp(ticks: 10)) == Timestamp(ticks: 0))
  }

  @Test func aTimeSyncAnswerWithTheWrongNonceIsRefused() throws {
    var h = Harness()
    let clientClock = Timestamp(seconds: 0)
    let earlier = h.nonce()
    let old = h.post(
      ClientCore.timeSyncRequestBody(
        nonce: earlier, time: clientClock, ring: h.clientRing, using: &h.rng))
    // The client now asks again with a fresh nonce; an attacker replays the old answer.
    let fresh = h.nonce()
    #expect(throws: ClockFreeError.wrongNonce) {
      _ = try ClientCore.serverTime(
        ofTimeSyncReply: old.body.span, nonce: fresh, sentTime: clientClock, ring: h.clientRing)
    }
    // A replayed tsq only makes the server tell its current time again, to nobody waiting.
    let replayed = h.post(
      ClientCore.timeSyncRequestBody(
        nonce: earlier, time: clientClock, ring: h.clientRing, using: &h.rng))
    #expect(replayed.status == 200 && replayed.newState == nil)
    // A v1 ack is not a time sync answer.
    let put = h.post(
      ClientCore.requestBody(
        code: .put, message: [], time: h.now, ring: h.clientRing, using: &h.rng))
    #expect(throws: ClockFreeError.unexpectedCode(.ack)) {
      _ = try ClientCore.serverTime(
        ofTimeSyncReply: put.body.span, nonce: fresh, sentTime: h.now, ring: h.clientRing)
    }
  }

  // MARK: Handshake

  @Test func aClockFreePutThenGetSkipTheClockChecks() throws {
    var h = Harness()
    let pair = try h.handshake()
    #expect(h.server.pending.count == 1)
    let putNonce = h.nonce()
    let put = h.bound(.noClockPut, "21.5 C", pair: pair, messageNonce: putNonce)
    #expect(try h.outcome(put.reply, putNonce) == ok("ok"))
    #expect(put.reply.outcome == "npt accepted")
    #expect(h.server.pending.count == 0)
    #expect(h.server.state.storedMessage == Array("21.5 C".utf8))
    let second = try h.handshake()
    let getNonce = h.nonce()
    let get = h.bound(.noClockGet, pair: second, messageNonce: getNonce)
    #expect(try h.outcome(get.reply, getNonce) == ok("21.5 C"))
    // v1 with a clock still works next to it, byte for byte as before.
    let v1 = h.post(
      ClientCore.requestBody(
        code: .get, message: [], time: h.now, ring: h.clientRing, using: &h.rng))
    #expect(
      try ClientCore.outcome(ofReply: v1.body.span, sentTime: h.now, ring: h.clientRing)
        == ok("21.5 C"))
  }

  @Test func theFinalRequestReplayedFindsItsPairGone() throws {
    var h = Harness()
    let pair = try h.handshake()
    let messageNonce = h.nonce()
    let put = h.bound(.noClockPut, "first", pair: pair, messageNonce: messageNonce)
    #expect(try h.outcome(put.reply, messageNonce) == ok("ok"))
    h.server.commit(ServerState(storedMessage: Array("later".utf8)))
    let replay = h.post(put.request)
    #expect(try h.outcome(replay, messageNonce) == .rejected(reason: "unknown pair"))
    #expect(replay.newState == nil)
    #expect(h.server.state.storedMessage == Array("later".utf8))
  }

  @Test func aPairUsedTwiceIsRefusedTheSecondTime() throws {
    var h = Harness()
    let pair = try h.handshake()
    let first = h.nonce()
    #expect(
      try h.outcome(h.bound(.noClockGet, pair: pair, messageNonce: first).reply, first) == ok(""))
    // A new request (fresh m_Nonce, made with the key) on the same pair is still refused.
    let second = h.nonce()
    let again = h.bound(.noClockPut, "again", pair: pair, messageNonce: second)
    #expect(try h.outcome(again.reply, second) == .rejected(reason: "unknown pair"))
    #expect(h.server.state.storedMessage.isEmpty)
  }

  @Test func anExpiredPairIsRefused() throws {
    var h = Harness(pending: PendingPairs(capacity: 10, lifetime: 30_000_000_000))
    let pair = try h.handshake()
    h.monotonic += 30_000_000_000
    let messageNonce = h.nonce()
    let late = h.bound(.noClockPut, "late", pair: pair, messageNonce: messageNonce)
    #expect(try h.outcome(late.reply, messageNonce) == .rejected(reason: "expired pair"))
    #expect(late.reply.outcome == "npt rejected: expired pair")
    #expect(h.server.state.storedMessage.isEmpty)
    // Just inside the lifetime it is accepted; the wall clock plays no part.
    let fresh = try h.handshake()
    h.monotonic += 29_999_999_999
    h.now = Timestamp(seconds: 3)
    let inTime = h.bound(.noClockPut, "in time", pair: fresh, messageNonce: messageNonce)
    #expect(try h.outcome(inTime.reply, messageNonce) == ok("ok"))
  }

  @Test func aReplayedNonce1GetsAFreshNonce2ButCannotFinish() throws {
    var h = Harness()
    let first = h.nonce()
    let start = ClientCore.handshakeStartBody(nonce: first, ring: h.clientRing, using: &h.rng)
    let original = try ClientCore.pair(
      ofHandshakeReply: h.post(start, endpoint: .handshake).body.span, nonce: first,
      ring: h.clientRing)
    // The attacker replays hs1 and gets a sealed hs2 with a different Nonce_2 ...
    let replayed = h.post(start, endpoint: .handshake)
    #expect(replayed.status == 200)
    let attackerPair = try ClientCore.pair(
      ofHandshakeReply: replayed.body.span, nonce: first, ring: h.clientRing)
    #expect(attackerPair.first == original.first && attackerPair.second != original.second)
    // ... which it cannot read or use without the key: a request sealed with another key is
    // not even opened, and the legitimate pair still works once.
    let otherKey = testKeyFile(seed: 62).keyRing()
    let forged = ClientCore.boundRequestBody(
      code: .noClockPut, pair: attackerPair, messageNonce: h.nonce(), message: Array("x".utf8),
      ring: otherKey, using: &h.rng)
    #expect(h.post(forged).status == 401)
    #expect(h.server.pending.contains(attackerPair, now: h.monotonic))
    let messageNonce = h.nonce()
    let put = h.bound(.noClockPut, "mine", pair: original, messageNonce: messageNonce)
    #expect(try h.outcome(put.reply, messageNonce) == ok("ok"))
    // Nor does the old request body help: the old pair is used.
    #expect(h.post(put.request).outcome == "npt rejected: unknown pair")
  }

  @Test func aResponseReplayedToTheClientOrCarryingTheWrongMessageNonceIsRefused() throws {
    var h = Harness()
    let firstPair = try h.handshake()
    let firstNonce = h.nonce()
    let oldReply = h.bound(.noClockGet, pair: firstPair, messageNonce: firstNonce).reply
    #expect(try h.outcome(oldReply, firstNonce) == ok(""))
    // The next request has a fresh m_Nonce; the attacker answers with the old reply.
    let nextPair = try h.handshake()
    let nextNonce = h.nonce()
    _ = h.bound(.noClockPut, "new", pair: nextPair, messageNonce: nextNonce)
    #expect(throws: ClockFreeError.wrongNonce) { _ = try h.outcome(oldReply, nextNonce) }
    // A handshake reply to another start is refused in the same way.
    let otherStart = h.nonce()
    let otherReply = h.post(
      ClientCore.handshakeStartBody(nonce: otherStart, ring: h.clientRing, using: &h.rng),
      endpoint: .handshake)
    #expect(throws: ClockFreeError.wrongNonce) {
      _ = try ClientCore.pair(
        ofHandshakeReply: otherReply.body.span, nonce: h.nonce(), ring: h.clientRing)
    }
    // A v1 reply is not a clock-free answer.
    let v1 = h.post(
      ClientCore.requestBody(
        code: .get, message: [], time: h.now, ring: h.clientRing, using: &h.rng))
    #expect(throws: ClockFreeError.unexpectedCode(.ack)) { _ = try h.outcome(v1, nextNonce) }
  }

  @Test func handshakeStartsOnlyOnTheirEndpointAndMalformedNoncesAreRefused() throws {
    var h = Harness()
    let start = ClientCore.handshakeStartBody(nonce: h.nonce(), ring: h.clientRing, using: &h.rng)
    let wrongPath = h.post(start)
    #expect(wrongPath.status == 400 && h.server.pending.count == 0)
    let v1 = ClientCore.requestBody(
      code: .get, message: [], time: h.now, ring: h.clientRing, using: &h.rng)
    #expect(h.post(v1, endpoint: .handshake).status == 400)
    let bad = ClientCore.requestBody(
      code: .handshakeStart, message: Array(String(repeating: "G", count: 64).utf8),
      time: ClientCore.clockFreeTime, ring: h.clientRing, using: &h.rng)
    #expect(h.post(bad, endpoint: .handshake).status == 400)
    let short = ClientCore.requestBody(
      code: .noClockGet, message: Array(repeating: 0x61, count: 130),
      time: ClientCore.clockFreeTime, ring: h.clientRing, using: &h.rng)
    #expect(h.post(short).status == 400)
    // The store-less path (v1 hosts) refuses the handshake codes as unknown.
    var rng = SeededGenerator(seed: 3)
    let plain = h.server.respond(to: start.span, now: h.now, using: &rng)
    #expect(plain.status == 400)
  }

  // MARK: Pending store

  @Test func theStoreNeverExceedsItsCapacityOver100000Starts() throws {
    var h = Harness(pending: PendingPairs(capacity: 3, lifetime: 30_000_000_000))
    var rng = SeededGenerator(seed: 9)
    var store = PendingPairs()
    var largest = 0
    var longestOrder = 0
    var pairs: [NoncePair] = []
    for index in 0..<100_000 {
      let pair = NoncePair(first: Nonce(using: &rng), second: Nonce(using: &rng))
      store.insert(pair, now: UInt64(index) * 10_000)  // 100,000 starts per second
      if index % 3 == 0 { _ = store.take(pair, now: UInt64(index) * 10_000) }
      if index >= 99_990 { pairs.append(pair) }
      largest = max(largest, store.count)
      longestOrder = max(longestOrder, store.orderLength)
    }
    #expect(largest == PendingPairs.defaultCapacity)
    #expect(longestOrder <= 2 * PendingPairs.defaultCapacity + 1024 + 1)
    #expect(store.evictions > 50_000)
    // The newest pairs survive eviction (oldest first).
    for pair in pairs.suffix(3) where store.contains(pair, now: 1_000_000_000) {
      #expect(store.take(pair, now: 1_000_000_000) == .taken)
    }
    // Full round trips through ServerCore with a small store.
    for _ in 0..<5 { _ = try h.handshake() }
    #expect(h.server.pending.count == 3)
  }

  @Test func evictionIsOldestFirstAndExpiryFreesTheStore() {
    var rng = SeededGenerator(seed: 4)
    var store = PendingPairs(capacity: 3, lifetime: 100)
    let pairs = (0..<5).map { _ in NoncePair(first: Nonce(using: &rng), second: Nonce(using: &rng))
    }
    for (index, pair) in pairs.prefix(3).enumerated() { store.insert(pair, now: UInt64(index)) }
    // Taking the middle one leaves a dead FIFO entry, skipped by the next eviction.
    #expect(store.take(pairs[1], now: 10) == .taken)
    store.insert(pairs[3], now: 11)
    #expect(store.count == 3 && store.evictions == 0)
    store.insert(pairs[4], now: 12)
    #expect(store.count == 3 && store.evictions == 1)
    #expect(!store.contains(pairs[0], now: 12))
    #expect(store.contains(pairs[2], now: 12))
    #expect(store.take(pairs[0], now: 12) == .unknown)
    // Expiry at the deadline (insert time + lifetime).
    #expect(store.take(pairs[2], now: 102) == .expired)
    store.dropExpired(now: 111)
    #expect(store.count == 1 && store.contains(pairs[4], now: 111))
    store.dropExpired(now: 112)
    #expect(store.count == 0 && store.orderLength == 0)
  }

  @Test func storeBookkeepingStaysBounded() {
    // O(1) per operation rests on two facts checked here without timing anything: the live
    // table never exceeds its capacity, and the FIFO of insertion order (with lazily deleted
    // entries) is compacted, so it never grows past twice the capacity plus 1,024 entries
    // however many pairs come and go.
    var rng = SeededGenerator(seed: 5)
    var store = PendingPairs(capacity: 1_000)
    var longestOrder = 0
    for index in 0..<50_000 {
      let pair = NoncePair(first: Nonce(using: &rng), second: Nonce(using: &rng))
      store.insert(pair, now: UInt64(index))
      if index % 2 == 0 { _ = store.take(pair, now: UInt64(index)) }
      #expect(store.count <= store.capacity)
      longestOrder = max(longestOrder, store.orderLength)
    }
    #expect(longestOrder <= 2 * store.capacity + 1_024, "FIFO reached \(longestOrder) entries")
    #expect(store.evictions > 0)
  }

  // MARK: Rate limiter

  @Test func theRateLimiterBoundsStartsPerClientAndItsMemory() {
    var limiter = RateLimiter<UInt32>(limit: 3, window: 1_000, maximumClients: 100)
    #expect((0..<5).map { _ in limiter.admit(1, now: 10) } == [true, true, true, false, false])
    let otherClient = limiter.admit(2, now: 10)
    #expect(otherClient)
    let nextWindow = limiter.admit(1, now: 1_010)
    #expect(nextWindow)
    for client in 0..<UInt32(1_000) {
      _ = limiter.admit(client, now: 1_500)
      #expect(limiter.trackedClients <= 100)
    }
  }
}
