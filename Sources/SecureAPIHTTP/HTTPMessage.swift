// HTTPMessage.swift: the strict HTTP/1.1 request-head parser of the server and the responses
// it writes.
// Reference: RFC 9110 (HTTP semantics), RFC 9112 (HTTP/1.1 message syntax).
// SPDX-License-Identifier: Apache-2.0

import SecureAPI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A request the server refuses with an HTTP error status and a JSON body `{"error": ...}`.
struct HTTPFailure: Error {
  /// The status code.
  let status: Int
  /// The explanation sent to the client.
  let reason: String
  /// A short label for the log.
  let outcome: String
}

// MARK: - Finding the end of the head

/// Finds the end of a request head (the empty line) in bytes that arrive piece by piece,
/// enforcing the limits as early as possible, so an oversized or malformed head is refused
/// without waiting for the rest of it.
///
/// Every line must end in CRLF (RFC 9112 §2.2 allows a server to accept a bare LF; this one
/// refuses it, as the protocol's clients never send one).
struct HeadScanner {
  /// The longest request line, without its CRLF.
  let maximumRequestLineByteCount: Int
  /// The longest header section: every field line with its CRLF, plus the final CRLF.
  let maximumHeaderByteCount: Int

  private var scanned = 0
  private var lineStart = 0
  /// The index just after the request line's CRLF, once seen.
  private(set) var requestLineEnd: Int?

  /// A scanner with the given limits.
  init(maximumRequestLineByteCount: Int, maximumHeaderByteCount: Int) {
    self.maximumRequestLineByteCount = maximumRequestLineByteCount
    self.maximumHeaderByteCount = maximumHeaderByteCount
  }

  /// Scans the bytes received so far (each call sees the previous bytes plus new ones).
  ///
  /// - Returns: The index just after the empty line that ends the head, or `nil` if it has
  ///   not arrived yet.
  /// - Throws: ``HTTPFailure`` with 400 (a bare LF, or a byte that cannot be in a request
  ///   line, such as the start of a TLS handshake), 414 (request line too long) or 431
  ///   (header section too large).
  mutating func scan(_ buffer: [UInt8]) throws(HTTPFailure) -> Int? {
    while scanned < buffer.count {
      let index = scanned
      scanned += 1
      let byte = buffer[index]
      if requestLineEnd == nil, byte != 0x0d, byte != 0x0a, byte < 0x20 || byte > 0x7e {
        throw HTTPFailure(
          status: 400, reason: "malformed request line (expected METHOD /PATH HTTP/1.1)",
          outcome: "malformed request line")
      }
      guard byte == 0x0a else { continue }
      guard index > lineStart, buffer[index - 1] == 0x0d else {
        throw HTTPFailure(
          status: 400, reason: "every line of the request head must end with CRLF",
          outcome: "bare LF in head")
      }
      let lineLength = index - 1 - lineStart
      if let requestLineEnd {
        if lineLength == 0 {
          try checkHeaderSize(scanned - requestLineEnd)
          return scanned
        }
      } else {
        try checkRequestLine(lineLength)
        requestLineEnd = scanned
      }
      lineStart = scanned
    }
    if let requestLineEnd {
      try checkHeaderSize(buffer.count - requestLineEnd)
    } else {
      // The line so far, less a CR that may end it.
      try checkRequestLine(buffer.last == 0x0d ? buffer.count - 1 : buffer.count)
    }
    return nil
  }

  private func checkRequestLine(_ length: Int) throws(HTTPFailure) {
    guard length <= maximumRequestLineByteCount else {
      throw HTTPFailure(
        status: 414,
        reason: "the request line is longer than \(maximumRequestLineByteCount) bytes",
        outcome: "request line too long")
    }
  }

  private func checkHeaderSize(_ length: Int) throws(HTTPFailure) {
    guard length <= maximumHeaderByteCount else {
      throw HTTPFailure(
        status: 431, reason: "the header section is larger than \(maximumHeaderByteCount) bytes",
        outcome: "headers too large")
    }
  }
}

// MARK: - Parsing the head

/// A parsed request line: `METHOD SP /TARGET SP HTTP/1.x`.
struct RequestLine {
  /// The method, such as `POST` (case-sensitive, as RFC 9110 §9.1 says).
  let method: String
  /// The request target in origin form, such as `/` or `/?q=1`.
  let target: String
  /// The protocol version: `HTTP/1.0` or `HTTP/1.1`.
  let version: String

  /// The target without its query.
  var path: Substring {
    target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
  }

  /// Parses a request line without its CRLF.
  ///
  /// - Throws: ``HTTPFailure`` with 400 when it is malformed, 505 for an HTTP version other
  ///   than 1.0 and 1.1.
  init(_ line: ArraySlice<UInt8>) throws(HTTPFailure) {
    let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
    guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenCharacter),
      let first = parts[1].first, first == UInt8(ascii: "/"),
      parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7f })
    else {
      throw HTTPFailure(
        status: 400, reason: "malformed request line (expected METHOD /PATH HTTP/1.1)",
        outcome: "malformed request line")
    }
    let version = Array(parts[2])
    let prefix = Array("HTTP/".utf8)
    guard version.count == 8, Array(version[0..<5]) == prefix,
      version[6] == UInt8(ascii: "."), Self.isDigit(version[5]), Self.isDigit(version[7])
    else {
      throw HTTPFailure(
        status: 400, reason: "malformed HTTP version in the request line",
        outcome: "malformed request line")
    }
    guard version[5] == UInt8(ascii: "1"), version[7] <= UInt8(ascii: "1") else {
      throw HTTPFailure(
        status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are supported",
        outcome: "unsupported version")
    }
    method = String(decoding: parts[0], as: UTF8.self)
    target = String(decoding: parts[1], as: UTF8.self)
    self.version = String(decoding: version, as: UTF8.self)
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }
}

/// The header fields of a request head.
struct RequestFields {
  /// The fields in order, names in lower case, values without surrounding white space.
  let all: [(name: String, value: String)]

  /// Every value of the field `name` (lower case), comma-separated lists split apart.
  func values(of name: String) -> [String] {
    all.filter { $0.name == name }.flatMap { field in
      field.value.split(separator: ",", omittingEmptySubsequences: false).map {
        String($0.trimmingSpaces())
      }
    }
  }

  /// How many times the field `name` appears.
  func count(of name: String) -> Int {
    all.count { $0.name == name }
  }

  /// Parses the field lines in `buffer[start ..< headEnd - 2]` (each ending in CRLF; the
  /// scanner has checked that).
  ///
  /// - Throws: ``HTTPFailure`` with 400 for a malformed field.
  init(_ buffer: [UInt8], from start: Int, headEnd: Int) throws(HTTPFailure) {
    var fields: [(name: String, value: String)] = []
    var start = start
    while start < headEnd - 2 {
      var end = start
      while buffer[end] != 0x0d || buffer[end + 1] != 0x0a { end += 1 }
      fields.append(try Self.field(buffer[start..<end]))
      start = end + 2
    }
    all = fields
  }

  /// Parses one field line `name: value`.
  private static func field(_ line: ArraySlice<UInt8>) throws(HTTPFailure) -> (String, String) {
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
      throw malformedField("a header line has no colon")
    }
    let name = line[line.startIndex..<colon]
    // No white space may stand before the colon or start the line (obsolete line folding).
    guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else {
      throw malformedField("malformed header field name")
    }
    var value = line[(colon + 1)...]
    while let byte = value.first, byte == 0x20 || byte == 0x09 { value = value.dropFirst() }
    while let byte = value.last, byte == 0x20 || byte == 0x09 { value = value.dropLast() }
    // Field values are visible characters, spaces, tabs and (obsolete) bytes from 0x80.
    guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7f) }) else {
      throw malformedField("a header field value holds a control character")
    }
    return (
      String(decoding: name, as: UTF8.self).lowercased(), String(decoding: value, as: UTF8.self)
    )
  }

  private static func malformedField(_ reason: String) -> HTTPFailure {
    HTTPFailure(status: 400, reason: reason, outcome: "malformed header")
  }
}

/// `tchar` of RFC 9110 §5.6.2: the characters of methods and field names.
private func isTokenCharacter(_ byte: UInt8) -> Bool {
  switch byte {
  case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
    UInt8(ascii: "0")...UInt8(ascii: "9"):
    return true
  default:
    return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
  }
}

extension Substring {
  /// The text without leading and trailing spaces and tabs.
  func trimmingSpaces() -> Substring {
    var text = self
    while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
    while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
    return text
  }
}

/// Reads a decimal `Content-Length` value: digits only, at most `limit + 1` in value, so an
/// enormous number is reported as too large rather than overflowing.
///
/// - Returns: The value (capped at `limit + 1`), or `nil` when it is not a plain number.
func contentLength(_ text: String, limit: Int) -> Int? {
  guard !text.isEmpty else { return nil }
  var value = 0
  for byte in text.utf8 {
    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
    value = min(value * 10 + Int(byte - UInt8(ascii: "0")), limit + 1)
  }
  return value
}

// MARK: - Responses

/// A response of the server: always `Connection: close`, a JSON body with its length.
struct HTTPResponse {
  /// The status code.
  let status: Int
  /// The JSON body.
  let body: [UInt8]
  /// Fields sent besides the standard ones (such as `Allow` on a 405).
  var extraFields: [(String, String)] = []

  /// The error response for a refused request.
  init(_ failure: HTTPFailure) {
    status = failure.status
    body = WireFormat.errorBody(failure.reason)
    if failure.status == 405 { extraFields = [("Allow", "POST")] }
  }

  /// A response with a JSON body.
  init(status: Int, body: [UInt8]) {
    self.status = status
    self.body = body
  }

  /// The bytes on the wire: status line, header fields, empty line, body.
  func serialized() -> [UInt8] {
    var head = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
    head += "Date: \(Self.httpDate())\r\n"
    head += "Content-Type: application/json\r\n"
    head += "Content-Length: \(body.count)\r\n"
    head += "Cache-Control: no-store\r\n"
    for (name, value) in extraFields { head += "\(name): \(value)\r\n" }
    head += "Connection: close\r\n\r\n"
    return Array(head.utf8) + body
  }

  /// The interim response that lets a client waiting on `Expect: 100-continue` send its body.
  static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

  /// The reason phrase of the statuses this server sends (RFC 9110 §15).
  static func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 408: "Request Timeout"
    case 411: "Length Required"
    case 413: "Content Too Large"
    case 414: "URI Too Long"
    case 417: "Expectation Failed"
    case 429: "Too Many Requests"
    case 431: "Request Header Fields Too Large"
    case 500: "Internal Server Error"
    case 503: "Service Unavailable"
    case 505: "HTTP Version Not Supported"
    default: "Status \(status)"
    }
  }

  /// The current time as an IMF-fixdate (RFC 9110 §5.6.7), such as
  /// `Sun, 06 Nov 1994 08:49:37 GMT`.
  static func httpDate() -> String {
    var now = time(nil)
    var parts = tm()
    guard gmtime_r(&now, &parts) != nil else { return "Thu, 01 Jan 1970 00:00:00 GMT" }
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
      + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
  }
}
