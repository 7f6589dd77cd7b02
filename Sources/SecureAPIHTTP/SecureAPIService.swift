// SecureAPIService.swift: the protocol server behind `POST /` and `POST /handshake`: tokens
// opened and replies sealed in parallel, decisions serialized by a lock, the state saved
// before every reply that changed it.
// Reference: wire format v1 §5 and §6.
// SPDX-License-Identifier: Apache-2.0

import HostSystem
import SecureAPI
import Synchronization

/// The answer to one `POST /` body.
public struct ServiceReply: Sendable {
  /// The HTTP status: 200, 400 or 401 from ``ServerCore``, 500 when the state cannot be saved.
  public let status: Int
  /// The JSON body: `{"txt": ...}` or `{"error": ...}`.
  public let body: [UInt8]
  /// A short description for the log, without key or plaintext.
  public let outcome: String
}

/// The Secure API server logic shared by all connections: the layer keys, a ``ServerLedger``
/// behind a mutex, and an optional ``StateStore``.
///
/// Each request runs the three steps of ``ServerCore``: its token is opened and its reply is
/// sealed on the connection's own thread, with no lock held (the keys are only read), and only
/// the decision in between, which is cheap, takes the lock, so requests are decided one at a
/// time but a slow or hostile client cannot hold the others up with 16 layers of decryption.
/// When a request changes the state (an accepted `put`), the new state is saved before the
/// reply is sealed, and only then committed; if saving fails, the client gets a 500 error and
/// the state stays as it was, so an acknowledged message is never lost by a restart and a
/// restart never reopens the replay window.
public final class SecureAPIService: Sendable {
  private let ring: KeyRing
  private let ledger: Mutex<ServerLedger>
  private let store: StateStore?
  private let clock: any WallClock & Sendable
  private let limiter: Mutex<RateLimiter<UInt32>>
  private let started = ContinuousClock.now

  /// A service for the layer keys in `ring`, resuming from `store` when one is given.
  ///
  /// A store without a state file starts empty and writes one immediately, so an unwritable
  /// directory is reported now rather than at the first `put`.
  ///
  /// - Parameters:
  ///   - ring: The layer keys of the shared key file (``KeyFile/keyRing()``).
  ///   - store: Where the state is kept, or `nil` to keep it in memory only.
  ///   - clock: The server's clock (the system clock outside tests).
  ///   - pending: The store of handshake pairs (capacity 10,000 and lifetime 30 s by default).
  ///   - handshakeLimit: The per-address limit on handshake starts (20 per second by default).
  /// - Throws: ``StateStoreError`` when the saved state cannot be read or the first save fails.
  public init(
    ring: consuming sending KeyRing, store: StateStore?,
    clock: some WallClock & Sendable = SystemClock(), pending: PendingPairs = PendingPairs(),
    handshakeLimit: RateLimiter<UInt32> = RateLimiter()
  ) throws(StateStoreError) {
    var state = ServerState()
    if let store {
      if let saved = try store.load() {
        state = saved
      } else {
        try store.save(state)
      }
    }
    self.ring = ring
    ledger = Mutex(ServerLedger(state: state, pending: pending))
    self.store = store
    self.clock = clock
    limiter = Mutex(handshakeLimit)
  }

  /// The number of handshake pairs pending (for tests and diagnostics).
  public var pendingCount: Int {
    ledger.withLock { $0.pending.count }
  }

  /// Nanoseconds since the service was made, from the monotonic clock.
  private var monotonic: UInt64 {
    let elapsed = started.duration(to: .now).components
    return UInt64(max(0, elapsed.seconds)) * 1_000_000_000
      + UInt64(max(0, elapsed.attoseconds)) / 1_000_000_000
  }

  /// The current state (for tests and diagnostics).
  public var state: ServerState {
    ledger.withLock { $0.state }
  }

  /// Answers one request body, saving the state first when the request changed it.
  ///
  /// A handshake start is first counted against its client's rate limit, before anything is
  /// decrypted; over the limit it gets HTTP 429.
  ///
  /// - Parameters:
  ///   - body: The HTTP request body.
  ///   - endpoint: `POST /` or `POST /handshake`.
  ///   - client: The client's IPv4 address, for the rate limit on handshake starts.
  public func respond(to body: [UInt8], endpoint: ServerEndpoint = .api, client: UInt32? = nil)
    -> ServiceReply
  {
    let now = monotonic
    if endpoint == .handshake {
      let admitted = limiter.withLock { $0.admit(client ?? 0, now: now) }
      guard admitted else {
        return ServiceReply(
          status: 429, body: WireFormat.errorBody("too many handshake starts; try again later"),
          outcome: "hs1 rate-limited")
      }
    }
    let frame: MessageFrame
    switch ServerCore.open(body.span, ring: ring) {
    case .refused(let response):
      return ServiceReply(status: response.status, body: response.body, outcome: response.outcome)
    case .frame(let opened):
      frame = opened
    }
    var rng = SystemRandomNumberGenerator()
    let decision = ledger.withLock { ledger in
      let decision = ledger.decide(
        frame, endpoint: endpoint, now: clock.now(), monotonic: now, using: &rng)
      if let newState = decision.newState {
        if let store {
          do {
            try store.save(newState)
          } catch {
            return ServerDecision.failure(
              status: 500, reason: "the server could not save its state; nothing was stored",
              outcome: "\(decision.outcome), then not saved: \(error)")
          }
        }
        ledger.commit(newState)
      }
      return decision
    }
    let response = decision.response(ring: ring, using: &rng)
    return ServiceReply(status: response.status, body: response.body, outcome: response.outcome)
  }
}
