// Client.swift: `secure-api put`, `get` and `client`, the Secure API client over HTTP.
// Reference: wire format v1 §5 (client rules).
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI
import SecureAPIHTTP

extension Command {
  /// `put`: stores a message on the server.
  static let put = Command(
    name: "put",
    summary: "store MESSAGE on a Secure API server and print its answer (ok)",
    details: ClientCommands.details,
    positionals: [Positional(name: "MESSAGE", choices: nil, arity: .required)],
    options: ClientCommands.options,
    action: { invocation throws(CLIError) in try ClientCommands.put(invocation) })

  /// `get`: prints the server's stored message.
  static let get = Command(
    name: "get",
    summary: "print the message stored on a Secure API server",
    details: ClientCommands.details,
    options: ClientCommands.options,
    action: { invocation throws(CLIError) in try ClientCommands.get(invocation) })

  /// `client`: the deployed client's interactive loop.
  static let client = Command(
    name: "client",
    summary: "interactive client: type put (then the message), get or exit at the > prompt",
    details: """
      Reads commands from standard input after a '> ' prompt: 'put' asks for a message
      ('message: ') and stores it, 'get' prints the stored message, 'exit' (or the end of
      the input) quits. Each failure is reported on standard error and the loop goes on.

      Exit status: 0 when every command succeeded; otherwise the status of the last failure:
      3 refused by the server, 4 insecure reply, 1 HTTP or connection error (see 'put --help').
      1 also when the key file cannot be read; 2 for bad usage or a malformed --url.
      """,
    options: ClientCommands.options,
    action: { invocation throws(CLIError) in try ClientCommands.interactive(invocation) })
}

/// The client commands: one request per command, checked with ``ClientCore``.
enum ClientCommands {
  /// The server's URL when `--url` is not given (the deployed server's address).
  static let defaultURL = "http://127.0.0.1:5000/"

  /// The options of every client command.
  static let options: [Option] = [
    .required("--key", "PATH", "the key file"),
    .value("--url", "URL", "the server (default: \(defaultURL))"),
    .flag("--sync-time", "ask the server for its time first and stamp requests with it"),
    .flag("--no-clock", "use the clock-free handshake (POST /handshake, then npt/ngt)"),
  ]

  /// The help text shared by `put` and `get`.
  static let details = """
    Sends one request sealed with the key file, the frame time taken from the system clock,
    and checks that the reply decrypts with the same key and echoes that time. 'put' prints
    the server's answer (ok); 'get' prints the stored message and a newline.

    Exit status: 0 when the server acknowledged the request; 3 when it refused it with a
    sealed 'rej' (replayed: not newer than the last accepted put; stale or future: more than
    5 s away from the server's clock, so check this machine's clock); 4 when the reply is
    insecure (it does not decrypt with the key, or does not echo the request's time and
    code), as the deployed client would report; 1 when the server answers an HTTP error
    (its JSON reason is shown), cannot be reached or the key file cannot be read; 2 for bad
    usage or a malformed --url (http://HOST[:PORT]/ only, IPv4).

    Clocks: --sync-time first asks the server for its time (tsq/tsr with a fresh nonce) and
    stamps requests with the server-adjusted time; in 'client', a request refused as stale or
    future also triggers one such sync and one retry before the refusal is reported. --no-clock
    uses the clock-free handshake instead (hs1/hs2 on POST /handshake, then the request bound
    to that pair and a fresh m_Nonce), for a machine with no usable clock; only this
    project's server speaks it.
    """

  /// Why an exchange failed, and the exit status that says so.
  struct Failure: Error {
    /// 1 (HTTP or connection error), 2 (bad URL), 3 (refused) or 4 (insecure reply).
    let status: Int32
    /// The line for standard error, without the `secure-api: ` prefix.
    let message: String
    /// Whether the server refused the request as stale or from the future.
    var isClockRefusal = false
  }

  /// How requests are stamped: the local clock, the local clock plus a synced offset, or no
  /// clock at all.
  struct Session {
    /// Use the clock-free handshake.
    let noClock: Bool
    /// Whether a refusal as stale or future triggers one sync and one retry (the interactive
    /// client; `put` and `get` report it at once, as before, unless given --sync-time).
    let syncsWhenRefused: Bool
    /// The server's time minus the local time, once synced.
    var offset: TimeOffset?

    /// The mode the invocation asks for.
    init(_ invocation: Invocation, syncsWhenRefused: Bool = false) {
      noClock = invocation.flag("--no-clock")
      self.syncsWhenRefused = syncsWhenRefused
      offset = nil
    }
  }

  /// Stores the positional MESSAGE.
  static func put(_ invocation: Invocation) throws(CLIError) {
    let url = try self.url(invocation)
    let file = try KeyCommands.keyFile(invocation)
    let message = Array(invocation.positionals[0].utf8)
    var session = Session(invocation)
    do {
      let ring = file.keyRing()
      if invocation.flag("--sync-time") && !session.noClock {
        session.offset = try syncTime(ring: ring, url: url)
      }
      IO.write(try exchange(.put, message, ring: ring, url: url, session: &session) + [0x0a])
    } catch {
      try stop(with: error)
    }
  }

  /// Prints the stored message.
  static func get(_ invocation: Invocation) throws(CLIError) {
    let url = try self.url(invocation)
    let file = try KeyCommands.keyFile(invocation)
    var session = Session(invocation)
    do {
      let ring = file.keyRing()
      if invocation.flag("--sync-time") && !session.noClock {
        session.offset = try syncTime(ring: ring, url: url)
      }
      IO.write(try exchange(.get, [], ring: ring, url: url, session: &session) + [0x0a])
    } catch {
      try stop(with: error)
    }
  }

  /// Runs the interactive loop.
  static func interactive(_ invocation: Invocation) throws(CLIError) {
    let url = try self.url(invocation)
    let file = try KeyCommands.keyFile(invocation)
    let ring = file.keyRing()
    var lastFailure: Int32 = 0
    var session = Session(invocation, syncsWhenRefused: true)
    if invocation.flag("--sync-time") && !session.noClock {
      do {
        session.offset = try syncTime(ring: ring, url: url)
        IO.writeError("time synced with the server")
      } catch {
        IO.writeError(error.message)
        lastFailure = error.status
      }
    }
    commands: while true {
      IO.write("> ")
      guard let line = readLine(strippingNewline: true) else {
        IO.write("\n")
        break
      }
      let command = line.trimmingCharacters(in: .whitespaces)
      var code = FrameCode.get
      var message: [UInt8] = []
      switch command {
      case "":
        continue commands
      case "exit", "quit":
        break commands
      case "help":
        IO.writeLine("commands: put (then the message), get, exit")
        continue commands
      case "put":
        IO.write("message: ")
        guard let text = readLine(strippingNewline: true) else {
          IO.write("\n")
          break commands
        }
        code = .put
        message = Array(text.utf8)
      case "get":
        break
      default:
        IO.writeError("unknown command '\(command)'; the commands are put, get and exit")
        continue commands
      }
      do {
        IO.write(try exchange(code, message, ring: ring, url: url, session: &session) + [0x0a])
      } catch {
        IO.writeError(error.message)
        lastFailure = error.status
      }
    }
    if lastFailure != 0 { throw .status(lastFailure, nil) }
  }

  /// Sends one request in the session's mode and checks the reply; with the clock, in the
  /// interactive client, a refusal as stale or future is followed by one time sync and one
  /// retry (unless already synced).
  ///
  /// - Returns: The acknowledged payload (`ok` for a put, the stored message for a get).
  /// - Throws: ``Failure`` with the exit status for the way it failed.
  static func exchange(
    _ code: FrameCode, _ message: [UInt8], ring: borrowing KeyRing, url: String,
    session: inout Session
  ) throws(Failure) -> [UInt8] {
    if session.noClock {
      return try clockFreeExchange(code, message, ring: ring, url: url)
    }
    do {
      return try exchange(code, message, ring: ring, url: url, offset: session.offset)
    } catch {
      guard error.isClockRefusal, session.syncsWhenRefused, session.offset == nil else {
        throw error
      }
      IO.writeError("\(error.message); syncing time with the server and retrying once")
      session.offset = try syncTime(ring: ring, url: url)
      return try exchange(code, message, ring: ring, url: url, offset: session.offset)
    }
  }

  /// Asks the server for its time (tsq with a fresh nonce) and returns the offset to add to the
  /// local clock.
  ///
  /// - Throws: ``Failure``: 1 for HTTP errors, 4 for a reply that does not echo the nonce or
  ///   took longer than 2 s.
  static func syncTime(ring: borrowing KeyRing, url: String) throws(Failure) -> TimeOffset {
    var rng = SystemRandomNumberGenerator()
    let nonce = Nonce(using: &rng)
    let sentAt = SystemClock().now()
    let body = ClientCore.timeSyncRequestBody(nonce: nonce, time: sentAt, ring: ring, using: &rng)
    let started = ContinuousClock.now
    let reply = try post(url, body)
    let elapsed = started.duration(to: .now).components
    let roundTrip =
      UInt64(max(0, elapsed.seconds)) * 1_000_000_000 + UInt64(max(0, elapsed.attoseconds))
      / 1_000_000_000
    do {
      let serverTime = try ClientCore.serverTime(
        ofTimeSyncReply: reply.span, nonce: nonce, sentTime: sentAt, ring: ring)
      return try ClientCore.timeOffset(
        serverTime: serverTime, sentAt: sentAt, roundTrip: roundTrip)
    } catch {
      throw Failure(status: 4, message: "time sync refused: \(error)")
    }
  }

  /// The clock-free handshake: hs1 on POST /handshake, then npt or ngt bound to the pair.
  private static func clockFreeExchange(
    _ code: FrameCode, _ message: [UInt8], ring: borrowing KeyRing, url: String
  ) throws(Failure) -> [UInt8] {
    var rng = SystemRandomNumberGenerator()
    let target: HTTPURL
    do {
      target = try HTTPURL(url)
    } catch {
      throw Failure(status: 2, message: "--url: \(error)")
    }
    let first = Nonce(using: &rng)
    let start = ClientCore.handshakeStartBody(nonce: first, ring: ring, using: &rng)
    let startReply = try post("http://\(target.host):\(target.port)/handshake", start)
    let pair: NoncePair
    do {
      pair = try ClientCore.pair(ofHandshakeReply: startReply.span, nonce: first, ring: ring)
    } catch {
      throw Failure(status: 4, message: "insecure connection: \(error)")
    }
    let messageNonce = Nonce(using: &rng)
    let body = ClientCore.boundRequestBody(
      code: code == .put ? .noClockPut : .noClockGet, pair: pair, messageNonce: messageNonce,
      message: message, ring: ring, using: &rng)
    let reply = try post(url, body)
    let outcome: ClientOutcome
    do {
      outcome = try ClientCore.outcome(
        ofBoundReply: reply.span, messageNonce: messageNonce, ring: ring)
    } catch {
      throw Failure(status: 4, message: "insecure connection: \(error)")
    }
    switch outcome {
    case .acknowledged(let payload): return payload
    case .rejected(let reason):
      throw Failure(status: 3, message: "server refused the request: \(printable(reason))")
    }
  }

  /// Posts `body` and returns the body of a 200 reply.
  private static func post(_ url: String, _ body: [UInt8]) throws(Failure) -> [UInt8] {
    let response: (status: Int, body: [UInt8])
    do {
      response = try HTTPClient.post(url: url, body: body)
    } catch {
      if case .invalidURL = error { throw Failure(status: 2, message: "--url: \(error)") }
      throw Failure(status: 1, message: "cannot reach \(url): \(error)")
    }
    guard response.status == 200 else {
      let replyBody = response.body
      let reason = WireFormat.errorReason(fromBody: replyBody.span) ?? "no JSON error reason"
      throw Failure(
        status: 1, message: "the server answered HTTP \(response.status): \(reason)")
    }
    return response.body
  }

  /// Sends one v1 request stamped with the local clock plus `offset`, and checks the reply.
  private static func exchange(
    _ code: FrameCode, _ message: [UInt8], ring: borrowing KeyRing, url: String,
    offset: TimeOffset?
  ) throws(Failure) -> [UInt8] {
    let local = SystemClock().now()
    let time = offset?.applied(to: local) ?? local
    var rng = SystemRandomNumberGenerator()
    let body = ClientCore.requestBody(
      code: code, message: message, time: time, ring: ring, using: &rng)
    let reply = try post(url, body)
    let outcome: ClientOutcome
    do {
      outcome = try ClientCore.outcome(ofReply: reply.span, sentTime: time, ring: ring)
    } catch {
      let explanation =
        error == .unexpectedReply
        ? "the reply does not echo the request's time and code" : error.description
      throw Failure(status: 4, message: "insecure connection: \(explanation)")
    }
    switch outcome {
    case .acknowledged(let payload):
      return payload
    case .rejected(let reason):
      throw Failure(
        status: 3, message: "server refused the request: \(printable(reason))",
        isClockRefusal: reason == "stale" || reason == "future")
    }
  }

  /// `text` with control characters shown as `?`, for one line of standard error.
  private static func printable(_ text: String) -> String {
    String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
  }

  /// The `--url` value, checked, or the default.
  private static func url(_ invocation: Invocation) throws(CLIError) -> String {
    let url = invocation.value("--url") ?? defaultURL
    do {
      _ = try HTTPURL(url)
    } catch {
      throw invocation.usage("--url: \(error)")
    }
    return url
  }

  /// Ends a `put` or `get` that failed, with the failure's exit status.
  private static func stop(with failure: Failure) throws(CLIError) -> Never {
    switch failure.status {
    case 2: throw .usage(failure.message, help: "secure-api")
    default: throw .status(failure.status, failure.message)
    }
  }
}
