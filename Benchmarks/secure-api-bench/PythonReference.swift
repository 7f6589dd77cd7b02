// PythonReference.swift: drives `python/bench_reference.py`, which times the same rows with
// Python's `cryptography` and the v1 protocol reference.
// SPDX-License-Identifier: Apache-2.0

import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One running copy of the Python script, kept alive for the whole run and driven one request
/// per line, so that each round can time ours, then Python's, then Python's software AES.
///
/// Protocol: the benchmark writes a JSON object per line on the script's standard input,
/// `{"op": "sha256", "size": 16384, "min_seconds": 0.1}`; the script takes one timed sample
/// (warming up and calibrating its iteration count on the first request for that row, exactly
/// as ``Sampler`` does) and answers one line, `{"seconds": <per call>, "iterations": <n>,
/// "mean_token_bytes": <number or null>}`, or `{"error": "<text>"}`. End of input stops it.
final class PythonReference {
  /// What went wrong with the Python side.
  struct Failure: Error, CustomStringConvertible {
    /// The explanation shown to the user.
    let description: String
  }

  /// One timed sample.
  struct Sample {
    /// Seconds per call.
    let seconds: Double
    /// The mean outer token size over the script's calls so far (seal and open only).
    let meanTokenBytes: Double?
  }

  /// The environment that makes OpenSSL forget AES-NI (bit 57 of the first capability word)
  /// and SHA-NI (bit 29 of the third), so it runs its constant-time software AES and its
  /// portable SHA-256.
  static let softwareCapabilities = "~0x200000000000000:~0x20000000"

  private let process: Process
  private let input: FileHandle
  private let output: UnsafeMutablePointer<FILE>
  private let label: String

  /// Starts the script.
  ///
  /// - Parameters:
  ///   - script: The path of `bench_reference.py`.
  ///   - softwareOnly: Whether to set `OPENSSL_ia32cap` to ``softwareCapabilities``.
  /// - Throws: ``Failure`` when the interpreter cannot be started.
  init(script: String, softwareOnly: Bool) throws(Failure) {
    label = softwareOnly ? "Python (software AES)" : "Python"
    var environment = ProcessInfo.processInfo.environment
    if softwareOnly { environment["OPENSSL_ia32cap"] = Self.softwareCapabilities }
    let python = environment["PYTHON"] ?? "python3"
    let toChild = Pipe()
    let fromChild = Pipe()
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [python, script, "serve"]
    process.environment = environment
    process.standardInput = toChild
    process.standardOutput = fromChild
    do {
      try process.run()
    } catch {
      throw Failure(description: "cannot start \(python) \(script): \(error)")
    }
    input = toChild.fileHandleForWriting
    guard let stream = fdopen(dup(fromChild.fileHandleForReading.fileDescriptor), "r") else {
      throw Failure(description: "cannot read the output of \(python)")
    }
    output = stream
  }

  /// Asks the script for one timed sample of `row`.
  ///
  /// - Throws: ``Failure`` when the script reports an error or stops answering.
  func sample(_ row: Row, plan: SamplingPlan) throws(Failure) -> Sample {
    let request =
      "{\"op\": \"\(row.operation.rawValue)\", \"size\": \(row.size), "
      + "\"min_seconds\": \(plan.minimumSampleSeconds)}\n"
    do {
      try input.write(contentsOf: Data(request.utf8))
    } catch {
      throw Failure(description: "\(label) stopped (is `cryptography` installed?): \(error)")
    }
    guard let line = readLine() else {
      throw Failure(description: "\(label) stopped without answering \(request)")
    }
    let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    guard let object else { throw Failure(description: "\(label) answered '\(line)'") }
    if let error = object["error"] as? String {
      throw Failure(description: "\(label) failed on \(row.operation.rawValue): \(error)")
    }
    guard let seconds = (object["seconds"] as? NSNumber)?.doubleValue else {
      throw Failure(description: "\(label) answered '\(line)'")
    }
    return Sample(
      seconds: seconds, meanTokenBytes: (object["mean_token_bytes"] as? NSNumber)?.doubleValue)
  }

  /// Closes the script's input, which ends it, and waits for it.
  func finish() {
    try? input.close()
    process.waitUntilExit()
    fclose(output)
  }

  /// One line of the script's output without its newline, or nil at end of file.
  private func readLine() -> String? {
    var buffer: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    defer { free(buffer) }
    let length = getline(&buffer, &capacity, output)
    guard length > 0, let buffer = buffer else { return nil }
    return String(cString: buffer).trimmingCharacters(in: .newlines)
  }
}
