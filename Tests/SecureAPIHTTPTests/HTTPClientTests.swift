// HTTPClientTests.swift: the client's URL rules, its typed errors, and how it reads
// responses from servers other than ours.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SecureAPIHTTP
import Testing

extension HTTPLayerTests {
  @Suite struct HTTPClientTests {
    @Test(arguments: [
      ("http://127.0.0.1:5000/", "127.0.0.1", 5000, "/"),
      ("http://localhost", "localhost", 80, "/"),
      ("HTTP://example.org:8080?x=1#frag", "example.org", 8080, "/?x=1"),
      ("http://10.0.0.2:1/api/v1", "10.0.0.2", 1, "/api/v1"),
    ])
    func parsesHTTPURLs(_ text: String, host: String, port: Int, path: String) throws {
      let url = try HTTPURL(text)
      #expect(url.host == host)
      #expect(url.port == UInt16(port))
      #expect(url.path == path)
    }

    @Test(arguments: [
      "https://127.0.0.1/", "ftp://127.0.0.1/", "127.0.0.1:5000", "http://[::1]:5000/",
      "http://user:pass@127.0.0.1/", "http://127.0.0.1:0/", "http://127.0.0.1:65536/",
      "http://127.0.0.1:http/", "http:///", "http://127.0.0.1/a b", "http://a:1:2/",
    ])
    func refusesOtherURLs(_ text: String) {
      #expect {
        try HTTPURL(text)
      } throws: { error in
        guard case HTTPError.invalidURL = error else { return false }
        return true
      }
    }

    @Test func aClosedPortIsReportedAsConnectionRefused() throws {
      // A port that was just listened on and released is very likely free.
      let canned = try CannedServer(reply: nil)
      let port = canned.port
      canned.finish()
      #expect(throws: HTTPError.connectionRefused(host: "127.0.0.1", port: port)) {
        try HTTPClient.post(url: "http://127.0.0.1:\(port)/", body: [], timeout: .seconds(5))
      }
    }

    @Test func aServerThatNeverAnswersTimesOut() throws {
      let silent = try CannedServer(reply: nil)
      defer { silent.finish() }
      let started = Date()
      #expect(throws: HTTPError.timedOut(host: "127.0.0.1", port: silent.port)) {
        try HTTPClient.post(url: silent.url, body: Array("{}".utf8), timeout: .milliseconds(500))
      }
      #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func aResponseThatIsNotHTTPIsMalformed() throws {
      let garbage = try CannedServer(reply: Array("SSH-2.0-OpenSSH_9.2\r\n\r\n".utf8))
      defer { garbage.finish() }
      #expect {
        try HTTPClient.post(url: garbage.url, body: [], timeout: .seconds(10))
      } throws: { error in
        guard case HTTPError.malformedResponse = error else { return false }
        return true
      }
    }

    @Test func aBodyWithoutContentLengthIsReadToTheEnd() throws {
      let canned = try CannedServer(
        reply: Array(
          "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"txt\": \"t\"}".utf8))
      defer { canned.finish() }
      let response = try HTTPClient.post(url: canned.url, body: [], timeout: .seconds(10))
      #expect(response.status == 200)
      #expect(response.body == Array("{\"txt\": \"t\"}".utf8))
    }

    @Test func interimResponsesAreSkipped() throws {
      let canned = try CannedServer(
        reply: Array(
          "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokEXTRA"
            .utf8))
      defer { canned.finish() }
      let response = try HTTPClient.post(url: canned.url, body: [], timeout: .seconds(10))
      #expect(response.status == 201)
      #expect(response.body == Array("ok".utf8))
    }

    @Test func aTruncatedBodyIsReportedAsAClosedConnection() throws {
      let canned = try CannedServer(
        reply: Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort".utf8))
      defer { canned.finish() }
      #expect(throws: HTTPError.connectionClosed(host: "127.0.0.1", port: canned.port)) {
        try HTTPClient.post(url: canned.url, body: [], timeout: .seconds(10))
      }
    }

    @Test func anEarly413IsReturnedEvenWhileTheBodyIsStillBeingSent() throws {
      let scratch = try ScratchDirectory()
      defer { scratch.remove() }
      let server = try TestServer(stateDirectory: scratch.file("state"))
      defer { server.stop() }
      let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 4 * 1024 * 1024 + 1)
      let response = try HTTPClient.post(url: server.url, body: huge, timeout: .seconds(30))
      #expect(response.status == 413)
      #expect(response.body == Array(#"{"error": "the body is larger than 4194304 bytes"}"#.utf8))
    }

    @Test func errorsExplainThemselves() {
      #expect(
        HTTPError.connectionRefused(host: "127.0.0.1", port: 5000).description
          == "connection refused by 127.0.0.1:5000 (is the server running?)")
      #expect(HTTPError.invalidURL("x").description == "invalid URL: x")
      #expect(
        HTTPError.cannotListen(host: "127.0.0.1", port: 1, code: EACCES).description
          == "cannot listen on 127.0.0.1:1: Permission denied")
    }
  }
}
