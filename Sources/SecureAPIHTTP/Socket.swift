// Socket.swift: a small non-blocking TCP socket over POSIX, with every wait bounded by a
// deadline through poll(2), for the HTTP server and client.
// Reference: POSIX.1-2017 socket(2), poll(2), getaddrinfo(3).
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The time by which an operation must be over.
typealias Deadline = ContinuousClock.Instant

/// Why a socket operation did not complete.
enum SocketFailure: Error, Equatable {
  /// The deadline passed first.
  case timedOut
  /// The server was asked to stop while the socket was waiting.
  case stopped
  /// The peer reset the connection or closed it while data was still being sent.
  case reset
  /// A system call failed with `code`.
  case system(operation: String, code: Int32)
}

/// An owned, non-blocking IPv4 TCP socket; it is closed when released.
///
/// Every wait goes through `poll()` with the time left before a deadline, so no call blocks
/// longer than its caller allows; an optional "wake" descriptor (the server's stop pipe)
/// interrupts waits meant to be abandoned on shutdown.
final class Socket: @unchecked Sendable {
  // Safety of @unchecked Sendable: a socket is used by one thread at a time (the accept loop
  // for the listener, one connection thread per connection), and handed over before use.

  /// The file descriptor, or -1 once closed.
  private(set) var descriptor: Int32

  /// Takes ownership of `descriptor` and makes it non-blocking.
  init(adopting descriptor: Int32) {
    self.descriptor = descriptor
    let flags = fcntl(descriptor, F_GETFL)
    _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
    _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    #if canImport(Darwin)
      var on: Int32 = 1
      _ = setsockopt(
        descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
    #endif
  }

  deinit { close() }

  /// Closes the socket now (later calls do nothing).
  func close() {
    guard descriptor >= 0 else { return }
    _ = systemClose(descriptor)
    descriptor = -1
  }

  // MARK: - Addresses

  /// The peer's IPv4 address in network byte order, or `nil` when it cannot be read.
  var peerAddress: UInt32? {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let result = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getpeername(descriptor, $0, &length)
      }
    }
    guard result == 0, Int32(address.sin_family) == AF_INET else { return nil }
    return address.sin_addr.s_addr
  }

  /// The IPv4 address of `host` (a dotted quad or a name), with `port`.
  static func address(of host: String, port: UInt16) -> sockaddr_in? {
    var hints = addrinfo()
    hints.ai_family = AF_INET
    hints.ai_socktype = streamType
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return nil }
    defer { freeaddrinfo(list) }
    var entry: UnsafeMutablePointer<addrinfo>? = first
    while let current = entry {
      if current.pointee.ai_family == AF_INET, let raw = current.pointee.ai_addr {
        var address = UnsafeRawPointer(raw).loadUnaligned(as: sockaddr_in.self)
        address.sin_port = port.bigEndian
        return address
      }
      entry = current.pointee.ai_next
    }
    return nil
  }

  // MARK: - Server side

  /// A socket listening on `host:port` (port 0 picks a free port; see ``localPort``).
  static func listening(host: String, port: UInt16, backlog: Int32) throws(HTTPError) -> Socket {
    guard var address = address(of: host, port: port) else { throw .cannotResolve(host: host) }
    let raw = socket(AF_INET, streamType, 0)
    guard raw >= 0 else { throw .system(operation: "socket", code: errno) }
    let socket = Socket(adopting: raw)
    var on: Int32 = 1
    _ = setsockopt(raw, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(raw, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(raw, backlog) == 0 else {
      throw .cannotListen(host: host, port: port, code: errno)
    }
    return socket
  }

  /// The port the socket is bound to.
  var localPort: UInt16 {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let result = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getsockname(descriptor, $0, &length)
      }
    }
    return result == 0 ? UInt16(bigEndian: address.sin_port) : 0
  }

  /// What one call to ``acceptConnection()`` found.
  enum Accepted {
    /// A new connection.
    case connection(Socket)
    /// No connection is waiting (any more).
    case none
    /// The process is out of descriptors or memory, or accepting failed in another way;
    /// the caller should pause before trying again.
    case failed
  }

  /// Accepts one waiting connection without blocking.
  func acceptConnection() -> Accepted {
    while true {
      let raw = accept(descriptor, nil, nil)
      if raw >= 0 { return .connection(Socket(adopting: raw)) }
      switch errno {
      case EINTR, ECONNABORTED: continue
      case EAGAIN, EWOULDBLOCK: return .none
      default: return .failed
      }
    }
  }

  // MARK: - Client side

  /// A socket connected to `host:port`, or an error once `deadline` passes.
  static func connected(host: String, port: UInt16, deadline: Deadline) throws(HTTPError)
    -> Socket
  {
    guard var address = address(of: host, port: port) else { throw .cannotResolve(host: host) }
    let raw = socket(AF_INET, streamType, 0)
    guard raw >= 0 else { throw .system(operation: "socket", code: errno) }
    let socket = Socket(adopting: raw)
    let started = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(raw, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    if started != 0 {
      let code = errno
      guard code == EINPROGRESS || code == EINTR else {
        throw failure(connecting: code, host: host, port: port)
      }
      do {
        try socket.wait(for: Int16(POLLOUT), until: deadline, wake: nil)
      } catch {
        throw .timedOut(host: host, port: port)
      }
      var pending: Int32 = 0
      var length = socklen_t(MemoryLayout<Int32>.size)
      _ = getsockopt(raw, SOL_SOCKET, SO_ERROR, &pending, &length)
      if pending != 0 { throw failure(connecting: pending, host: host, port: port) }
    }
    return socket
  }

  private static func failure(connecting code: Int32, host: String, port: UInt16) -> HTTPError {
    code == ECONNREFUSED
      ? .connectionRefused(host: host, port: port)
      : .cannotConnect(host: host, port: port, code: code)
  }

  // MARK: - Data

  /// Waits until the socket is ready for `events`.
  ///
  /// - Throws: ``SocketFailure/timedOut`` after `deadline` (never, when it is `nil`),
  ///   ``SocketFailure/stopped`` when `wake` becomes readable first.
  func wait(for events: Int16, until deadline: Deadline?, wake: Int32?) throws(SocketFailure) {
    var descriptors = [pollfd(fd: descriptor, events: events, revents: 0)]
    if let wake { descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
    while true {
      var timeout: Int32 = -1
      if let deadline {
        timeout = Self.milliseconds(until: deadline)
        if timeout <= 0 { throw .timedOut }
      }
      let count = poll(&descriptors, nfds_t(descriptors.count), timeout)
      if count < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        throw .system(operation: "poll", code: errno)
      }
      // Readiness (or an error or hang-up, which the next call reports) wins over stopping,
      // so a request that is already complete is still served.
      if descriptors[0].revents != 0 { return }
      if descriptors.count > 1, descriptors[1].revents != 0 { throw .stopped }
    }
  }

  /// Appends up to `maximum` received bytes to `buffer`, waiting until `deadline`.
  ///
  /// - Returns: The number of bytes appended; 0 means the peer closed its side.
  /// - Throws: ``SocketFailure``.
  func receive(
    into buffer: inout [UInt8], maximum: Int, until deadline: Deadline, wake: Int32? = nil
  ) throws(SocketFailure) -> Int {
    let start = buffer.count
    buffer.append(contentsOf: repeatElement(0, count: maximum))
    while true {
      let count = buffer.withUnsafeMutableBytes {
        recv(descriptor, $0.baseAddress! + start, maximum, 0)
      }
      if count >= 0 {
        buffer.removeLast(maximum - count)
        return count
      }
      let code = errno
      switch code {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK:
        do {
          try wait(for: Int16(POLLIN), until: deadline, wake: wake)
        } catch {
          buffer.removeLast(maximum)
          throw error
        }
      case ECONNRESET, ENOTCONN, EPIPE:
        buffer.removeLast(maximum)
        throw .reset
      default:
        buffer.removeLast(maximum)
        throw .system(operation: "recv", code: code)
      }
    }
  }

  /// Sends every byte, waiting until `deadline`.
  ///
  /// - Throws: ``SocketFailure``.
  func sendAll(_ bytes: [UInt8], until deadline: Deadline) throws(SocketFailure) {
    var offset = 0
    while offset < bytes.count {
      let count = bytes.withUnsafeBytes {
        send(descriptor, $0.baseAddress! + offset, $0.count - offset, Self.sendFlags)
      }
      if count >= 0 {
        offset += count
        continue
      }
      let code = errno
      switch code {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLOUT), until: deadline, wake: nil)
      case ECONNRESET, EPIPE, ENOTCONN: throw .reset
      default: throw .system(operation: "send", code: code)
      }
    }
  }

  /// Tells the peer that nothing more will be sent (`shutdown(SHUT_WR)`).
  func shutdownWrite() {
    _ = shutdown(descriptor, Int32(SHUT_WR))
  }

  // MARK: - Helpers

  /// Whole milliseconds left before `deadline`, rounded up, at most `Int32.max`.
  static func milliseconds(until deadline: Deadline) -> Int32 {
    let left = ContinuousClock.now.duration(to: deadline)
    guard left > .zero else { return 0 }
    let (seconds, attoseconds) = left.components
    let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int32(clamping: milliseconds)
  }

  /// The socket type constant (an enum on Glibc, an integer elsewhere).
  #if canImport(Glibc)
    static let streamType = Int32(SOCK_STREAM.rawValue)
  #else
    static let streamType = SOCK_STREAM
  #endif

  /// Flags for `send`: never raise `SIGPIPE` (Darwin sets `SO_NOSIGPIPE` on the socket).
  #if os(Linux)
    static let sendFlags = Int32(MSG_NOSIGNAL)
  #else
    static let sendFlags: Int32 = 0
  #endif
}

/// The C `close`, which ``Socket/close()`` hides inside the class.
private func systemClose(_ descriptor: Int32) -> Int32 {
  close(descriptor)
}
