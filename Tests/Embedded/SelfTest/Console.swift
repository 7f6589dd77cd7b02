// Console.swift: text output of the Embedded self-test through the board's `putchar`.
// Test harness only: the board start files (Tests/Embedded/boards) route `putchar` to a UART.
// SPDX-License-Identifier: Apache-2.0

/// The board's character output (a UART), provided by the test harness's C runtime.
@_extern(c, "putchar")
func putchar(_ character: Int32) -> Int32

/// Writes text, numbers and bytes without going through `String`, so the harness itself adds
/// little code and no Unicode handling to the firmware.
enum Console {
  /// Writes a static string.
  static func write(_ text: StaticString) {
    text.withUTF8Buffer { buffer in
      for byte in buffer { _ = putchar(Int32(byte)) }
    }
  }

  /// Writes raw bytes (ASCII text such as a vector's description).
  static func write(bytes: [UInt8]) {
    for byte in bytes { _ = putchar(Int32(byte)) }
  }

  /// Writes a number in decimal.
  static func write(_ value: Int) {
    if value < 0 {
      _ = putchar(Int32(UInt8(ascii: "-")))
      write(UInt64(-value))
    } else {
      write(UInt64(value))
    }
  }

  /// Writes an unsigned number in decimal.
  static func write(_ value: UInt64) {
    var digits: [UInt8] = []
    var rest = value
    repeat {
      digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
      rest /= 10
    } while rest > 0
    for digit in digits.reversed() { _ = putchar(Int32(digit)) }
  }

  /// Ends the line.
  static func newline() {
    _ = putchar(10)
  }
}
