// Report.swift: the printed table, the JSON rows and the plot.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Prints rows as they are measured, one section per family, and writes the JSON rows.
///
/// Columns: `ours`, `python` and `python-sw` are medians (per call and/or MB/s, where
/// 1 MB = 10^6 bytes of input); `py/ours` and `py-sw/ours` are Python's time over ours, so a
/// ratio above 1 means we are faster.
struct Report {
  private var currentFamily: Operation.Family?

  /// The column headings of a family.
  private static func heading(_ family: Operation.Family) -> String {
    let title: String
    switch family {
    case .primitive: title = "Primitives (throughput, MB/s)"
    case .fernet: title = "Fernet (time per call, throughput)"
    case .secureAPI: title = "Secure API, 16 layers (time per call, mean over random masks)"
    }
    var columns = pad("operation", 27) + pad("size", 11)
    let width = cellWidth(family)
    columns += pad("ours", width, right: true) + pad("python", width, right: true)
    columns += pad("python-sw", width, right: true)
    columns += pad("py/ours", 9, right: true) + pad("py-sw/ours", 11, right: true)
    if family == .secureAPI { columns += pad("token (mean)", 14, right: true) }
    return "\n\(title)\n\(columns)"
  }

  /// Prints `result`, preceded by its section heading when it opens a new family.
  mutating func print(_ result: RowResult) {
    let family = result.row.operation.family
    if family != currentFamily {
      Swift.print(Self.heading(family))
      currentFamily = family
    }
    var line = Self.pad(result.row.operation.rawValue, 27) + Self.pad(result.row.sizeLabel, 11)
    for seconds in [result.ours, result.python, result.pythonSoftware] {
      line += Self.pad(Self.cell(seconds, row: result.row), Self.cellWidth(family), right: true)
    }
    line += Self.pad(Self.ratio(result.python / result.ours), 9, right: true)
    line += Self.pad(Self.ratio(result.pythonSoftware / result.ours), 11, right: true)
    if let tokenBytes = result.oursMeanTokenBytes {
      line += Self.pad(String(format: "%.1f KB", tokenBytes / 1000), 14, right: true)
    }
    Swift.print(line)
  }

  /// Prints the peak memory section.
  static func print(memory: [PeakMemory.Measurement]) {
    Swift.print("\nPeak memory, 1000-character message (child's VmHWM peak minus baseline)")
    Swift.print(
      pad("operation", 27) + pad("extra peak", 14, right: true) + pad("token", 14, right: true)
        + pad("peak/token", 12, right: true) + "  target")
    for measurement in memory {
      let ratio = Double(measurement.extraBytes) / Double(measurement.tokenBytes)
      var line = pad(measurement.operation, 27)
      line += pad(String(format: "%.1f KB", Double(measurement.extraBytes) / 1000), 14, right: true)
      line += pad(String(format: "%.1f KB", Double(measurement.tokenBytes) / 1000), 14, right: true)
      line += pad(String(format: "%.2fx", ratio), 12, right: true)
      line +=
        measurement.operation == "seal" ? (ratio <= 3 ? "  <= 3x: met" : "  <= 3x: missed") : ""
      if !measurement.wasReset { line += "  (VmHWM not reset: lower bound)" }
      Swift.print(line)
    }
  }

  /// The JSON document: a list of rows with median seconds per call.
  ///
  /// Seal and open rows also carry `ours_mean_token_bytes` and `python_mean_token_bytes`;
  /// peak memory rows (`seal-peak-memory`, `open-peak-memory`) carry `peak_bytes` and
  /// `token_bytes` and no times (null).
  static func json(_ results: [RowResult], memory: [PeakMemory.Measurement]) -> String {
    var rows: [String] = results.map { result in
      var fields = [
        "\"operation\": \"\(result.row.operation.rawValue)\"", "\"size\": \(result.row.size)",
        "\"ours_seconds\": \(result.ours)", "\"python_seconds\": \(result.python)",
        "\"python_software_seconds\": \(result.pythonSoftware)",
      ]
      if let ours = result.oursMeanTokenBytes, let python = result.pythonMeanTokenBytes {
        fields.append("\"ours_mean_token_bytes\": \(ours)")
        fields.append("\"python_mean_token_bytes\": \(python)")
      }
      return "  {" + fields.joined(separator: ", ") + "}"
    }
    for measurement in memory {
      rows.append(
        "  {\"operation\": \"\(measurement.operation)-peak-memory\", "
          + "\"size\": \(PeakMemory.messageLength), \"ours_seconds\": null, "
          + "\"python_seconds\": null, \"python_software_seconds\": null, "
          + "\"peak_bytes\": \(measurement.extraBytes), \"token_bytes\": \(measurement.tokenBytes)}"
      )
    }
    return "[\n" + rows.joined(separator: ",\n") + "\n]\n"
  }

  /// The width of a time cell.
  private static func cellWidth(_ family: Operation.Family) -> Int {
    family == .fernet ? 26 : 14
  }

  /// A cell: MB/s for primitives; time per call and MB/s for Fernet; time per call for the
  /// Secure API.
  private static func cell(_ seconds: Double, row: Row) -> String {
    let megabytesPerSecond = Double(row.size) / seconds / 1e6
    switch row.operation.family {
    case .primitive: return String(format: "%.1f MB/s", megabytesPerSecond)
    case .fernet:
      return duration(seconds) + String(format: " %7.2f MB/s", megabytesPerSecond)
    case .secureAPI: return duration(seconds)
    }
  }

  /// A time per call with a unit that keeps three or four significant digits.
  static func duration(_ seconds: Double) -> String {
    if seconds < 1e-6 { return String(format: "%.1f ns", seconds * 1e9) }
    if seconds < 1e-3 { return String(format: "%.2f µs", seconds * 1e6) }
    if seconds < 1 { return String(format: "%.3f ms", seconds * 1e3) }
    return String(format: "%.3f s", seconds)
  }

  /// A ratio such as `1.23x`.
  private static func ratio(_ value: Double) -> String {
    String(format: "%.2fx", value)
  }

  /// `text` padded with spaces to `width` characters (on the left when `right`).
  private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let spaces = String(repeating: " ", count: max(0, width - text.count))
    return right ? spaces + text : text + spaces
  }
}
