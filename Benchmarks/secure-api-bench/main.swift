// main.swift: the entry point of `secure-api-bench`, which times the crypto core and the
// Secure API against Python's `cryptography` in the same run (issue 4).
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The Python half of the benchmark, next to this file.
let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("python/bench_reference.py").path

/// Writes `message` to standard error.
func printError(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Runs the Python script once with `arguments` (for the plot) and returns its exit status.
func runScript(_ arguments: [String]) -> Int32 {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments =
    [ProcessInfo.processInfo.environment["PYTHON"] ?? "python3", scriptPath]
    + arguments
  do {
    try process.run()
  } catch {
    printError("secure-api-bench: cannot run Python: \(error)")
    return 1
  }
  process.waitUntilExit()
  return process.terminationStatus
}

/// Measures every row, alternating ours and Python's within each round, and the peak memory;
/// prints the table as it goes.
func measureAll(plan: SamplingPlan) throws(PythonReference.Failure) -> (
  [RowResult], [PeakMemory.Measurement]
) {
  let ours = OurSide()
  let python = try PythonReference(script: scriptPath, softwareOnly: false)
  let pythonSoftware = try PythonReference(script: scriptPath, softwareOnly: true)
  defer {
    python.finish()
    pythonSoftware.finish()
  }
  print(
    "secure-api-bench: \(plan.rounds) rounds per cell, samples of at least "
      + "\(Report.duration(plan.minimumSampleSeconds)); \(ours.layerCount) layers; "
      + "python-sw has OPENSSL_ia32cap=\"\(PythonReference.softwareCapabilities)\"")
  var report = Report()
  var results: [RowResult] = []
  for row in Row.all {
    let sampler = Sampler(ours.workload(for: row))
    var oursSeconds: [Double] = []
    var pythonSeconds: [Double] = []
    var softwareSeconds: [Double] = []
    var pythonTokenBytes: Double?
    for _ in 0..<plan.rounds {
      oursSeconds.append(sampler.sample(plan))
      let sample = try python.sample(row, plan: plan)
      pythonSeconds.append(sample.seconds)
      pythonTokenBytes = sample.meanTokenBytes
      softwareSeconds.append(try pythonSoftware.sample(row, plan: plan).seconds)
    }
    let isSecureAPI = row.operation.family == .secureAPI
    let result = RowResult(
      row: row, ours: median(oursSeconds), python: median(pythonSeconds),
      pythonSoftware: median(softwareSeconds),
      oursMeanTokenBytes: isSecureAPI ? sampler.meanResult : nil,
      pythonMeanTokenBytes: isSecureAPI ? pythonTokenBytes : nil)
    report.print(result)
    results.append(result)
  }
  let memory = [
    try PeakMemory.measure(operation: "seal"), try PeakMemory.measure(operation: "open"),
  ]
  Report.print(memory: memory)
  return (results, memory)
}

/// Whether this is a debug build (assertions on, optimizer off), whose timings mean nothing.
/// Kept out of line: inlined, the constant would make the compiler warn that the refusal
/// below is unreachable in release builds.
@inline(never)
func isUnoptimizedBuild() -> Bool {
  _isDebugAssertConfiguration()
}

/// Parses the command line, runs the benchmark and returns the exit status.
func main() -> Int32 {
  let arguments = Array(CommandLine.arguments.dropFirst())
  if arguments.first == PeakMemory.subcommand {
    return PeakMemory.runChild(operation: arguments.dropFirst().first ?? "")
  }
  let options: Options
  do {
    options = try Options.parse(arguments)
  } catch {
    printError("secure-api-bench: \(error.message)\n\n\(Options.usage)")
    return 2
  }
  if options.help {
    print(Options.usage)
    return 0
  }
  if isUnoptimizedBuild() {
    printError(
      """
      secure-api-bench: refusing to report: this is a debug (unoptimised) build, whose timings
      are many times slower than the library's and would mislead. Run:
        swift run -c release secure-api-bench
      """)
    return 2
  }
  if let plotPath = options.plotPath, runScript(["plot", "--check", "--output", plotPath]) != 0 {
    return 1
  }
  let results: [RowResult]
  let memory: [PeakMemory.Measurement]
  do {
    (results, memory) = try measureAll(plan: options.quick ? .quick : .full)
  } catch {
    printError("secure-api-bench: \(error)")
    return 1
  }
  let json = Report.json(results, memory: memory)
  if let jsonPath = options.jsonPath {
    do {
      try json.write(toFile: jsonPath, atomically: true, encoding: .utf8)
    } catch {
      printError("secure-api-bench: cannot write \(jsonPath): \(error)")
      return 1
    }
    print("\nwrote \(jsonPath)")
  }
  if let plotPath = options.plotPath {
    let rowsPath = options.jsonPath ?? NSTemporaryDirectory() + "secure-api-bench-rows.json"
    if options.jsonPath == nil {
      try? json.write(toFile: rowsPath, atomically: true, encoding: .utf8)
    }
    guard runScript(["plot", "--input", rowsPath, "--output", plotPath]) == 0 else { return 1 }
    print("wrote \(plotPath)")
  }
  return 0
}

exit(main())
