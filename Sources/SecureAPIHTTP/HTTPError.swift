// HTTPError.swift: the errors of the HTTP layer (client and listening socket).
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why an HTTP exchange, or opening the server's listening socket, failed.
public enum HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The URL is not of the form `http://HOST[:PORT][/PATH]`; the text says what is wrong.
  case invalidURL(String)
  /// The host name does not resolve to an IPv4 address.
  case cannotResolve(host: String)
  /// Nothing listens at the address (the server is not running).
  case connectionRefused(host: String, port: UInt16)
  /// Connecting failed for another reason; `code` is the `errno`.
  case cannotConnect(host: String, port: UInt16, code: Int32)
  /// The whole exchange did not finish within the timeout.
  case timedOut(host: String, port: UInt16)
  /// The server closed the connection (or reset it) before sending a complete response.
  case connectionClosed(host: String, port: UInt16)
  /// The response is not valid HTTP/1.x; the text says what is wrong.
  case malformedResponse(String)
  /// The response is longer than the client accepts.
  case responseTooLarge(limit: Int)
  /// The server cannot listen on the address; `code` is the `errno`.
  case cannotListen(host: String, port: UInt16, code: Int32)
  /// Another system call failed; `code` is the `errno`.
  case system(operation: String, code: Int32)

  /// A one-line explanation.
  public var description: String {
    switch self {
    case .invalidURL(let reason): return "invalid URL: \(reason)"
    case .cannotResolve(let host): return "cannot resolve the host name '\(host)' (IPv4)"
    case .connectionRefused(let host, let port):
      return "connection refused by \(host):\(port) (is the server running?)"
    case .cannotConnect(let host, let port, let code):
      return "cannot connect to \(host):\(port): \(Self.explain(code))"
    case .timedOut(let host, let port):
      return "no complete response from \(host):\(port) before the timeout"
    case .connectionClosed(let host, let port):
      return "\(host):\(port) closed the connection before a complete response"
    case .malformedResponse(let reason): return "malformed HTTP response: \(reason)"
    case .responseTooLarge(let limit): return "the response is larger than \(limit) bytes"
    case .cannotListen(let host, let port, let code):
      return "cannot listen on \(host):\(port): \(Self.explain(code))"
    case .system(let operation, let code): return "\(operation) failed: \(Self.explain(code))"
    }
  }

  /// The operating system's wording for an `errno` value.
  private static func explain(_ code: Int32) -> String {
    String(cString: strerror(code))
  }
}
