// Support.swift: fixtures of the HTTP tests: keys, an in-process server on an ephemeral
// loopback port, raw sockets for malformed requests, and subprocesses with deadlines.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HostSystem
import SecureAPI
import SecureAPIHTTP
import Testing
import _TestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - Keys and requests

/// Key files for the tests, from a fixed seed so that failures replay.
enum TestKey {
  /// The bytes of a standard 512-character key file made from `seed`.
  static func bytes(seed: UInt64 = 0x5EC_A11) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    return KeyFile.generate(using: &generator).serialized()
  }

  /// A key file from `bytes`.
  static func file(_ bytes: [UInt8]) throws -> KeyFile {
    try KeyFile(contents: bytes)
  }
}

/// One sealed request and what came back.
struct Exchange {
  /// The body that was sent.
  let requestBody: [UInt8]
  /// The HTTP status.
  let status: Int
  /// The response body.
  let responseBody: [UInt8]
  /// The checked outcome, for a 200 response.
  let outcome: ClientOutcome?
}

/// Builds a request with ``ClientCore``, posts it and checks the reply.
func exchange(
  _ code: FrameCode, _ message: String = "", key: [UInt8], url: String,
  time: Timestamp = SystemClock().now(), body: [UInt8]? = nil
) throws -> Exchange {
  let ring = try TestKey.file(key).keyRing()
  var rng = SystemRandomNumberGenerator()
  let request =
    body
    ?? ClientCore.requestBody(
      code: code, message: Array(message.utf8), time: time, ring: ring, using: &rng)
  let response = try HTTPClient.post(url: url, body: request, timeout: .seconds(60))
  let replyBody = response.body
  var outcome: ClientOutcome?
  if response.status == 200 {
    outcome = try ClientCore.outcome(ofReply: replyBody.span, sentTime: time, ring: ring)
  }
  return Exchange(
    requestBody: request, status: response.status, responseBody: replyBody, outcome: outcome)
}

/// The acknowledged payload `text` as an outcome.
func acknowledged(_ text: String) -> ClientOutcome {
  .acknowledged(payload: Array(text.utf8))
}

// MARK: - Scratch directories

/// A temporary directory removed by ``remove()``.
struct ScratchDirectory {
  /// The directory's path.
  let path: String

  /// A new private directory.
  init() throws {
    path = try HostFiles.makeTemporaryDirectory(prefix: "secure-api-http-tests-")
  }

  /// `path/name`.
  func file(_ name: String) -> String { path + "/" + name }

  /// Removes the directory and everything in it.
  func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }
}

// MARK: - In-process server

/// Limits that make the timeout tests fast.
extension HTTPServer.Limits {
  /// Short timeouts for tests that wait on them.
  static func testing(receiveTimeout: Duration = .seconds(2), connections: Int = 8) -> Self {
    var limits = HTTPServer.Limits()
    limits.receiveTimeout = receiveTimeout
    limits.requestTimeout = .seconds(60)
    limits.maximumConnections = connections
    return limits
  }
}

/// Collects log entries from server threads.
final class LogRecorder: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [RequestLogEntry] = []

  /// Records an entry.
  func record(_ entry: RequestLogEntry) {
    lock.withLock { stored.append(entry) }
  }

  /// The entries so far.
  var entries: [RequestLogEntry] { lock.withLock { stored } }
}

/// The system clock shifted forward, for a server that must see the real present as the past.
struct AheadClock: WallClock, Sendable {
  /// How far ahead.
  let seconds: UInt64

  func now() -> Timestamp {
    Timestamp(ticks: SystemClock().now().ticks + seconds * Timestamp.ticksPerSecond)
  }
}

/// A server on 127.0.0.1 with an ephemeral port, its state in a scratch directory.
final class TestServer {
  let key: [UInt8]
  let stateDirectory: String
  let service: SecureAPIService
  let server: HTTPServer
  let log = LogRecorder()

  /// Starts a server for `key`, with its state in `stateDirectory`.
  init(
    key: [UInt8] = TestKey.bytes(), stateDirectory: String,
    limits: HTTPServer.Limits = .testing(), clock: some WallClock & Sendable = SystemClock()
  ) throws {
    self.key = key
    self.stateDirectory = stateDirectory
    let store = try StateStore(directory: stateDirectory)
    service = try SecureAPIService(
      ring: TestKey.file(key).keyRing(), store: store, clock: clock)
    let log = self.log
    server = try HTTPServer(
      host: "127.0.0.1", port: 0, service: service, limits: limits,
      log: { log.record($0) })
    server.start()
  }

  deinit { server.stop() }

  /// `http://127.0.0.1:PORT/`.
  var url: String { server.url }

  /// The listening port.
  var port: UInt16 { server.port }

  /// Stops the server (waiting for requests in progress).
  func stop() { server.stop() }

  /// Exchanges a sealed request with this server's key.
  func exchange(_ code: FrameCode, _ message: String = "", time: Timestamp = SystemClock().now())
    throws -> Exchange
  {
    try SecureAPIHTTPTests.exchange(code, message, key: key, url: url, time: time)
  }

  /// Checks that a `get` is still answered, returning the stored message.
  func storedMessage() throws -> String? {
    let reply = try exchange(.get)
    guard reply.status == 200, case .acknowledged(let payload) = reply.outcome else { return nil }
    return String(decoding: payload, as: UTF8.self)
  }
}

// MARK: - Raw sockets

/// A parsed raw response.
struct RawResponse {
  /// The status code (0 when nothing parseable came back).
  let status: Int
  /// The header fields, names in lower case.
  let fields: [String: String]
  /// The body.
  let body: [UInt8]

  /// The `error` member of a JSON error body.
  var errorReason: String? { WireFormat.errorReason(fromBody: body.span) }

  /// Whether the body is a JSON error with the right content type.
  var isJSONError: Bool {
    fields["content-type"] == "application/json" && errorReason != nil
  }

  init(_ bytes: [UInt8]) {
    let separator: [UInt8] = [13, 10, 13, 10]
    var headEnd: Int?
    if bytes.count >= 4 {
      for index in 0...(bytes.count - 4) where Array(bytes[index..<index + 4]) == separator {
        headEnd = index
        break
      }
    }
    guard let headEnd else {
      status = 0
      fields = [:]
      body = bytes
      return
    }
    let lines = String(decoding: bytes[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
    let parts = lines[0].split(separator: " ")
    status = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
    var fields: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      fields[line[..<colon].lowercased()] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    self.fields = fields
    body = Array(bytes[(headEnd + 4)...])
  }
}

/// A client socket that sends exactly the bytes it is given.
final class RawConnection {
  private var descriptor: Int32

  /// Connects to 127.0.0.1:`port`; reads give up after `readTimeout` seconds.
  init(port: UInt16, readTimeout: Int = 20) throws {
    #if canImport(Glibc)
      descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    try #require(descriptor >= 0)
    var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    try #require(result == 0, "cannot connect to port \(port): errno \(errno)")
  }

  deinit { close() }

  /// Sends text.
  func send(_ text: String) {
    send(Array(text.utf8))
  }

  /// Sends bytes; returns false if the server closed the connection.
  @discardableResult
  func send(_ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
      #if os(Linux)
        let flags = Int32(MSG_NOSIGNAL)
      #else
        let flags: Int32 = 0
      #endif
      let count = bytes.withUnsafeBytes {
        rawSend(descriptor, $0.baseAddress! + offset, $0.count - offset, flags)
      }
      if count <= 0 { return false }
      offset += count
    }
    return true
  }

  /// Everything received until the server closes the connection (or the read timeout).
  func readToEnd() -> [UInt8] {
    var received: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count <= 0 { return received }
      received.append(contentsOf: chunk[0..<count])
    }
  }

  /// Exactly `count` bytes, or fewer if the connection ends or the read times out.
  func receive(count: Int) -> [UInt8] {
    var received: [UInt8] = []
    var byte: UInt8 = 0
    while received.count < count, recv(descriptor, &byte, 1, 0) == 1 { received.append(byte) }
    return received
  }

  /// The response, read until the server closes the connection.
  func response() -> RawResponse {
    RawResponse(readToEnd())
  }

  /// Closes the connection.
  func close() {
    if descriptor >= 0 {
      rawClose(descriptor)
      descriptor = -1
    }
  }

  /// Sends `request` on a new connection to `port` and reads the whole response.
  static func exchange(port: UInt16, _ request: [UInt8]) throws -> RawResponse {
    let connection = try RawConnection(port: port)
    connection.send(request)
    return connection.response()
  }
}

/// A `POST /` request with `body` and a correct `Content-Length`.
func postRequest(_ body: [UInt8], path: String = "/") -> [UInt8] {
  Array(
    "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
      .utf8) + body
}

/// A one-shot TCP server on 127.0.0.1 that answers its first connection with fixed bytes.
final class CannedServer: @unchecked Sendable {
  let port: UInt16
  private let descriptor: Int32
  private let done = DispatchSemaphore(value: 0)

  /// Listens on a free port; the first connection gets `reply` after its request head (or
  /// nothing, and is held open, when `reply` is nil).
  init(reply: [UInt8]?) throws {
    #if canImport(Glibc)
      let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let listener = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    descriptor = listener
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, length) == 0 && listen(listener, 4) == 0
          && getsockname(listener, $0, &length) == 0
      }
    }
    try #require(bound)
    port = UInt16(bigEndian: address.sin_port)
    guard let reply else {
      done.signal()
      return
    }
    Thread { [done] in
      defer { done.signal() }
      let client = accept(listener, nil, nil)
      guard client >= 0 else { return }
      defer { rawClose(client) }
      var head: [UInt8] = []
      var byte: UInt8 = 0
      while recv(client, &byte, 1, 0) == 1 {
        head.append(byte)
        if head.suffix(4) == [13, 10, 13, 10] { break }
      }
      _ = reply.withUnsafeBytes { rawSend(client, $0.baseAddress!, $0.count, 0) }
      // Read the rest of the request until the client closes, so that closing does not reset
      // the connection before the client has read the reply.
      _ = shutdown(client, Int32(SHUT_WR))
      while recv(client, &byte, 1, 0) == 1 {}
    }.start()
  }

  /// `http://127.0.0.1:PORT/`.
  var url: String { "http://127.0.0.1:\(port)/" }

  /// Waits for the canned exchange, then closes the listener.
  func finish() {
    _ = done.wait(timeout: .now() + 10)
    rawClose(descriptor)
  }
}

// MARK: - Subprocesses

/// The result of a finished subprocess.
struct ProcessResult {
  /// The exit status (or signal number, when killed).
  let status: Int32
  /// Standard output.
  let output: String
  /// Standard error.
  let error: String
}

/// A child process with its output captured in files (so no pipe can fill up).
final class Subprocess {
  let process = Process()
  private let directory: ScratchDirectory
  private let outputPath: String
  private let errorPath: String

  /// Starts `executable` with `arguments`, feeding `input`, with proxies turned off.
  init(_ executable: String, _ arguments: [String], input: String = "") throws {
    directory = try ScratchDirectory()
    outputPath = directory.file("stdout")
    errorPath = directory.file("stderr")
    let inputPath = directory.file("stdin")
    try Data(input.utf8).write(to: URL(fileURLWithPath: inputPath))
    _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    for name in [
      "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
    ] {
      environment[name] = nil
    }
    environment["no_proxy"] = "127.0.0.1,localhost"
    environment["NO_PROXY"] = "127.0.0.1,localhost"
    process.environment = environment
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    try process.run()
  }

  deinit {
    if process.isRunning {
      kill()
      process.waitUntilExit()
    }
    directory.remove()
  }

  /// Kills the process with SIGKILL. (The test runner's threads block most signals and a
  /// child inherits that mask, so SIGTERM may never be delivered.)
  func kill() {
    rawKill(process.processIdentifier, SIGKILL)
  }

  /// Standard output so far.
  var output: String {
    (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
  }

  /// Standard error so far.
  var error: String {
    (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
  }

  /// Waits until standard output holds a line starting with `prefix`; returns its rest.
  func waitForLine(startingWith prefix: String, timeout: TimeInterval = 60) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      for line in output.split(separator: "\n") where line.hasPrefix(prefix) {
        return String(line.dropFirst(prefix.count))
      }
      try #require(process.isRunning, "the process exited early: \(error)")
      Thread.sleep(forTimeInterval: 0.05)
    }
    Issue.record("no line starting with '\(prefix)' within \(timeout) s; stderr: \(error)")
    throw CancellationError()
  }

  /// Sends `signal` to the process.
  func send(signal number: Int32) {
    rawKill(process.processIdentifier, number)
  }

  /// Waits for the process to end, killing it after `timeout` seconds.
  func finish(timeout: TimeInterval = 120) -> ProcessResult {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning {
      Issue.record("the process did not finish within \(timeout) s; killing it")
      kill()
    }
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, output: output, error: error)
  }

  /// Runs `executable` to completion.
  static func run(_ executable: String, _ arguments: [String], input: String = "") throws
    -> ProcessResult
  {
    try Subprocess(executable, arguments, input: input).finish()
  }
}

/// The `secure-api` executable: `SECURE_API_BINARY`, else the one next to the test bundle.
enum Tool {
  static let path: String? = {
    if let override = ProcessInfo.processInfo.environment["SECURE_API_BINARY"] { return override }
    var directories = [
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
      Bundle.main.bundleURL,
    ]
    directories += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map {
      $0.bundleURL.deletingLastPathComponent()
    }
    return directories.map { $0.appendingPathComponent("secure-api").path }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }()

  /// The path, or a test failure when it was not built.
  static func require() throws -> String {
    try #require(path, "secure-api was not built next to the tests")
  }
}

/// The Python reference with Flask, or why the interop tests cannot use it.
enum PythonHTTP {
  /// The reference script.
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("SecureAPITests/Python/secure_api_v1.py")
    .path

  /// Whether `python3` can import both `cryptography` and `flask`.
  static let isAvailable: Bool = {
    guard PythonReference.isAvailable else { return false }
    let probe = try? PythonReference.run(
      arguments: ["-c", "import flask, cryptography"], input: Data())
    return probe?.status == 0
  }()

  /// The interpreter's path, found through `env` on `PATH`.
  static let interpreter: String = {
    let candidate = PythonReference.interpreter
    if candidate.hasPrefix("/") { return candidate }
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
      let path = "\(directory)/\(candidate)"
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return "/usr/bin/python3"
  }()

  /// Runs the reference script with `arguments`.
  static func run(_ arguments: [String]) throws -> ProcessResult {
    try Subprocess.run(interpreter, [script] + arguments)
  }

  /// Whether the interop tests run: when Python is available, or when it is required (they
  /// then fail on ``requireAvailable()``); otherwise they are skipped.
  static let shouldRun = isAvailable || PythonReference.isRequired

  /// Fails the test when Python is required but missing.
  static func requireAvailable() throws {
    try #require(
      isAvailable,
      "SECURE_API_REQUIRE_PYTHON=1 but python3 cannot import cryptography and flask")
  }
}

/// The C `send`, which ``RawConnection/send(_:)`` hides inside the class.
private func rawSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int, _ flags: Int32)
  -> Int
{
  send(descriptor, bytes, count, flags)
}

/// The C `kill`, which ``Subprocess/kill()`` hides inside the class.
private func rawKill(_ process: Int32, _ signal: Int32) {
  _ = kill(process, signal)
}

/// The C `close`, which ``RawConnection/close()`` hides inside the class.
private func rawClose(_ descriptor: Int32) {
  _ = close(descriptor)
}
