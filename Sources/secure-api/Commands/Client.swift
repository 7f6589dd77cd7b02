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
    """

  /// Why an exchange failed, and the exit status that says so.
  struct Failure: Error {
    /// 1 (HTTP or connection error), 2 (bad URL), 3 (refused) or 4 (insecure reply).
    let status: Int32
    /// The line for standard error, without the `secure-api: ` prefix.
    let message: String
  }

  /// Stores the positional MESSAGE.
  static func put(_ invocation: Invocation) throws(CLIError) {
    let url = try self.url(invocation)
    let file = try KeyCommands.keyFile(invocation)
    let message = Array(invocation.positionals[0].utf8)
    do {
      IO.write(try exchange(.put, message, ring: file.keyRing(), url: url) + [0x0a])
    } catch {
      try stop(with: error)
    }
  }

  /// Prints the stored message.
  static func get(_ invocation: Invocation) throws(CLIError) {
    let url = try self.url(invocation)
    let file = try KeyCommands.keyFile(invocation)
    do {
      IO.write(try exchange(.get, [], ring: file.keyRing(), url: url) + [0x0a])
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
        IO.write(try exchange(code, message, ring: ring, url: url) + [0x0a])
      } catch {
        IO.writeError(error.message)
        lastFailure = error.status
      }
    }
    if lastFailure != 0 { throw .status(lastFailure, nil) }
  }

  /// Sends one request and checks the reply.
  ///
  /// - Returns: The acknowledged payload (`ok` for a put, the stored message for a get).
  /// - Throws: ``Failure`` with the exit status for the way it failed.
  static func exchange(_ code: FrameCode, _ message: [UInt8], ring: borrowing KeyRing, url: String)
    throws(Failure) -> [UInt8]
  {
    let time = SystemClock().now()
    var rng = SystemRandomNumberGenerator()
    let body = ClientCore.requestBody(
      code: code, message: message, time: time, ring: ring, using: &rng)
    let response: (status: Int, body: [UInt8])
    do {
      response = try HTTPClient.post(url: url, body: body)
    } catch {
      if case .invalidURL = error { throw Failure(status: 2, message: "--url: \(error)") }
      throw Failure(status: 1, message: "cannot reach \(url): \(error)")
    }
    let reply = response.body
    guard response.status == 200 else {
      let reason = WireFormat.errorReason(fromBody: reply.span) ?? "no JSON error reason"
      throw Failure(
        status: 1, message: "the server answered HTTP \(response.status): \(reason)")
    }
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
        status: 3, message: "server refused the request: \(printable(reason))")
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
