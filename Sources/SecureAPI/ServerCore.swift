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

  /// A server for `ring`, resuming from a saved `state`.
  public init(ring: consuming KeyRing, state: ServerState = ServerState()) {
    self.ring = ring
    self.state = state
  }

  /// Answers one request body at time `now`.
  ///
  /// - Parameters:
  ///   - body: The HTTP request body.
  ///   - now: The server's clock.
  ///   - rng: The source of the reply's mask and IVs.
  public borrowing func respond(
    to body: Span<UInt8>, now: Timestamp, using rng: inout some RandomNumberGenerator
  ) -> ServerResponse {
    let token: [UInt8]
    do {
      token = try WireFormat.token(fromBody: body)
    } catch {
      return Self.failure(400, error, outcome: "malformed body")
    }
    let frame: MessageFrame
    do {
      frame = try SecureChannel.open(token.span, ring: ring)
    } catch .undecryptable {
      return Self.failure(401, .undecryptable, outcome: "undecryptable token")
    } catch {
      return Self.failure(400, error, outcome: "malformed frame")
    }
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
    let frame = MessageFrame(time: time, code: code, payload: payload)
    let token = SecureChannel.seal(
      body: frame.encoded().span, ring: ring, fernetTime: now.unixSeconds, using: &rng)
    return WireFormat.body(token: token.span)
  }

  private static func failure(_ status: Int, _ error: ProtocolError, outcome: String)
    -> ServerResponse
  {
    ServerResponse(
      status: status, body: WireFormat.errorBody(error.description), outcome: outcome,
      newState: nil)
  }
}
