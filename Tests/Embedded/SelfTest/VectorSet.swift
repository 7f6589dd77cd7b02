// VectorSet.swift: the cases of one published vector file as compiled into the firmware, and
// the parser that reads them back on the device.
// The lines are made at build time by Tests/Embedded/generate_vectors.py: one case per line,
// fields separated by one space, each field lowercase hex bytes, `-` for no bytes, or a decimal
// number.
// SPDX-License-Identifier: Apache-2.0

/// The cases of one vector file.
struct VectorSet {
  /// The file's stem, such as `sha256-cavp-shortmsg`, which is also the host test's name.
  let name: StaticString
  /// The number of cases the file declares (checked by the generator against the raw text and
  /// `Vectors/README.md`).
  let count: Int
  /// The cases, one per line.
  let records: StaticString

  /// Calls `body` with each case in order and returns how many there were.
  func forEach(_ body: (Record) -> Void) -> Int {
    var parsed = 0
    records.withUTF8Buffer { buffer in
      var fields: [[UInt8]] = []
      var field: [UInt8] = []
      for index in 0...buffer.count {
        let byte = index < buffer.count ? buffer[index] : UInt8(ascii: "\n")
        switch byte {
        case UInt8(ascii: " "):
          fields.append(field)
          field = []
        case UInt8(ascii: "\n"):
          fields.append(field)
          field = []
          body(Record(fields: fields))
          parsed += 1
          fields = []
        default:
          field.append(byte)
        }
      }
    }
    return parsed
  }
}

/// One case: its fields as written.
struct Record {
  /// The raw ASCII of each field.
  let fields: [[UInt8]]

  /// Field `index` decoded from hex (`-` is no bytes); a malformed field gives `nil` bytes and
  /// fails the case.
  func bytes(_ index: Int) -> [UInt8]? {
    guard index < fields.count else { return nil }
    let text = fields[index]
    if text == [UInt8(ascii: "-")] { return [] }
    guard text.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.count / 2)
    var position = 0
    while position < text.count {
      guard let high = Self.nibble(text[position]), let low = Self.nibble(text[position + 1])
      else { return nil }
      bytes.append(high << 4 | low)
      position += 2
    }
    return bytes
  }

  /// Field `index` as a decimal number.
  func number(_ index: Int) -> UInt64? {
    guard index < fields.count, !fields[index].isEmpty else { return nil }
    var value: UInt64 = 0
    for character in fields[index] {
      let digit = character &- UInt8(ascii: "0")
      guard digit < 10 else { return nil }
      value = value * 10 + UInt64(digit)
    }
    return value
  }

  /// Field `index` as raw ASCII (the direction letter).
  func text(_ index: Int) -> [UInt8] {
    index < fields.count ? fields[index] : []
  }

  /// The value of one lowercase hex digit (the generator writes no other form).
  private static func nibble(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    default: nil
    }
  }
}
