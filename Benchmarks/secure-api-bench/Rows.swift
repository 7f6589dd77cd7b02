// Rows.swift: the operations and sizes the benchmark measures (fixed by issue 4).
// SPDX-License-Identifier: Apache-2.0

/// One measured operation; the raw value is its name in the JSON output and in the protocol
/// spoken with `python/bench_reference.py`.
enum Operation: String, CaseIterable {
  case sha224 = "sha224"
  case sha256 = "sha256"
  case hmacSHA256 = "hmac-sha256"
  case aesEncrypt = "aes-128-cbc-encrypt"
  case aesEncryptNoPadding = "aes-128-cbc-encrypt-nopad"
  case aesDecrypt = "aes-128-cbc-decrypt"
  case aesDecryptNoPadding = "aes-128-cbc-decrypt-nopad"
  case fernetEncrypt = "fernet-encrypt"
  case fernetDecrypt = "fernet-decrypt"
  case seal = "seal"
  case open = "open"

  /// How a row of this operation is shown.
  enum Family {
    /// Throughput in MB/s.
    case primitive
    /// Time per call and throughput.
    case fernet
    /// Time per call and mean token size; the size is a message length in characters.
    case secureAPI
  }

  /// How a row of this operation is shown.
  var family: Family {
    switch self {
    case .sha224, .sha256, .hmacSHA256, .aesEncrypt, .aesEncryptNoPadding, .aesDecrypt,
      .aesDecryptNoPadding:
      return .primitive
    case .fernetEncrypt, .fernetDecrypt:
      return .fernet
    case .seal, .open:
      return .secureAPI
    }
  }

  /// The sizes measured: bytes of input, or characters of message for the Secure API.
  var sizes: [Int] {
    switch family {
    case .primitive: return [16 * 1024, 1024 * 1024]
    case .fernet: return [16, 100, 1024, 16 * 1024, 1024 * 1024]
    case .secureAPI: return [0, 16, 1000]
    }
  }
}

/// One line of the table: an operation at one size.
struct Row {
  /// What is measured.
  let operation: Operation
  /// The input size in bytes (message characters for seal and open).
  let size: Int

  /// Every row, in the order they are measured and printed.
  static let all: [Row] = Operation.allCases.flatMap { operation in
    operation.sizes.map { Row(operation: operation, size: $0) }
  }

  /// The size for people: `16 B`, `1 KiB`, `1 MiB`, or `16 chars`.
  var sizeLabel: String {
    if operation.family == .secureAPI { return "\(size) chars" }
    if size >= 1024 * 1024 && size % (1024 * 1024) == 0 { return "\(size / (1024 * 1024)) MiB" }
    if size >= 1024 && size % 1024 == 0 { return "\(size / 1024) KiB" }
    return "\(size) B"
  }
}

/// The medians of one row.
struct RowResult {
  /// The row measured.
  let row: Row
  /// Our median seconds per call.
  let ours: Double
  /// Python's median seconds per call, as installed (hardware AES and SHA).
  let python: Double
  /// Python's median seconds per call with OpenSSL's software AES and no SHA-NI.
  let pythonSoftware: Double
  /// The mean outer token size of our calls (seal and open only).
  let oursMeanTokenBytes: Double?
  /// The mean outer token size of Python's calls (seal and open only).
  let pythonMeanTokenBytes: Double?
}
