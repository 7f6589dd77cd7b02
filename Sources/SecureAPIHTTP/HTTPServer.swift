// HTTPServer.swift: a small, strict HTTP/1.1 server for the Secure API on POSIX sockets: one
// thread per connection up to a limit, every wait bounded, `POST /` answered by a
// SecureAPIService.
// Reference: RFC 9112 (HTTP/1.1); wire format v1 §5 (transport); DESIGN §11 (no blocking
// socket I/O inside Swift concurrency tasks).
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Secure API over HTTP/1.1: `POST /` with a JSON body `{"txt": token}` is answered by a
/// ``SecureAPIService``; anything else gets a JSON error `{"error": "..."}`.
///
/// Behaviour, on purpose small and strict:
/// - It binds to loopback by default and speaks IPv4 only.
/// - Each connection carries one request; every response says `Connection: close`.
/// - Each connection gets its own thread, up to ``Limits/maximumConnections``; beyond that a
///   connection is answered 503 at once and closed. No socket I/O runs inside Swift
///   concurrency tasks, whose few threads a slow client could otherwise starve.
/// - Every read waits at most ``Limits/receiveTimeout`` for more bytes and the whole request
///   must arrive within ``Limits/requestTimeout`` (408 otherwise), so a client that sends
///   slowly and stops is dropped.
/// - A request line over 8 KiB gets 414, a header section over 16 KiB gets 431, a body over
///   4 MiB gets 413 (from its `Content-Length`, before any of it is read). A body must be sent
///   with `Content-Length`: `Transfer-Encoding` (chunked) gets 411, as does a `POST` without a
///   length. Lines must end in CRLF; HTTP/1.1 requests need one `Host` field;
///   `Expect: 100-continue` is honoured.
/// - Other paths get 404, other methods on `/` get 405 (with `Allow: POST`).
/// - ``stop()`` closes the listening socket, abandons connections that have not started a
///   request and lets requests in progress finish.
/// - Each request is logged once through the `log` function (``RequestLogEntry``).
public final class HTTPServer: Sendable {
  /// The server's limits and timeouts.
  public struct Limits: Sendable {
    /// The most connections served at once; more are answered 503.
    public var maximumConnections = 64
    /// The longest wait for the next bytes of a request.
    public var receiveTimeout: Duration = .seconds(10)
    /// The longest time from accepting a connection to having its whole request.
    public var requestTimeout: Duration = .seconds(30)
    /// The longest time to send a response.
    public var sendTimeout: Duration = .seconds(10)
    /// The longest request line, without its CRLF.
    public var maximumRequestLineByteCount = 8 * 1024
    /// The largest header section (field lines with their CRLFs, and the final CRLF).
    public var maximumHeaderByteCount = 16 * 1024
    /// The largest request body.
    public var maximumBodyByteCount = 4 * 1024 * 1024

    /// The default limits.
    public init() {}
  }

  /// The address the server listens on.
  public let host: String
  /// The port the server listens on (the one the system chose when 0 was asked for).
  public let port: UInt16
  /// The limits in force.
  public let limits: Limits

  let service: SecureAPIService
  let log: @Sendable (RequestLogEntry) -> Void
  private let listener: Socket
  /// The stop pipe: a byte written to `wakeWrite` makes `wakeRead` readable for good, which
  /// ends every `poll()` that watches it.
  let wakeRead: Int32
  private let wakeWrite: Int32
  private let stopRequested = Atomic<Bool>(false)
  private let phase = Mutex(Phase.ready)
  private let activeConnections = Mutex(0)
  private let connections = DispatchGroup()
  private let finished = DispatchGroup()

  private enum Phase {
    case ready, running, finished
  }

  /// The URL clients use: `http://HOST:PORT/`.
  public var url: String { "http://\(host):\(port)/" }

  /// Binds and listens on `host:port`; requests are served once ``run()`` or ``start()`` is
  /// called (connections made before then wait in the system's queue).
  ///
  /// - Parameters:
  ///   - host: An IPv4 address or a name that resolves to one; loopback by default.
  ///   - port: The TCP port; 0 lets the system choose a free one (see ``port``).
  ///   - service: The protocol server answering `POST /`.
  ///   - limits: Limits and timeouts.
  ///   - log: Called once per request, from the connection's thread, just before the
  ///     response is sent. By default it writes the entry to standard error.
  /// - Throws: ``HTTPError/cannotResolve(host:)``, ``HTTPError/cannotListen(host:port:code:)``
  ///   or ``HTTPError/system(operation:code:)``.
  public init(
    host: String = "127.0.0.1", port: UInt16 = 5000, service: SecureAPIService,
    limits: Limits = Limits(),
    log: @escaping @Sendable (RequestLogEntry) -> Void = HTTPServer.logToStandardError
  ) throws(HTTPError) {
    listener = try Socket.listening(host: host, port: port, backlog: 128)
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw .system(operation: "pipe", code: errno) }
    for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
    wakeRead = ends[0]
    wakeWrite = ends[1]
    self.host = host
    self.port = listener.localPort
    self.limits = limits
    self.service = service
    self.log = log
  }

  deinit {
    _ = close(wakeRead)
    _ = close(wakeWrite)
  }

  /// Writes a log entry and a newline to standard error.
  public static func logToStandardError(_ entry: RequestLogEntry) {
    FileHandle.standardError.write(Data((entry.description + "\n").utf8))
  }

  /// Serves on the calling thread until ``stop()`` is called from another thread; returns
  /// once the listening socket is closed and every connection has finished.
  ///
  /// Does nothing if the server is already running or has stopped.
  public func run() {
    guard claim() else { return }
    serve()
  }

  /// Serves on a new thread and returns at once.
  ///
  /// Does nothing if the server is already running or has stopped.
  public func start() {
    guard claim() else { return }
    Thread { self.serve() }.start()
  }

  /// Stops the server: no new connections are accepted, connections still waiting for a
  /// request are closed, and requests in progress are answered. Returns once all that is
  /// done and the port is free. Safe to call from any thread but the one inside ``run()``,
  /// and more than once.
  public func stop() {
    if !stopRequested.exchange(true, ordering: .sequentiallyConsistent) {
      var byte: UInt8 = 1
      _ = write(wakeWrite, &byte, 1)
    }
    let neverStarted = phase.withLock { phase in
      guard phase == .ready else { return false }
      phase = .finished
      return true
    }
    if neverStarted { listener.close() }
    finished.wait()
  }

  private func claim() -> Bool {
    phase.withLock { phase in
      guard phase == .ready else { return false }
      phase = .running
      finished.enter()
      return true
    }
  }

  private func serve() {
    acceptLoop()
    listener.close()
    connections.wait()
    phase.withLock { $0 = .finished }
    finished.leave()
  }

  private func acceptLoop() {
    while !stopRequested.load(ordering: .sequentiallyConsistent) {
      do {
        try listener.wait(for: Int16(POLLIN), until: nil, wake: wakeRead)
      } catch {
        return
      }
      accepting: while !stopRequested.load(ordering: .sequentiallyConsistent) {
        switch listener.acceptConnection() {
        case .connection(let socket):
          admit(socket)
        case .none:
          break accepting
        case .failed:
          // Out of descriptors, say: let connections finish before accepting more, rather
          // than spin on a listener that stays readable.
          usleep(50_000)
          break accepting
        }
      }
    }
  }

  /// Hands a connection to a new thread, or answers 503 when the limit is reached.
  private func admit(_ socket: Socket) {
    let admitted = activeConnections.withLock { count in
      guard count < limits.maximumConnections else { return false }
      count += 1
      return true
    }
    guard admitted else {
      refuse(socket)
      return
    }
    connections.enter()
    Thread {
      self.serveConnection(socket)
      socket.close()
      self.activeConnections.withLock { $0 -= 1 }
      self.connections.leave()
    }.start()
  }

  /// Answers 503 on the accepting thread, spending at most a second on it.
  private func refuse(_ socket: Socket) {
    let started = ContinuousClock.now
    // Read what has already arrived, so that closing does not reset the connection and
    // destroy the response before the client reads it.
    var discarded: [UInt8] = []
    _ = try? socket.receive(into: &discarded, maximum: 64 * 1024, until: started)
    let failure = HTTPFailure(
      status: 503, reason: "too many connections; try again later", outcome: "too many connections")
    log(
      RequestLogEntry(
        method: "-", path: "-", status: 503, outcome: failure.outcome,
        milliseconds: Self.milliseconds(since: started)))
    try? socket.sendAll(HTTPResponse(failure).serialized(), until: .now + .seconds(1))
    socket.shutdownWrite()
  }

  /// Whole milliseconds since `start`, rounded.
  static func milliseconds(since start: ContinuousClock.Instant) -> Int {
    Int((start.duration(to: .now) / .milliseconds(1)).rounded())
  }
}
