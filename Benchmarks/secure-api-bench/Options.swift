// Options.swift: the command line of `secure-api-bench`.
// SPDX-License-Identifier: Apache-2.0

/// What the user asked for on the command line.
struct Options {
  /// Where to write every figure as JSON (`--json PATH`).
  var jsonPath: String?
  /// Where to draw throughput against size (`--plot PATH.png`).
  var plotPath: String?
  /// A few iterations of everything, for CI (`--quick`).
  var quick = false
  /// Print the usage and stop (`--help`).
  var help = false

  /// The usage text printed by `--help` and after a usage error.
  static let usage = """
    usage: swift run -c release secure-api-bench [--quick] [--json PATH] [--plot PATH.png]

    Measures the pure-Swift crypto core and the Secure API (16 Fernet layers) and, in the same
    run, Python's `cryptography` twice: as installed (AES-NI, SHA-NI) and with
    OPENSSL_ia32cap="~0x200000000000000:~0x20000000" (OpenSSL's constant-time software AES,
    no SHA-NI). Rounds alternate ours and theirs; each cell is the median of several timed
    samples taken after warm-up. Ratios are Python's time over ours: above 1 we are faster.

    options:
      --quick          a few short samples of every row (for CI; no thresholds)
      --json PATH      write every figure as a list of rows {"operation", "size",
                       "ours_seconds", "python_seconds", "python_software_seconds"}
                       (median seconds per call)
      --plot PATH.png  draw throughput against size with matplotlib (not installed by this
                       tool: pip install matplotlib)
      --help           show this text

    environment:
      PYTHON           the Python interpreter to run (default: python3 on the PATH)

    It refuses to report from a debug build: build with `swift run -c release secure-api-bench`.
    """

  /// A command line that could not be understood.
  struct UsageError: Error {
    /// What was wrong.
    let message: String
  }

  /// Parses the arguments that follow the program name.
  ///
  /// - Throws: ``UsageError`` for an unknown option or a missing value.
  static func parse(_ arguments: [String]) throws(UsageError) -> Options {
    var options = Options()
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
      switch argument {
      case "--quick":
        options.quick = true
      case "--help", "-h":
        options.help = true
      case "--json", "--plot":
        guard let value = remaining.popFirst(), !value.hasPrefix("--") else {
          throw UsageError(message: "\(argument) needs a path")
        }
        if argument == "--json" { options.jsonPath = value } else { options.plotPath = value }
      default:
        throw UsageError(message: "unknown argument '\(argument)'")
      }
    }
    return options
  }
}
