// PeakMemory.swift: the peak resident memory of sealing and opening one message, measured in
// a child process so that nothing else the benchmark did is counted.
// SPDX-License-Identifier: Apache-2.0

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Peak memory of one seal or one open of a 1000-character message.
///
/// The benchmark runs itself as a child with the hidden subcommand ``subcommand``. The child
/// sets up its key ring, seals and opens a short message once (so that code pages and the
/// allocator's first pages are in place), seals the token to open when it measures opening,
/// returns freed heap
/// to the system (`malloc_trim`), resets the kernel's high-water mark (writing `5` to
/// `/proc/self/clear_refs`), reads `VmHWM` from `/proc/self/status` as the baseline, does the
/// one operation, and reads `VmHWM` again. Peak minus baseline is the memory the operation
/// needed on top of what it was given; the target is at most three times the token.
enum PeakMemory {
  /// The hidden subcommand that makes the benchmark act as the child.
  static let subcommand = "__peak-memory"

  /// The message length measured.
  static let messageLength = 1000

  /// What one child measured.
  struct Measurement {
    /// The operation: `seal` or `open`.
    let operation: String
    /// `VmHWM` before the operation, in bytes.
    let baselineBytes: Int
    /// `VmHWM` after the operation, in bytes.
    let peakBytes: Int
    /// The outer token's length in bytes.
    let tokenBytes: Int
    /// Whether the high-water mark could be reset (otherwise the baseline is the peak of
    /// the set-up, and the figure is a lower bound).
    let wasReset: Bool

    /// The memory the operation needed: peak minus baseline.
    var extraBytes: Int { peakBytes - baselineBytes }
  }

  /// The child's side: measures `operation` (`seal` or `open`) and prints one line,
  /// `<baseline> <peak> <token bytes> <reset 0/1>`. Returns the exit status.
  static func runChild(operation: String) -> Int32 {
    guard operation == "seal" || operation == "open" else { return 2 }
    let ours = OurSide()
    // Warm-up: a short message sealed and opened faults in the code and the allocator's first
    // pages, which would otherwise be counted against the measured operation.
    _ = ours.openOnce(ours.sealOnce(messageLength: 0))
    var token: [UInt8] = []
    if operation == "open" {
      token = ours.sealOnce(messageLength: messageLength)
    }
    returnFreedMemory()
    let wasReset = resetHighWaterMark()
    let baseline = highWaterMark()
    if operation == "seal" {
      token = ours.sealOnce(messageLength: messageLength)
    } else {
      _ = ours.openOnce(token)
    }
    let peak = highWaterMark()
    print("\(baseline) \(peak) \(token.count) \(wasReset ? 1 : 0)")
    return 0
  }

  /// The parent's side: runs the child for `operation` and reads its line.
  static func measure(operation: String) throws(PythonReference.Failure) -> Measurement {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
    process.arguments = [subcommand, operation]
    let pipe = Pipe()
    process.standardOutput = pipe
    do {
      try process.run()
    } catch {
      throw .init(description: "cannot start the peak memory child: \(error)")
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let fields = String(decoding: data, as: UTF8.self).split(separator: " ").compactMap {
      Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    guard process.terminationStatus == 0, fields.count >= 4 else {
      throw .init(description: "the peak memory child failed for \(operation)")
    }
    return Measurement(
      operation: operation, baselineBytes: fields[0], peakBytes: fields[1],
      tokenBytes: fields[2], wasReset: fields[3] == 1)
  }

  /// Calls glibc's `malloc_trim(0)`, which gives freed heap pages back to the system, so
  /// that memory freed during the set-up is not counted in the baseline. It is looked up at
  /// run time because the `Glibc` module does not export `<malloc.h>`.
  static func returnFreedMemory() {
    typealias Trim = @convention(c) (Int) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
  }

  /// `VmHWM` (the peak resident set size) of this process, in bytes.
  static func highWaterMark() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
      return 0
    }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kibibytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
      return kibibytes * 1024
    }
    return 0
  }

  /// Resets `VmHWM` to the current resident size; false when the kernel refuses.
  static func resetHighWaterMark() -> Bool {
    let descriptor = Glibc.open("/proc/self/clear_refs", O_WRONLY)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    return write(descriptor, "5", 1) == 1
  }
}
