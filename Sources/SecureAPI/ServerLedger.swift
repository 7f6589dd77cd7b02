// ServerLedger.swift: the server's decisions: the replay rules, the stored message and the
// pending handshake pairs, with no keys; the reply it decides on is sealed afterwards.
// Reference: wire format v1 §6, docs/PROTOCOL.md §1 and §2.
// SPDX-License-Identifier: Apache-2.0

/// What the server decided for one opened request: a frame to seal, or an error, with the
/// HTTP status, the log outcome and any state to persist.
///
/// Deciding is cheap and needs the server's state; sealing the reply (16 Fernet layers) is
/// expensive and needs only the keys. Keeping them apart lets a host decide under its lock
/// and seal outside it.
public struct ServerDecision: Sendable {
  /// What the reply body will hold.
  private enum Content: Sendable {
    /// A frame to seal, with the Fernet time of its layers.
    case sealed(MessageFrame, fernetTime: UInt64)
    /// A JSON error reason.
    case error(String)
  }

  /// The HTTP status: 200 for a sealed reply, 4xx or 5xx for an error.
  public let status: Int
  /// A short description for the log, without key or plaintext.
  public let outcome: String
  /// The state to persist before the reply is sent, when the request changed it.
  public let newState: ServerState?
  private let content: Content

  /// A sealed reply frame (status 200).
  init(
    replying frame: MessageFrame, at now: Timestamp, outcome: String,
    newState: ServerState? = nil
  ) {
    status = 200
    self.outcome = outcome
    self.newState = newState
    content = .sealed(frame, fernetTime: now.unixSeconds)
  }

  /// An error reply `{"error": reason}` with `status`, changing nothing.
  public static func failure(status: Int, reason: String, outcome: String) -> ServerDecision {
    ServerDecision(status: status, outcome: outcome, content: .error(reason))
  }

  private init(status: Int, outcome: String, content: Content) {
    self.status = status
    self.outcome = outcome
    newState = nil
    self.content = content
  }

  /// The reply: the frame sealed with `ring` (random mask and IVs from `rng`), or the error.
  public func response(ring: borrowing KeyRing, using rng: inout some RandomNumberGenerator)
    -> ServerResponse
  {
    let body: [UInt8]
    switch content {
    case .sealed(let frame, let fernetTime):
      body = WireFormat.body(sealing: frame, ring: ring, fernetTime: fernetTime, using: &rng)
    case .error(let reason):
      body = WireFormat.errorBody(reason)
    }
    return ServerResponse(status: status, body: body, outcome: outcome, newState: newState)
  }
}

/// The server's state and the rules that change it: the stored message, the time of the last
/// accepted `put`, and the handshake pairs waiting for their request.
///
/// A `put` inside the 5-second window and newer than the last accepted `put` stores its message
/// and is answered `ack` + `ok`. A `get` inside the window is answered `ack` + the message.
/// Anything refused by the replay rules is answered with the code `rej` and the reason
/// (`replayed`, `stale`, `future`), so the client learns of it securely; the deployed server
/// answered `ack` either way. The clock-free codes follow docs/PROTOCOL.md §2.
public struct ServerLedger: Sendable {
  /// The current state.
  public private(set) var state: ServerState

  /// The handshake pairs waiting for their request (docs/PROTOCOL.md §2.2).
  public private(set) var pending: PendingPairs

  /// A ledger resuming from a saved `state`, with an empty store of pairs.
  public init(state: ServerState = ServerState(), pending: PendingPairs = PendingPairs()) {
    self.state = state
    self.pending = pending
  }

  /// Records a state the host has saved.
  public mutating func commit(_ newState: ServerState) {
    state = newState
  }

  /// Decides on an opened request, including the clock-free handshake.
  ///
  /// v1 `put` and `get` are decided exactly as by ``decideWithoutHandshake(_:now:)``. `hs1`
  /// (only on the ``ServerEndpoint/handshake`` endpoint) makes a fresh `Nonce_2` and keeps the
  /// pair pending; `npt` and `ngt` skip the clock checks only because they are bound to a
  /// live pair, which is removed here, before any reply exists, so it serves once.
  ///
  /// - Parameters:
  ///   - frame: The opened request.
  ///   - endpoint: Where the request arrived.
  ///   - now: The server's wall clock, for v1 requests, time sync and the reply's layers.
  ///   - monotonic: The host's monotonic clock in nanoseconds, for pair lifetimes.
  ///   - rng: The source of `Nonce_2`.
  public mutating func decide(
    _ frame: MessageFrame, endpoint: ServerEndpoint, now: Timestamp, monotonic: UInt64,
    using rng: inout some RandomNumberGenerator
  ) -> ServerDecision {
    if endpoint == .handshake && frame.code != .handshakeStart {
      return .failure(
        status: 400, reason: "only hs1 handshake starts are accepted on this endpoint",
        outcome: "not hs1")
    }
    switch frame.code {
    case .handshakeStart:
      guard endpoint == .handshake else {
        return .failure(
          status: 400, reason: "handshake starts (hs1) go to POST /handshake",
          outcome: "hs1 on the wrong path")
      }
      return decideHandshakeStart(frame, now: now, monotonic: monotonic, using: &rng)
    case .noClockPut, .noClockGet:
      return decideBound(frame, now: now, monotonic: monotonic)
    default:
      return decideWithoutHandshake(frame, now: now)
    }
  }

  /// Decides on an opened request without the handshake store: v1 `put` and `get` and the
  /// stateless time sync `tsq`; every other code is refused as unknown (400).
  public func decideWithoutHandshake(_ frame: MessageFrame, now: Timestamp) -> ServerDecision {
    if frame.code == .timeSyncRequest {
      return decideTimeSync(frame, now: now)
    }
    return decideV1(frame, now: now)
  }

  /// `tsq`: answers `tsr` with the client's nonce and the server's time.
  private func decideTimeSync(_ frame: MessageFrame, now: Timestamp) -> ServerDecision {
    guard frame.payload.count == Nonce.hexLength,
      let nonce = Nonce(hex: frame.payload.span)
    else {
      return .failure(status: 400, reason: Self.malformedNonces, outcome: "tsq malformed")
    }
    var payload = nonce.hex
    payload.append(contentsOf: now.field)
    return ServerDecision(
      replying: MessageFrame(time: frame.time, code: .timeSyncResponse, payload: payload),
      at: now, outcome: "tsq answered")
  }

  /// `hs1`: draws `Nonce_2`, keeps the pair pending and answers `hs2`.
  private mutating func decideHandshakeStart(
    _ frame: MessageFrame, now: Timestamp, monotonic: UInt64,
    using rng: inout some RandomNumberGenerator
  ) -> ServerDecision {
    guard frame.payload.count == Nonce.hexLength,
      let first = Nonce(hex: frame.payload.span)
    else {
      return .failure(status: 400, reason: Self.malformedNonces, outcome: "hs1 malformed")
    }
    let second = Nonce(using: &rng)
    pending.insert(NoncePair(first: first, second: second), now: monotonic)
    var payload = first.hex
    second.appendHex(to: &payload)
    return ServerDecision(
      replying: MessageFrame(time: frame.time, code: .handshakeReply, payload: payload),
      at: now, outcome: "hs1 answered, \(pending.count) pending")
  }

  /// `npt` / `ngt`: takes the pair (single use), then answers `nak` or `nrj` with `m_Nonce`.
  private mutating func decideBound(_ frame: MessageFrame, now: Timestamp, monotonic: UInt64)
    -> ServerDecision
  {
    let isPut = frame.code == .noClockPut
    guard let nonces = Nonce.leading(3, of: frame.payload),
      isPut || frame.payload.count == 3 * Nonce.hexLength
    else {
      return .failure(
        status: 400, reason: Self.malformedNonces, outcome: "\(frame.code) malformed")
    }
    let messageNonce = nonces[2]
    let lookup = pending.take(NoncePair(first: nonces[0], second: nonces[1]), now: monotonic)
    var payload = messageNonce.hex
    guard lookup == .taken else {
      let reason = lookup == .expired ? "expired pair" : "unknown pair"
      payload.append(contentsOf: Array(reason.utf8))
      return ServerDecision(
        replying: MessageFrame(time: frame.time, code: .noClockReject, payload: payload),
        at: now, outcome: "\(frame.code) rejected: \(reason)")
    }
    let reply = { (payload: [UInt8]) in
      MessageFrame(time: frame.time, code: .noClockAck, payload: payload)
    }
    if isPut {
      payload.append(contentsOf: Array("ok".utf8))
      let message = Array(frame.payload[(3 * Nonce.hexLength)...])
      let newState = ServerState(storedMessage: message, lastAcceptedPut: state.lastAcceptedPut)
      return ServerDecision(
        replying: reply(payload), at: now, outcome: "npt accepted", newState: newState)
    }
    payload.append(contentsOf: state.storedMessage)
    return ServerDecision(replying: reply(payload), at: now, outcome: "ngt served")
  }

  private static let malformedNonces =
    "the frame's nonces are malformed (64 lowercase hex digits each)"

  /// v1 `put` and `get`, byte for byte as before the clock-free modes.
  private func decideV1(_ frame: MessageFrame, now: Timestamp) -> ServerDecision {
    var guardian = ReplayGuard(lastAccepted: state.lastAcceptedPut)
    switch frame.code {
    case .put:
      let verdict = guardian.admit(frame.time, now: now)
      guard verdict == .accepted else {
        return Self.rejecting(frame, verdict, now: now)
      }
      let newState = ServerState(storedMessage: frame.payload, lastAcceptedPut: frame.time)
      return ServerDecision(
        replying: MessageFrame(time: frame.time, code: .ack, payload: Array("ok".utf8)),
        at: now, outcome: "put accepted", newState: newState)
    case .get:
      let verdict = guardian.check(frame.time, now: now)
      guard verdict == .accepted else {
        return Self.rejecting(frame, verdict, now: now)
      }
      return ServerDecision(
        replying: MessageFrame(time: frame.time, code: .ack, payload: state.storedMessage),
        at: now, outcome: "get served")
    default:
      return .failure(
        status: 400, reason: ProtocolError.malformedFrame(.unknownCode).description,
        outcome: "unknown code")
    }
  }

  /// The reason text sent with `rej` for a verdict.
  public static func reason(for verdict: ReplayVerdict) -> String {
    switch verdict {
    case .accepted: "accepted"
    case .replayed: "replayed"
    case .stale: "stale"
    case .fromTheFuture: "future"
    }
  }

  private static func rejecting(_ frame: MessageFrame, _ verdict: ReplayVerdict, now: Timestamp)
    -> ServerDecision
  {
    let reason = reason(for: verdict)
    return ServerDecision(
      replying: MessageFrame(time: frame.time, code: .reject, payload: Array(reason.utf8)),
      at: now, outcome: "\(frame.code) rejected: \(reason)")
  }
}
