// RequestLogEntry.swift: the one log line the server writes per request.
// SPDX-License-Identifier: Apache-2.0

/// What the server logs about one request: never the key, a token or a plaintext.
public struct RequestLogEntry: Sendable, CustomStringConvertible {
  /// The request method, or `-` when the request line could not be read.
  public let method: String
  /// The request target (at most 200 characters, unprintable bytes shown as `?`), or `-`.
  public let path: String
  /// The status sent, or `nil` when the connection was dropped without a response.
  public let status: Int?
  /// What happened: the protocol outcome (`put accepted`, `put rejected: replayed`, ...) or
  /// the HTTP error (`headers too large`, `timeout`, ...).
  public let outcome: String
  /// The time from accepting the connection to the response, in milliseconds.
  public let milliseconds: Int

  /// A log entry.
  public init(method: String, path: String, status: Int?, outcome: String, milliseconds: Int) {
    self.method = method
    self.path = path
    self.status = status
    self.outcome = outcome
    self.milliseconds = milliseconds
  }

  /// The log line: `POST / 200 "put accepted" 41ms`.
  public var description: String {
    "\(method) \(path) \(status.map(String.init) ?? "-") \"\(outcome)\" \(milliseconds)ms"
  }

  /// `text` made safe for a log line: printable ASCII only, at most 200 characters.
  static func printable(_ text: String) -> String {
    var out = String(
      decoding: text.utf8.prefix(200).map { $0 > 0x20 && $0 < 0x7f ? $0 : UInt8(ascii: "?") },
      as: UTF8.self)
    if text.utf8.count > 200 { out += "..." }
    return out
  }
}
