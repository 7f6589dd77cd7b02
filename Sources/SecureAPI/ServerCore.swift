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

/// A request body after the first step of answering it: its frame, or a ready refusal.
public enum OpenedRequest: Sendable {
  /// The token opened with the server's keys and its frame parsed.
  case frame(MessageFrame)
  /// The body was malformed (400) or its token did not open (401).
  case refused(ServerResponse)
}

/// The whole server minus sockets and files: the layer keys and a ``ServerLedger``.
///
/// Answering a request takes three steps, which ``respond(to:now:monotonic:endpoint:using:)``
/// runs in a row: ``open(_:ring:)`` reads the body and opens its token (keys only),
/// ``ServerLedger/decide(_:endpoint:now:monotonic:using:)`` applies the replay rules and the
/// handshake store (state only), and ``ServerDecision/response(ring:using:)`` seals the reply
/// (keys only). A concurrent host runs the first and last outside its lock. Malformed requests
/// get a JSON error and a 4xx status, never a crash.
public struct ServerCore: ~Copyable {
  private let ring: KeyRing

  /// The state, the stored message and the pending handshake pairs.
  public private(set) var ledger: ServerLedger

  /// The current state.
  public var state: ServerState { ledger.state }

  /// The handshake pairs waiting for their request (docs/PROTOCOL.md §2.2).
  public var pending: PendingPairs { ledger.pending }

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
    ledger = ServerLedger(state: state, pending: pending)
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
    switch Self.open(body, ring: ring) {
    case .refused(let response):
      return response
    case .frame(let frame):
      return ledger.decideWithoutHandshake(frame, now: now).response(ring: ring, using: &rng)
    }
  }

  /// Answers one request body at time `now`, including the clock-free handshake (see
  /// ``ServerLedger/decide(_:endpoint:now:monotonic:using:)``).
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
    switch Self.open(body, ring: ring) {
    case .refused(let response):
      return response
    case .frame(let frame):
      let decision = ledger.decide(
        frame, endpoint: endpoint, now: now, monotonic: monotonic, using: &rng)
      return decision.response(ring: ring, using: &rng)
    }
  }

  /// Records a state the host has saved.
  public mutating func commit(_ newState: ServerState) {
    ledger.commit(newState)
  }

  /// The first step: reads the body and opens its token with `ring`.
  ///
  /// - Returns: The frame, or a 400 response for a malformed body or frame and a 401
  ///   response for a token that does not decrypt with `ring`.
  public static func open(_ body: Span<UInt8>, ring: borrowing KeyRing) -> OpenedRequest {
    let token: [UInt8]
    do {
      token = try WireFormat.token(fromBody: body)
    } catch {
      return .refused(failure(400, error, outcome: "malformed body"))
    }
    do {
      return .frame(try SecureChannel.open(token.span, ring: ring))
    } catch .undecryptable {
      return .refused(failure(401, .undecryptable, outcome: "undecryptable token"))
    } catch {
      return .refused(failure(400, error, outcome: "malformed frame"))
    }
  }

  private static func failure(_ status: Int, _ error: ProtocolError, outcome: String)
    -> ServerResponse
  {
    ServerResponse(
      status: status, body: WireFormat.errorBody(error.description), outcome: outcome,
      newState: nil)
  }
}
