// Serve.swift: `secure-api serve`, the Secure API server over HTTP/1.1.
// Reference: wire format v1 §5 (transport) and §6 (server rules).
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI
import SecureAPIHTTP

extension Command {
  /// `serve`: answers `POST /` until SIGINT or SIGTERM.
  static let serve = Command(
    name: "serve",
    summary: "run the Secure API server (POST / on http://127.0.0.1:5000/ by default)",
    details: """
      Answers POST / with a JSON body {"txt": "<outer token>"} as the deployed server does,
      with this project's stricter rules: a replayed, stale (more than 5 s old) or future put
      or get is answered with the sealed code 'rej' and its reason, and malformed requests
      get a JSON error {"error": "..."} with a 4xx status. Prints 'listening on
      http://HOST:PORT/' on standard output once the port is bound (--port 0 picks a free
      port and the line shows it), then one line per request on standard error: method,
      path, status, outcome and milliseconds, never the key or a message.

      State: the stored message and the time of the last accepted put are kept in the file
      DIR/state (mode 0600, in a directory of mode 0700; it holds the message in clear) and
      saved atomically before any reply that changes them, so a restart neither loses an
      acknowledged message nor reopens the replay window. DIR defaults to .secure-api-state
      in the working directory and is created if missing. A state file that cannot be read
      stops the server from starting.

      HTTP: one request per connection (Connection: close), at most 64 connections at once
      (more get 503), 10 s to send each part of a request and 30 s for all of it (408),
      request line up to 8 KiB (414), headers up to 16 KiB (431), body up to 4 MiB with
      Content-Length (413; chunked Transfer-Encoding gets 411). Other paths get 404 and
      other methods 405. The server listens on loopback unless --host says otherwise
      (IPv4 only).

      Clock-free handshake (docs/PROTOCOL.md §2): POST /handshake takes only hs1 starts,
      at most --handshake-limit per second from each client address (more get 429 before
      anything is decrypted); each answered start keeps a pair pending for --pair-lifetime
      seconds, in a store of at most --pending-capacity pairs that evicts the oldest first.
      The log line of an answered start shows how many pairs are pending.

      SIGINT (Ctrl-C) or SIGTERM stops it: the port is closed and requests in progress are
      answered. Exit status: 0 after such a stop; 1 when the key file, the state or the
      address cannot be used; 2 for bad usage.
      """,
    options: [
      .required("--key", "PATH", "the key file"),
      .value("--host", "HOST", "the IPv4 address to listen on (default: 127.0.0.1)"),
      .value("--port", "N", "the TCP port, 0 for any free port (default: 5000)"),
      .value("--state", "DIR", "the state directory (default: .secure-api-state)"),
      .value(
        "--pending-capacity", "N",
        "the most handshake pairs kept pending (default: \(PendingPairs.defaultCapacity))"),
      .value(
        "--pair-lifetime", "SECONDS",
        "how long a handshake pair stays usable (default: \(ServeCommand.defaultPairLifetime))"),
      .value(
        "--handshake-limit", "N",
        "handshake starts per second allowed from one address (default: \(RateLimiter<UInt32>.defaultLimit))"
      ),
    ],
    action: { invocation throws(CLIError) in try ServeCommand.run(invocation) })
}

/// The `serve` command.
enum ServeCommand {
  /// The state directory used when `--state` is not given, relative to the working directory.
  static let defaultStateDirectory = ".secure-api-state"

  /// The default `--pair-lifetime`, in seconds.
  static let defaultPairLifetime = Int(PendingPairs.defaultLifetime / 1_000_000_000)

  /// Loads the key and the state, binds, announces the URL and serves until a signal.
  ///
  /// - Throws: ``CLIError/usage(_:help:)`` for a bad port, ``CLIError/failure(_:)`` when the
  ///   key, the state or the address cannot be used.
  static func run(_ invocation: Invocation) throws(CLIError) {
    let port = try self.port(invocation)
    let host = invocation.value("--host") ?? "127.0.0.1"
    let directory = invocation.value("--state") ?? defaultStateDirectory
    let capacity =
      try invocation.positive("--pending-capacity", maximum: 10_000_000)
      ?? PendingPairs.defaultCapacity
    let lifetime =
      try invocation.positive("--pair-lifetime", maximum: 86_400) ?? defaultPairLifetime
    let limit =
      try invocation.positive("--handshake-limit", maximum: 1_000_000)
      ?? RateLimiter<UInt32>.defaultLimit
    let file = try KeyCommands.keyFile(invocation)
    let service: SecureAPIService
    do {
      let store = try StateStore(directory: directory)
      service = try SecureAPIService(
        ring: file.keyRing(), store: store,
        pending: PendingPairs(capacity: capacity, lifetime: UInt64(lifetime) * 1_000_000_000),
        handshakeLimit: RateLimiter(limit: limit))
    } catch {
      throw .failure("\(error)")
    }
    let server: HTTPServer
    do {
      server = try HTTPServer(host: host, port: port, service: service)
    } catch {
      throw .failure("\(error)")
    }
    // The signals are ignored by the process and delivered to a dispatch source instead,
    // whose handler (on a dispatch thread) stops the server; run() then returns here.
    let sources = [SIGINT, SIGTERM].map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { server.stop() }
      source.resume()
      return source
    }
    IO.writeLine("listening on \(server.url)")
    IO.writeError("state file \(directory)/\(StateStore.fileName); Ctrl-C stops the server")
    server.run()
    sources.forEach { $0.cancel() }
    IO.writeError("server stopped")
  }

  /// The `--port` value, 5000 when absent.
  private static func port(_ invocation: Invocation) throws(CLIError) -> UInt16 {
    guard let text = invocation.value("--port") else { return 5000 }
    guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let port = UInt16(text)
    else {
      throw invocation.usage("--port expects a number from 0 to 65535, got '\(text)'")
    }
    return port
  }
}
