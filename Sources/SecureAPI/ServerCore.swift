// ServerCore.swift: the whole server minus sockets and files: request body in, reply body out,
// with the replay rules and the stored message.
// Reference: wire format v1 §5 and §6, with this project's stricter rules.
// SPDX-License-Identifier: Apache-2.0

import Encodings

/// What the server remembers: the stored message and the time of the last accepted store.
///
/// The host persists it (atomically) before answering a store, so a restart neither loses an
/// acknowledged message nor reopens the replay window.
public struct ServerState: Equatable, Sendable {
  /// The message of the last accepted `put`.
  public var storedMessage: [UInt8]
  /// The time of the last accepted `put`.
  public var lastAcceptedPut: Timestamp?

  /// A state; by default the empty one of a new server.
  public init(storedMessage: [UInt8] = [], lastAcceptedPut: Timestamp? = nil) {
    self.storedMessage = storedMessage
    self.lastAcceptedPut = lastAcceptedPut
  }

  private static let header = Array("secure-api-state 1\n".utf8)

  /// The saved form: a header line, the last accepted time (or `-`), and the message in
  /// base64url, each on its own line.
  public func serialized() -> [UInt8] {
    var out = Self.header
    out.append(contentsOf: lastAcceptedPut?.field ?? [UInt8(ascii: "-")])
    out.append(UInt8(ascii: "\n"))
    Base64URL.encode(storedMessage.span, appendingTo: &out)
    out.append(UInt8(ascii: "\n"))
    return out
  }

  /// Reads a saved state back.
  ///
  /// - Throws: ``ProtocolError/invalidStateFile``.
  public init(serialized bytes: Span<UInt8>) throws(ProtocolError) {
    let lines = bytes.indices.map { bytes[$0] }.split(
      separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    guard lines.count == 4, lines[3].isEmpty,
      Array(lines[0]) + [UInt8(ascii: "\n")] == Self.header
    else { throw .invalidStateFile }
    let timeLine = Array(lines[1])
    if timeLine == [UInt8(ascii: "-")] {
      lastAcceptedPut = nil
    } else {
      do {
        lastAcceptedPut = try Timestamp(field: timeLine.span)
      } catch {
        throw .invalidStateFile
      }
    }
    do {
      storedMessage = try Base64URL.decode(Array(lines[2]).span)
    } catch {
      throw .invalidStateFile
    }
  }
}

/// Where a request arrived: the HTTP layer routes `POST /handshake` apart so that it can
/// rate-limit handshake starts by address before decrypting anything.
public enum ServerEndpoint: Equatable, Sendable {
  /// `POST /`: v1 requests, time sync and the bound clock-free requests.
  case api
  /// `POST /handshake`: handshake starts (`hs1`) only.
  case handshake
}

/// The server's answer to one request.
public struct ServerResponse: Sendable {
  /// The HTTP status: 200 for a sealed reply, 400 for a malformed request, 401 for a token
  /// that does not decrypt with the server's key.
  public let status: Int
  /// The JSON body: `{"txt": ...}` or `{"error": ...}`.
  public let body: [UInt8]
  /// A short description for the log, without key or plaintext.
  public let outcome: String
  /// The state to persist before sending the reply, when the request changed it; the host
  /// calls ``ServerCore/commit(_:)`` once it is saved.
  public let newState: ServerState?
}

/// The server's logic: opens requests, applies the replay rules, seals replies.
///
/// A `put` inside the 5-second window and newer than the last accepted `put` stores its message
/// and is answered `ack` + `ok`. A `get` inside the window is answered `ack` + the message.
/// Anything refused by the replay rules is answered with the code `rej` and the reason
/// (`replayed`, `stale`, `future`) in a sealed reply, so the client learns of it securely; the
/// deployed server answered `ack` either way. Malformed requests get a JSON error and a 4xx
/// status, never a crash.
public struct ServerCore: ~Copyable {
  private let ring: KeyRing

  /// The current state.
  public private(set) var state: ServerState

  /// The handshake pairs waiting for their request (docs/PROTOCOL.md §2.2).
  public private(set) var pending: PendingPairs

  /// A server for `ring`, resuming from a saved `state`.
  ///
  /// - Parameters:
  ///   - ring: The layer keys.
  ///   - state: The saved state.
  ///   - pending: The store for handshake pairs, with its capacity and lifetime.
  public init(
    ring: consuming KeyRing, state: ServerState = ServerState(),
    pending: PendingPairs = PendingPairs()
  ) {
    self.ring = ring
    self.state = state
    self.pending = pending
  }

  /// Answers one request body at time `now`.
  ///
  /// - Parameters:
  ///   - body: The HTTP request body.
  ///   - now: The server's clock.
  ///   - rng: The source of the reply's mask and IVs.
  ///
  /// This path holds no handshake store: it answers v1 `put` and `get` and the stateless time
  /// sync `tsq`; the handshake codes get 400 (see
  /// ``respond(to:now:monotonic:endpoint:using:)``).
  public borrowing func respond(
    to body: Span<UInt8>, now: Timestamp, using rng: inout some RandomNumberGenerator
  ) -> ServerResponse {
    let frame: MessageFrame
    switch open(body) {
    case .success(let opened): frame = opened
    case .failure(let failure): return failure.response
    }
    if frame.code == .timeSyncRequest {
      return answerTimeSync(frame, now: now, using: &rng)
    }
    return answerV1(frame, now: now, using: &rng)
  }

  /// Answers one request body at time `now`, including the clock-free handshake.
  ///
  /// v1 `put` and `get` are answered exactly as by ``respond(to:now:using:)``. `hs1` (only on
  /// the ``ServerEndpoint/handshake`` endpoint) makes a fresh `Nonce_2` and keeps the pair
  /// pending; `npt` and `ngt` skip the clock checks only because they are bound to a live
  /// pair, which is removed before the answer is built, so it serves once.
  ///
  /// - Parameters:
  ///   - body: The HTTP request body.
  ///   - now: The server's wall clock, for v1 requests and time sync.
  ///   - monotonic: The host's monotonic clock in nanoseconds, for pair lifetimes.
  ///   - endpoint: Where the request arrived.
  ///   - rng: The source of nonces, masks and IVs.
  public mutating func respond(
    to body: Span<UInt8>, now: Timestamp, monotonic: UInt64, endpoint: ServerEndpoint = .api,
    using rng: inout some RandomNumberGenerator
  ) -> ServerResponse {
    let frame: MessageFrame
    switch open(body) {
    case .success(let opened): frame = opened
    case .failure(let failure): return failure.response
    }
    if endpoint == .handshake && frame.code != .handshakeStart {
      return Self.failure(
        400, "only hs1 handshake starts are accepted on this endpoint", outcome: "not hs1")
    }
    switch frame.code {
    case .handshakeStart:
      guard endpoint == .handshake else {
        return Self.failure(
          400, "handshake starts (hs1) go to POST /handshake", outcome: "hs1 on the wrong path")
      }
      return answerHandshakeStart(frame, now: now, monotonic: monotonic, using: &rng)
    case .noClockPut, .noClockGet:
      return answerBound(frame, now: now, monotonic: monotonic, using: &rng)
    case .timeSyncRequest:
      return answerTimeSync(frame, now: now, using: &rng)
    default:
      return answerV1(frame, now: now, using: &rng)
    }
  }

  /// A request that failed before its frame was read: a ready 4xx response.
  private struct OpenFailure: Error {
    let response: ServerResponse
  }

  /// Reads the body and opens its token.
  private borrowing func open(_ body: Span<UInt8>) -> Result<MessageFrame, OpenFailure> {
    let token: [UInt8]
    do {
      token = try WireFormat.token(fromBody: body)
    } catch {
      return .failure(OpenFailure(response: Self.failure(400, error, outcome: "malformed body")))
    }
    do {
      return .success(try SecureChannel.open(token.span, ring: ring))
    } catch .undecryptable {
      return .failure(
        OpenFailure(
          response: Self.failure(401, .undecryptable, outcome: "undecryptable token")))
    } catch {
      return .failure(OpenFailure(response: Self.failure(400, error, outcome: "malformed frame")))
    }
  }

  /// `tsq`: answers `tsr` with the client's nonce and the server's time.
  private borrowing func answerTimeSync(
    _ frame: MessageFrame, now: Timestamp, using rng: inout some RandomNumberGenerator
  ) -> ServerResponse {
    guard frame.payload.count == Nonce.hexLength,
      let nonce = Nonce(hex: frame.payload.span)
    else {
      return Self.failure(400, Self.malformedNonces, outcome: "tsq malformed")
    }
    var payload = nonce.hex
    payload.append(contentsOf: now.field)
    return ServerResponse(
      status: 200, body: sealed(frame.time, .timeSyncResponse, payload, now: now, using: &rng),
      outcome: "tsq answered", newState: nil)
  }

  /// `hs1`: draws `Nonce_2`, keeps the pair pending and answers `hs2`.
  private mutating func answerHandshakeStart(
    _ frame: MessageFrame, now: Timestamp, monotonic: UInt64,
    using rng: inout some RandomNumberGenerator
  ) -> ServerResponse {
    guard frame.payload.count == Nonce.hexLength,
      let first = Nonce(hex: frame.payload.span)
    else {
      return Self.failure(400, Self.malformedNonces, outcome: "hs1 malformed")
    }
    let second = Nonce(using: &rng)
    pending.insert(NoncePair(first: first, second: second), now: monotonic)
    var payload = first.hex
    second.appendHex(to: &payload)
    return ServerResponse(
      status: 200, body: sealed(frame.time, .handshakeReply, payload, now: now, using: &rng),
      outcome: "hs1 answered", newState: nil)
  }

  /// `npt` / `ngt`: takes the pair (single use), then answers `nak` or `nrj` with `m_Nonce`.
  private mutating func answerBound(
    _ frame: MessageFrame, now: Timestamp, monotonic: UInt64,
    using rng: inout some RandomNumberGenerator
  ) -> ServerResponse {
    let isPut = frame.code == .noClockPut
    guard let nonces = Nonce.leading(3, of: frame.payload),
      isPut || frame.payload.count == 3 * Nonce.hexLength
    else {
      return Self.failure(400, Self.malformedNonces, outcome: "\(frame.code) malformed")
    }
    let messageNonce = nonces[2]
    let lookup = pending.take(NoncePair(first: nonces[0], second: nonces[1]), now: monotonic)
    guard lookup == .taken else {
      let reason = lookup == .expired ? "expired pair" : "unknown pair"
      var payload = messageNonce.hex
      payload.append(contentsOf: Array(reason.utf8))
      return ServerResponse(
        status: 200, body: sealed(frame.time, .noClockReject, payload, now: now, using: &rng),
        outcome: "\(frame.code) rejected: \(reason)", newState: nil)
    }
    var payload = messageNonce.hex
    if isPut {
      payload.append(contentsOf: Array("ok".utf8))
      let message = Array(frame.payload[(3 * Nonce.hexLength)...])
      let newState = ServerState(storedMessage: message, lastAcceptedPut: state.lastAcceptedPut)
      return ServerResponse(
        status: 200, body: sealed(frame.time, .noClockAck, payload, now: now, using: &rng),
        outcome: "npt accepted", newState: newState)
    }
    payload.append(contentsOf: state.storedMessage)
    return ServerResponse(
      status: 200, body: sealed(frame.time, .noClockAck, payload, now: now, using: &rng),
      outcome: "ngt served", newState: nil)
  }

  private static let malformedNonces =
    "the frame's nonces are malformed (64 lowercase hex digits each)"

  /// v1 `put` and `get`, byte for byte as before the clock-free modes.
  private borrowing func answerV1(
    _ frame: MessageFrame, now: Timestamp, using rng: inout some RandomNumberGenerator
  ) -> ServerResponse {
    var guardian = ReplayGuard(lastAccepted: state.lastAcceptedPut)
    switch frame.code {
    case .put:
      let verdict = guardian.admit(frame.time, now: now)
      guard verdict == .accepted else {
        return reply(to: frame, rejecting: verdict, now: now, using: &rng)
      }
      let newState = ServerState(storedMessage: frame.payload, lastAcceptedPut: frame.time)
      return ServerResponse(
        status: 200, body: sealed(frame.time, .ack, Array("ok".utf8), now: now, using: &rng),
        outcome: "put accepted", newState: newState)
    case .get:
      let verdict = guardian.check(frame.time, now: now)
      guard verdict == .accepted else {
        return reply(to: frame, rejecting: verdict, now: now, using: &rng)
      }
      return ServerResponse(
        status: 200, body: sealed(frame.time, .ack, state.storedMessage, now: now, using: &rng),
        outcome: "get served", newState: nil)
    default:
      return Self.failure(400, .malformedFrame(.unknownCode), outcome: "unknown code")
    }
  }

  /// Records a state the host has saved.
  public mutating func commit(_ newState: ServerState) {
    state = newState
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

  private borrowing func reply(
    to frame: MessageFrame, rejecting verdict: ReplayVerdict, now: Timestamp,
    using rng: inout some RandomNumberGenerator
  ) -> ServerResponse {
    let reason = Self.reason(for: verdict)
    return ServerResponse(
      status: 200, body: sealed(frame.time, .reject, Array(reason.utf8), now: now, using: &rng),
      outcome: "\(frame.code) rejected: \(reason)", newState: nil)
  }

  private borrowing func sealed(
    _ time: Timestamp, _ code: FrameCode, _ payload: [UInt8], now: Timestamp,
    using rng: inout some RandomNumberGenerator
  ) -> [UInt8] {
    WireFormat.body(
      sealing: MessageFrame(time: time, code: code, payload: payload), ring: ring,
      fernetTime: now.unixSeconds, using: &rng)
  }

  private static func failure(_ status: Int, _ reason: String, outcome: String)
    -> ServerResponse
  {
    ServerResponse(
      status: status, body: WireFormat.errorBody(reason), outcome: outcome, newState: nil)
  }

  private static func failure(_ status: Int, _ error: ProtocolError, outcome: String)
    -> ServerResponse
  {
    ServerResponse(
      status: status, body: WireFormat.errorBody(error.description), outcome: outcome,
      newState: nil)
  }
}
