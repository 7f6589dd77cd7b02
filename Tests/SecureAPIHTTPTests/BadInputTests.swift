// BadInputTests.swift: malformed, hostile and oversized requests each get their own status
// and a JSON error, and the server answers the next good request afterwards.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI
import SecureAPIHTTP
import Testing

extension HTTPLayerTests {
  @Suite struct BadInputTests {
    /// One bad request and the answer it must get.
    struct Case: CustomTestStringConvertible, Sendable {
      let name: String
      let status: Int
      let request: @Sendable (_ key: [UInt8]) throws -> [UInt8]
      var testDescription: String { name }
    }

    static let cases: [Case] = [
      Case(name: "empty body", status: 400) { _ in postRequest([]) },
      Case(name: "not JSON", status: 400) { _ in postRequest(Array("hello".utf8)) },
      Case(name: "JSON without txt", status: 400) { _ in
        postRequest(Array(#"{"text": "gAAAAA"}"#.utf8))
      },
      Case(name: "txt not a string", status: 400) { _ in
        postRequest(Array(#"{"txt": 42}"#.utf8))
      },
      Case(name: "truncated token", status: 401) { key in
        let token = try sealedToken(key: key)
        return postRequest(WireFormat.body(token: Array(token.prefix(token.count / 2)).span))
      },
      Case(name: "token tampered at the outer layer", status: 401) { key in
        var token = try sealedToken(key: key)
        let middle = token.count / 2
        token[middle] = token[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        return postRequest(WireFormat.body(token: token.span))
      },
      Case(name: "token sealed with another key", status: 401) { _ in
        let token = try sealedToken(key: TestKey.bytes(seed: 99))
        return postRequest(WireFormat.body(token: token.span))
      },
      Case(name: "unknown code", status: 400) { key in
        let token = try sealedToken(key: key, body: SystemClock().now().field + Array("del".utf8))
        return postRequest(WireFormat.body(token: token.span))
      },
      Case(name: "time field 00000000000000000nan", status: 400) { key in
        let token = try sealedToken(key: key, body: Array("00000000000000000nanputx".utf8))
        return postRequest(WireFormat.body(token: token.span))
      },
      Case(name: "GET /", status: 405) { _ in
        Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
      },
      Case(name: "POST /other", status: 404) { _ in postRequest(Array("{}".utf8), path: "/other") },
      Case(name: "malformed request line", status: 400) { _ in
        Array("HELLO THERE\r\nHost: 127.0.0.1\r\n\r\n".utf8)
      },
      Case(name: "request line over 8 KiB", status: 414) { _ in
        Array("POST /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\n\r\n".utf8)
      },
      Case(name: "header section over 16 KiB", status: 431) { _ in
        let filler = (0..<40).map { "X-Filler-\($0): \(String(repeating: "b", count: 500))\r\n" }
        return Array(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + filler.joined() + "\r\n").utf8)
      },
      Case(name: "body over 4 MiB (headers only)", status: 413) { _ in
        Array(
          "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4194305\r\n\r\n".utf8)
      },
      Case(name: "Content-Length of 30 digits", status: 413) { _ in
        Array(
          "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(String(repeating: "9", count: 30))\r\n\r\n"
            .utf8)
      },
      Case(name: "chunked transfer encoding", status: 411) { _ in
        Array(
          "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
            .utf8)
      },
      Case(name: "both Transfer-Encoding and Content-Length", status: 400) { _ in
        Array(
          "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}"
            .utf8)
      },
      Case(name: "no Content-Length", status: 411) { _ in
        Array("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
      },
      Case(name: "conflicting Content-Lengths", status: 400) { _ in
        Array(
          "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
            .utf8)
      },
      Case(name: "negative Content-Length", status: 400) { _ in
        Array("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -2\r\n\r\n{}".utf8)
      },
      Case(name: "HTTP/1.1 without Host", status: 400) { _ in
        Array("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}".utf8)
      },
      Case(name: "bare LF line endings", status: 400) { _ in
        Array("POST / HTTP/1.1\nHost: 127.0.0.1\nContent-Length: 2\n\n{}".utf8)
      },
      Case(name: "folded header line", status: 400) { _ in
        Array("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n folded\r\nContent-Length: 2\r\n\r\n{}".utf8)
      },
      Case(name: "space before the colon", status: 400) { _ in
        Array("POST / HTTP/1.1\r\nHost : 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}".utf8)
      },
      Case(name: "HTTP/2.0 request line", status: 505) { _ in
        Array("POST / HTTP/2.0\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}".utf8)
      },
      Case(name: "unsupported Expect", status: 417) { _ in
        Array(
          "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}"
            .utf8)
      },
      Case(name: "a TLS handshake (refused at once, no timeout)", status: 400) { _ in
        [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]
      },
    ]

    @Test(arguments: cases)
    func isRefusedWithAJSONErrorAndTheServerGoesOn(_ testCase: Case) throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(stateDirectory: scratch.file("state"))
      defer { server.stop() }

      let response = try RawConnection.exchange(port: server.port, try testCase.request(server.key))
      #expect(response.status == testCase.status)
      #expect(response.isJSONError, "body: \(String(decoding: response.body, as: UTF8.self))")
      #expect(response.fields["connection"] == "close")
      if testCase.status == 405 { #expect(response.fields["allow"] == "POST") }
      #expect(server.log.entries.last?.status == testCase.status)

      #expect(try server.exchange(.put, "after \(testCase.name)").outcome == acknowledged("ok"))
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(stateDirectory: scratch.file("state"))
      defer { server.stop() }
      let ring = try TestKey.file(server.key).keyRing()
      var rng = SystemRandomNumberGenerator()
      let time = SystemClock().now()
      let body = ClientCore.requestBody(
        code: .put, message: Array("continued".utf8), time: time, ring: ring, using: &rng)

      let connection = try RawConnection(port: server.port)
      connection.send(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: \(body.count)\r\n\r\n"
      )
      let interim = connection.receive(count: 25)
      #expect(String(decoding: interim, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
      connection.send(body)
      let response = connection.response()
      #expect(response.status == 200)
      let replyBody = response.body
      #expect(
        try ClientCore.outcome(ofReply: replyBody.span, sentTime: time, ring: ring)
          == acknowledged("ok"))
    }

    @Test func aClientThatStopsMidRequestIsDroppedWhileOthersAreServed() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(
        stateDirectory: scratch.file("state"), limits: .testing(receiveTimeout: .seconds(1)))
      defer { server.stop() }

      let started = Date()
      let inHead = try RawConnection(port: server.port)
      inHead.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
      let inBody = try RawConnection(port: server.port)
      inBody.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"txt\": ")

      // The stalled connections do not hold up a good request.
      #expect(try server.exchange(.put, "while others stall").outcome == acknowledged("ok"))

      for connection in [inHead, inBody] {
        let response = connection.response()
        #expect(response.status == 408)
        #expect(response.isJSONError)
      }
      #expect(Date().timeIntervalSince(started) < 15)
      #expect(server.log.entries.filter { $0.outcome == "timeout" }.count == 2)
      #expect(try server.storedMessage() == "while others stall")
    }

    @Test func connectionsBeyondTheLimitGet503() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(
        stateDirectory: scratch.file("state"),
        limits: .testing(receiveTimeout: .seconds(30), connections: 2))
      defer { server.stop() }

      let idle = [try RawConnection(port: server.port), try RawConnection(port: server.port)]
      idle[0].send("P")
      idle[1].send("P")
      let refused = try RawConnection.exchange(port: server.port, postRequest(Array("{}".utf8)))
      #expect(refused.status == 503)
      #expect(refused.isJSONError)

      idle.forEach { $0.close() }
      var answered: Exchange?
      for _ in 0..<50 {
        answered = try server.exchange(.get)
        if answered?.status == 200 { break }
        Thread.sleep(forTimeInterval: 0.1)
      }
      #expect(answered?.outcome == acknowledged(""))
    }

    @Test func stopClosesIdleConnectionsAtOnceAndFreesThePort() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(
        stateDirectory: scratch.file("state"), limits: .testing(receiveTimeout: .seconds(30)))
      let idle = try RawConnection(port: server.port)
      Thread.sleep(forTimeInterval: 0.2)
      let started = Date()
      server.stop()
      #expect(Date().timeIntervalSince(started) < 5)
      #expect(idle.readToEnd().isEmpty)
      #expect(throws: HTTPError.connectionRefused(host: "127.0.0.1", port: server.port)) {
        try HTTPClient.post(url: server.url, body: [], timeout: .seconds(5))
      }
    }
  }
}

/// A token sealing `body` (by default a fresh `get`) with the key file `key`.
private func sealedToken(key: [UInt8], body: [UInt8]? = nil) throws -> [UInt8] {
  let ring = try TestKey.file(key).keyRing()
  var rng = SystemRandomNumberGenerator()
  let frame = body ?? (SystemClock().now().field + Array("get".utf8))
  return SecureChannel.seal(body: frame.span, ring: ring, fernetTime: 0, using: &rng)
}
