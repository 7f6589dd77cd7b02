// PythonReference.swift: runs a Python reference script from the tests, with a clear rule for
// when Python is missing.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Access to `python3` with pyca `cryptography`, for differential tests.
///
/// When Python or `cryptography` is missing the differential tests are skipped, unless the
/// environment variable `SECURE_API_REQUIRE_PYTHON=1` is set (as `.ci/run` does), in which case
/// ``requirementProblem`` is non-nil and a test fails on it.
public enum PythonReference {
  /// The interpreter, from `SECURE_API_PYTHON` or `python3` on the `PATH`.
  public static let interpreter: String =
    ProcessInfo.processInfo.environment["SECURE_API_PYTHON"] ?? "python3"

  /// Whether `python3` runs and can import `cryptography`.
  public static let isAvailable: Bool = {
    (try? run(arguments: ["-c", "import cryptography"], input: Data()))?.status == 0
  }()

  /// Whether the environment demands the Python tests.
  public static var isRequired: Bool {
    ProcessInfo.processInfo.environment["SECURE_API_REQUIRE_PYTHON"] == "1"
  }

  /// A message when Python is required but missing, else `nil`.
  public static var requirementProblem: String? {
    guard isRequired, !isAvailable else { return nil }
    return "SECURE_API_REQUIRE_PYTHON=1 but '\(interpreter)' cannot import cryptography"
  }

  /// The result of running the interpreter.
  public struct Output: Sendable {
    /// The exit status.
    public let status: Int32
    /// Everything written to standard output.
    public let standardOutput: Data
    /// Everything written to standard error, as text.
    public let standardError: String
  }

  /// Runs the interpreter with `arguments`, feeding `input` on standard input.
  public static func run(arguments: [String], input: Data) throws -> Output {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [interpreter] + arguments
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // Feed standard input and drain standard error on other threads while this one reads
    // standard output, so large batches cannot deadlock on full pipes.
    let group = DispatchGroup()
    let errorBox = DataBox()
    DispatchQueue.global().async(group: group) {
      stdin.fileHandleForWriting.write(input)
      try? stdin.fileHandleForWriting.close()
    }
    DispatchQueue.global().async(group: group) {
      errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile()
    }
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    group.wait()
    return Output(
      status: process.terminationStatus, standardOutput: output,
      standardError: String(decoding: errorBox.data, as: UTF8.self))
  }

  /// The path of a script that sits beside the calling test file.
  public static func script(_ name: String, besides filePath: String = #filePath) -> String {
    URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent(name).path
  }
}

/// A data slot written by a reader thread and read after it finished.
private final class DataBox: @unchecked Sendable {
  private let lock = NSLock()
  private var stored = Data()

  var data: Data {
    get { lock.withLock { stored } }
    set { lock.withLock { stored = newValue } }
  }
}
