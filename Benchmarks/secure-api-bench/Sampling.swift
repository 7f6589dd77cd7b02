// Sampling.swift: warm-up, calibration and timed samples on `ContinuousClock` (DESIGN §10).
// SPDX-License-Identifier: Apache-2.0

/// How long each timed sample lasts and how many rounds make a cell.
struct SamplingPlan {
  /// A sample's iteration count grows until one sample lasts at least this long.
  let minimumSampleSeconds: Double
  /// The number of samples per cell (on each side); the cell is their median.
  let rounds: Int

  /// The full run.
  static let full = SamplingPlan(minimumSampleSeconds: 0.1, rounds: 7)
  /// `--quick`: enough to prove every row still runs.
  static let quick = SamplingPlan(minimumSampleSeconds: 0.002, rounds: 3)
}

/// Times one of our workloads.
///
/// The workload runs a given number of calls and returns a number derived from their outputs
/// (a digest byte, a token length), which is accumulated so that the optimizer cannot drop the
/// work. For seal and open the number is the total token length, which gives the mean token
/// size.
final class Sampler {
  private let workload: (Int) -> Int
  private var iterations = 0
  private var resultSum = 0
  private var callCount = 0

  /// Wraps a workload: `workload(n)` makes `n` calls.
  init(_ workload: @escaping (Int) -> Int) {
    self.workload = workload
  }

  /// The mean of the workload's per-call results over every timed call.
  var meanResult: Double {
    callCount == 0 ? 0 : Double(resultSum) / Double(callCount)
  }

  /// One timed sample: seconds per call. The first call warms up and calibrates: it runs the
  /// workload once, then doubles the iteration count (or scales it by the shortfall) until one
  /// sample lasts `minimumSampleSeconds`; later samples reuse that count.
  func sample(_ plan: SamplingPlan) -> Double {
    if iterations == 0 {
      _ = time(1)
      var count = 1
      while true {
        let elapsed = time(count)
        if elapsed >= plan.minimumSampleSeconds { break }
        let scaled = elapsed > 0 ? Double(count) * plan.minimumSampleSeconds / elapsed * 1.2 : 0
        count = max(2 * count, min(100 * count, Int(scaled)))
      }
      iterations = count
    }
    let elapsed = time(iterations)
    return elapsed / Double(iterations)
  }

  /// Runs `count` calls and returns the elapsed seconds.
  private func time(_ count: Int) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    let result = workload(count)
    let elapsed = clock.now - start
    resultSum &+= result
    callCount += count
    return elapsed.seconds
  }
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double {
    let (seconds, attoseconds) = components
    return Double(seconds) + Double(attoseconds) * 1e-18
  }
}

/// The median of non-empty `values`.
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
