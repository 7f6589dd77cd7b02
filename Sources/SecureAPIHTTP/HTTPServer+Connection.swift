// HTTPServer+Connection.swift: one connection of the server: read and check the request,
// route it, answer it, log it, close.
// Reference: RFC 9112 §2-§9 (message syntax, framing, connection management).
// SPDX-License-Identifier: Apache-2.0

import SecureAPI

/// How reading a request can end early.
private enum RequestError: Error {
  /// Answer with this HTTP error.
  case refuse(HTTPFailure)
  /// Close without answering (the client is gone, or the server stops before a request
  /// began); log the outcome if there is one.
  case drop(outcome: String?)
}

/// A request as far as it was read: enough for the log line.
private struct RequestSummary {
  var method = "-"
  var path = "-"
}

extension HTTPServer {
  /// Serves the one request of a connection.
  func serveConnection(_ socket: Socket) {
    let started = ContinuousClock.now
    var summary = RequestSummary()
    var response: HTTPResponse
    var outcome: String
    var readWholeRequest = false
    do {
      (response, outcome) = try answer(socket, started: started, summary: &summary)
      readWholeRequest = true
    } catch {
      switch error {
      case .refuse(let failure):
        response = HTTPResponse(failure)
        outcome = failure.outcome
      case .drop(let reason):
        if let reason {
          log(entry(summary, status: nil, outcome: reason, started: started))
        }
        return
      }
    }
    log(entry(summary, status: response.status, outcome: outcome, started: started))
    do {
      try socket.sendAll(response.serialized(), until: .now + limits.sendTimeout)
    } catch {
      return
    }
    socket.shutdownWrite()
    if !readWholeRequest { linger(socket) }
  }

  private func entry(
    _ summary: RequestSummary, status: Int?, outcome: String, started: ContinuousClock.Instant
  ) -> RequestLogEntry {
    RequestLogEntry(
      method: summary.method, path: summary.path, status: status, outcome: outcome,
      milliseconds: Self.milliseconds(since: started))
  }

  /// After an error answered before the whole request was read, reads and discards what the
  /// client still sends (at most 1 MiB, for at most 2 seconds), so that closing does not
  /// reset the connection before the client has read the response.
  private func linger(_ socket: Socket) {
    let deadline = ContinuousClock.now + .seconds(2)
    var discarded: [UInt8] = []
    var total = 0
    while total < 1 << 20 {
      discarded.removeAll(keepingCapacity: true)
      guard let count = try? socket.receive(into: &discarded, maximum: 64 * 1024, until: deadline),
        count > 0
      else { return }
      total += count
    }
  }

  /// Reads, checks and answers the request.
  ///
  /// - Returns: The response and the outcome for the log.
  /// - Throws: ``RequestError``.
  private func answer(
    _ socket: Socket, started: ContinuousClock.Instant, summary: inout RequestSummary
  ) throws(RequestError) -> (HTTPResponse, String) {
    let requestDeadline = started + limits.requestTimeout
    var buffer: [UInt8] = []
    var scanner = HeadScanner(
      maximumRequestLineByteCount: limits.maximumRequestLineByteCount,
      maximumHeaderByteCount: limits.maximumHeaderByteCount)

    // The head. The request line is checked as soon as it is complete, so that garbage is
    // refused at once rather than after a timeout.
    var headEnd: Int?
    var requestLine: RequestLine?
    while headEnd == nil {
      do {
        headEnd = try scanner.scan(buffer)
        if requestLine == nil, let end = scanner.requestLineEnd {
          let line = try RequestLine(buffer[0..<(end - 2)])
          summary.method = RequestLogEntry.printable(line.method)
          summary.path = RequestLogEntry.printable(line.target)
          requestLine = line
        }
      } catch {
        throw .refuse(error)
      }
      guard headEnd == nil else { break }
      // Until the first byte arrives, stopping the server abandons the connection.
      let count = try receive(
        socket, into: &buffer, maximum: 16 * 1024, requestDeadline: requestDeadline,
        wake: buffer.isEmpty ? wakeRead : nil)
      if count == 0 {
        throw .drop(outcome: buffer.isEmpty ? nil : "client closed the connection mid-request")
      }
    }
    guard let headEnd, let requestLine, let requestLineEnd = scanner.requestLineEnd else {
      throw .drop(outcome: nil)
    }
    let fields: RequestFields
    do {
      fields = try RequestFields(buffer, from: requestLineEnd, headEnd: headEnd)
    } catch {
      throw .refuse(error)
    }

    // Routing and framing.
    if requestLine.version == "HTTP/1.1" {
      guard fields.count(of: "host") == 1 else {
        throw refusal(400, "an HTTP/1.1 request needs exactly one Host header", "bad Host")
      }
    }
    let endpoint: ServerEndpoint
    switch requestLine.path {
    case "/": endpoint = .api
    case "/handshake": endpoint = .handshake
    default: throw refusal(404, "no such resource; the API is POST /", "not found")
    }
    guard requestLine.method == "POST" else {
      throw refusal(405, "only POST is allowed on \(requestLine.path)", "method not allowed")
    }
    let length = try bodyLength(fields)
    let expectations = fields.values(of: "expect")
    if !expectations.isEmpty {
      guard expectations.allSatisfy({ $0.lowercased() == "100-continue" }) else {
        throw refusal(417, "only Expect: 100-continue is supported", "expectation failed")
      }
      if buffer.count - headEnd < length {
        do {
          try socket.sendAll(HTTPResponse.continueResponse, until: .now + limits.sendTimeout)
        } catch {
          throw .drop(outcome: "client gone before the body")
        }
      }
    }

    // The body.
    var body = Array(buffer[headEnd..<min(buffer.count, headEnd + length)])
    buffer = []
    body.reserveCapacity(length)
    while body.count < length {
      let count = try receive(
        socket, into: &body, maximum: min(length - body.count, 256 * 1024),
        requestDeadline: requestDeadline, wake: nil)
      if count == 0 { throw .drop(outcome: "client closed the connection mid-body") }
    }

    let reply = service.respond(to: body, endpoint: endpoint, client: socket.peerAddress)
    return (HTTPResponse(status: reply.status, body: reply.body), reply.outcome)
  }

  /// The body length from `Content-Length`, after the checks on framing.
  private func bodyLength(_ fields: RequestFields) throws(RequestError) -> Int {
    if fields.count(of: "transfer-encoding") > 0 {
      guard fields.count(of: "content-length") == 0 else {
        throw refusal(
          400, "Transfer-Encoding and Content-Length must not both be sent", "ambiguous length")
      }
      throw refusal(
        411, "Transfer-Encoding (chunked) is not supported; send the body with Content-Length",
        "transfer-encoding refused")
    }
    let values = fields.values(of: "content-length")
    guard let first = values.first else {
      throw refusal(411, "a Content-Length header is required", "length required")
    }
    let limit = limits.maximumBodyByteCount
    guard values.allSatisfy({ $0 == first }), let length = contentLength(first, limit: limit)
    else {
      throw refusal(400, "malformed Content-Length", "bad Content-Length")
    }
    guard length <= limit else {
      throw refusal(413, "the body is larger than \(limit) bytes", "body too large")
    }
    return length
  }

  /// Receives more bytes, waiting at most the receive timeout and never past the request's
  /// deadline.
  private func receive(
    _ socket: Socket, into buffer: inout [UInt8], maximum: Int,
    requestDeadline: ContinuousClock.Instant, wake: Int32?
  ) throws(RequestError) -> Int {
    let deadline = min(ContinuousClock.now + limits.receiveTimeout, requestDeadline)
    do {
      return try socket.receive(into: &buffer, maximum: maximum, until: deadline, wake: wake)
    } catch .timedOut {
      throw refusal(408, "the request did not arrive in time", "timeout")
    } catch .stopped {
      throw .drop(outcome: nil)
    } catch .reset {
      throw .drop(outcome: "connection reset by the client")
    } catch {
      throw .drop(outcome: "receive failed: \(error)")
    }
  }

  private func refusal(_ status: Int, _ reason: String, _ outcome: String) -> RequestError {
    .refuse(HTTPFailure(status: status, reason: reason, outcome: outcome))
  }
}
