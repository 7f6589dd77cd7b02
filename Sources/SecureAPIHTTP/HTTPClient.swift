// HTTPClient.swift: a minimal HTTP/1.1 client for the protocol's one request, `POST` with a
// JSON body, over plain TCP (IPv4), with one deadline for the whole exchange.
// Reference: RFC 9112 (HTTP/1.1 message syntax); RFC 3986 §3 (URI syntax).
// SPDX-License-Identifier: Apache-2.0

/// Sends `POST` requests to `http://` URLs.
///
/// One connection per request (`Connection: close`), the body framed by `Content-Length`,
/// no proxies, no redirects, no TLS. The response body is read by its `Content-Length`, or
/// up to the end of the connection when there is none; chunked responses are refused.
public enum HTTPClient {
  /// The default limit for a whole exchange.
  public static let defaultTimeout: Duration = .seconds(30)

  /// The largest response accepted (head and body).
  public static let maximumResponseByteCount = 64 * 1024 * 1024

  /// Posts `body` as `application/json` to `url` and returns the response.
  ///
  /// The call blocks the calling thread until the response or the timeout; call it from a
  /// thread that may block, not from a Swift concurrency task that others wait on.
  ///
  /// A final response is returned whatever its status; interim `1xx` responses are skipped.
  /// If the server answers and closes before the whole body was sent (as it does with 413),
  /// that answer is returned.
  ///
  /// - Parameters:
  ///   - url: `http://HOST[:PORT][/PATH]`; HOST is an IPv4 address or a name, PORT defaults
  ///     to 80.
  ///   - body: The request body.
  ///   - timeout: The limit for connecting, sending and receiving together.
  /// - Returns: The status code and the body.
  /// - Throws: ``HTTPError/invalidURL(_:)``, ``HTTPError/cannotResolve(host:)``,
  ///   ``HTTPError/connectionRefused(host:port:)``, ``HTTPError/timedOut(host:port:)``,
  ///   ``HTTPError/connectionClosed(host:port:)``, ``HTTPError/malformedResponse(_:)``,
  ///   ``HTTPError/responseTooLarge(limit:)`` and other ``HTTPError`` cases.
  public static func post(url: String, body: [UInt8], timeout: Duration = defaultTimeout)
    throws(HTTPError) -> (status: Int, body: [UInt8])
  {
    let target = try HTTPURL(url)
    let deadline = ContinuousClock.now + timeout
    let socket = try Socket.connected(host: target.host, port: target.port, deadline: deadline)
    defer { socket.close() }

    var request = Array(
      ("POST \(target.path) HTTP/1.1\r\n" + "Host: \(target.hostField)\r\n"
        + "Content-Type: application/json\r\n" + "Accept: application/json\r\n"
        + "Content-Length: \(body.count)\r\n" + "Connection: close\r\n\r\n").utf8)
    request.append(contentsOf: body)
    do {
      try socket.sendAll(request, until: deadline)
    } catch .timedOut {
      throw .timedOut(host: target.host, port: target.port)
    } catch .reset {
      // The server may have answered early (413, 404, ...) and closed: read that answer.
    } catch {
      throw .system(operation: "send", code: Self.code(of: error))
    }

    var reader = ResponseReader(socket: socket, target: target, deadline: deadline)
    return try reader.read()
  }

  private static func code(of failure: SocketFailure) -> Int32 {
    if case .system(_, let code) = failure { return code }
    return 0
  }
}

/// Reads one response from a socket.
private struct ResponseReader {
  let socket: Socket
  let target: HTTPURL
  let deadline: Deadline
  private var buffer: [UInt8] = []
  private var ended = false

  init(socket: Socket, target: HTTPURL, deadline: Deadline) {
    self.socket = socket
    self.target = target
    self.deadline = deadline
  }

  mutating func read() throws(HTTPError) -> (status: Int, body: [UInt8]) {
    while true {
      let headEnd = try headEnd()
      let (status, fields) = try parseHead(Array(buffer[0..<headEnd]))
      buffer.removeFirst(headEnd)
      if (100..<200).contains(status) { continue }
      if status == 204 || status == 304 { return (status, []) }
      if fields.contains(where: { $0.name == "transfer-encoding" }) {
        throw .malformedResponse("chunked (Transfer-Encoding) responses are not supported")
      }
      let lengths = fields.filter { $0.name == "content-length" }.map(\.value)
      if let first = lengths.first {
        guard lengths.allSatisfy({ $0 == first }),
          let length = contentLength(first, limit: HTTPClient.maximumResponseByteCount)
        else { throw .malformedResponse("malformed Content-Length") }
        guard length <= HTTPClient.maximumResponseByteCount else {
          throw .responseTooLarge(limit: HTTPClient.maximumResponseByteCount)
        }
        while buffer.count < length {
          guard try receiveMore() else { throw closed }
        }
        return (status, Array(buffer[0..<length]))
      }
      while try receiveMore() {}
      return (status, buffer)
    }
  }

  private var closed: HTTPError { .connectionClosed(host: target.host, port: target.port) }

  /// The index after the empty line ending the next head in the buffer, reading as needed.
  private mutating func headEnd() throws(HTTPError) -> Int {
    var searched = 0
    while true {
      var index = max(searched, 1)
      while index < buffer.count {
        if buffer[index] == 0x0a {
          if buffer[index - 1] == 0x0a { return index + 1 }
          if index >= 2, buffer[index - 1] == 0x0d, buffer[index - 2] == 0x0a { return index + 1 }
        }
        index += 1
      }
      searched = buffer.count
      guard buffer.count <= 64 * 1024 else {
        throw .malformedResponse("the response head is larger than 64 KiB")
      }
      guard try receiveMore() else {
        throw buffer.isEmpty ? closed : .malformedResponse("the response head is incomplete")
      }
    }
  }

  /// Receives more bytes; `false` at the end of the connection.
  private mutating func receiveMore() throws(HTTPError) -> Bool {
    guard !ended else { return false }
    guard buffer.count < HTTPClient.maximumResponseByteCount else {
      throw .responseTooLarge(limit: HTTPClient.maximumResponseByteCount)
    }
    do {
      let count = try socket.receive(into: &buffer, maximum: 256 * 1024, until: deadline)
      if count == 0 { ended = true }
      return count > 0
    } catch .timedOut {
      throw .timedOut(host: target.host, port: target.port)
    } catch .reset {
      throw closed
    } catch {
      throw .malformedResponse("receive failed: \(error)")
    }
  }

  /// The status and fields of a head (lines ending in CRLF or LF).
  private func parseHead(_ head: [UInt8]) throws(HTTPError) -> (
    Int, [(name: String, value: String)]
  ) {
    var lines = head.split(separator: 0x0a, omittingEmptySubsequences: false).map { line in
      line.last == 0x0d ? line.dropLast() : line
    }
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    guard let statusLine = lines.first else { throw .malformedResponse("no status line") }
    let text = String(decoding: statusLine, as: UTF8.self)
    let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0",
      parts[1].count == 3, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let status = Int(parts[1]), status >= 100
    else {
      throw .malformedResponse("bad status line '\(RequestLogEntry.printable(text))'")
    }
    var fields: [(name: String, value: String)] = []
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
        throw .malformedResponse("a header line has no field name")
      }
      let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
      let value = Substring(String(decoding: line[(colon + 1)...], as: UTF8.self))
      fields.append((name, String(value.trimmingSpaces())))
    }
    return (status, fields)
  }
}

// MARK: - URLs

/// An `http://` URL as ``HTTPClient`` understands it: `http://HOST[:PORT][/PATH][?QUERY]`.
public struct HTTPURL: Equatable, Sendable {
  /// The host name or IPv4 address.
  public let host: String
  /// The TCP port (80 when the URL gives none).
  public let port: UInt16
  /// The request target: the path and query, at least `/`.
  public let path: String

  /// The `Host` field value: the host, and the port unless it is 80.
  var hostField: String { port == 80 ? host : "\(host):\(port)" }

  /// Parses `http://HOST[:PORT][/PATH][?QUERY][#FRAGMENT]` (the fragment is dropped).
  ///
  /// HOST is a name or an IPv4 address (IPv6 literals, user names and `https` are refused);
  /// the path must be printable ASCII.
  ///
  /// - Throws: ``HTTPError/invalidURL(_:)`` saying what is wrong.
  public init(_ text: String) throws(HTTPError) {
    let scheme = "http://"
    guard text.lowercased().hasPrefix(scheme) else {
      if text.lowercased().hasPrefix("https://") {
        throw .invalidURL("https is not supported; the protocol runs over plain http://")
      }
      throw .invalidURL("'\(RequestLogEntry.printable(text))' does not start with http://")
    }
    var rest = Substring(text.dropFirst(scheme.count))
    if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    var path = String(rest[authorityEnd...])
    if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
    guard path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
      throw .invalidURL("the path must be printable ASCII without spaces (percent-encode it)")
    }
    guard !authority.contains("@") else {
      throw .invalidURL("user names and passwords in URLs are not supported")
    }
    guard !authority.hasPrefix("[") else {
      throw .invalidURL("IPv6 addresses are not supported; use an IPv4 address or a name")
    }
    let pieces = authority.split(separator: ":", omittingEmptySubsequences: false)
    guard pieces.count <= 2 else { throw .invalidURL("malformed host and port") }
    let host = String(pieces[0])
    guard !host.isEmpty,
      host.utf8.allSatisfy({
        ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a)
          || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
      })
    else {
      throw .invalidURL("malformed or missing host name")
    }
    var port: UInt16 = 80
    if pieces.count == 2 {
      guard !pieces[1].isEmpty, pieces[1].utf8.count <= 5,
        pieces[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
        let number = UInt16(pieces[1]), number > 0
      else {
        throw .invalidURL("the port must be a number from 1 to 65535")
      }
      port = number
    }
    self.host = host
    self.port = port
    self.path = path
  }
}
