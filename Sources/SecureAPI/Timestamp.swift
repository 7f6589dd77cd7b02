// Timestamp.swift: the protocol's time field as an exact fixed-point number.
// Reference: wire format v1 §3 (`format(time.time(), '.4f')` left-padded with '0' to 20).
// SPDX-License-Identifier: Apache-2.0

/// A point in time in ten-thousandths of a second since the Unix epoch.
///
/// The deployed system writes `time.time()` with four decimals; this type holds exactly that
/// value as an integer, so parsing and comparing never go through floating point (a `Double`
/// would admit `nan`, which switches off the deployed server's replay checks).
public struct Timestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
  /// Ten-thousandths of a second since 1970-01-01 00:00:00 UTC.
  public var ticks: UInt64

  /// Ticks per second.
  public static let ticksPerSecond: UInt64 = 10_000

  /// The length of the wire form.
  public static let fieldLength = 20

  /// The largest value the 20-character field can hold: 999999999999999.9999.
  public static let maximum = Timestamp(ticks: 9_999_999_999_999_999_999)

  /// Wraps a tick count.
  public init(ticks: UInt64) {
    self.ticks = ticks
  }

  /// A time from whole seconds and nanoseconds, rounded to the nearest 1/10000 s as Python's
  /// `'.4f'` does.
  public init(seconds: UInt64, nanoseconds: UInt32 = 0) {
    ticks = seconds &* Self.ticksPerSecond &+ (UInt64(nanoseconds) + 50_000) / 100_000
  }

  /// Whole seconds since the epoch.
  public var unixSeconds: UInt64 { ticks / Self.ticksPerSecond }

  /// Parses the 20-character wire form strictly: exactly 15 digits, a dot, 4 digits.
  ///
  /// - Throws: ``ProtocolError/malformedFrame(_:)`` with ``FrameProblem/invalidTime``.
  public init(field: Span<UInt8>) throws(ProtocolError) {
    guard field.count == Self.fieldLength, field[15] == UInt8(ascii: ".") else {
      throw .malformedFrame(.invalidTime)
    }
    var value: UInt64 = 0
    for index in 0..<Self.fieldLength where index != 15 {
      let digit = field[index] &- UInt8(ascii: "0")
      guard digit < 10 else { throw .malformedFrame(.invalidTime) }
      value = value * 10 + UInt64(digit)
    }
    ticks = value
  }

  /// The 20-character wire form, such as `000001796412688.6698`.
  ///
  /// Values above ``maximum`` are clamped to it, as the field cannot hold more.
  public var field: [UInt8] {
    var remaining = min(ticks, Self.maximum.ticks)
    var digits = [UInt8](repeating: UInt8(ascii: "0"), count: Self.fieldLength)
    digits[15] = UInt8(ascii: ".")
    var index = Self.fieldLength - 1
    while index >= 0 {
      if index != 15 {
        digits[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
        remaining /= 10
      }
      index -= 1
    }
    return digits
  }

  /// The wire form as text.
  public var description: String { String(decoding: field, as: UTF8.self) }

  /// Orders by time.
  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.ticks < rhs.ticks }

  /// The absolute distance between two times, in ticks.
  public func distance(to other: Timestamp) -> UInt64 {
    ticks > other.ticks ? ticks - other.ticks : other.ticks - ticks
  }
}

/// A source of the current time. The protocol module never reads a clock itself; the host
/// layer provides the system clock and tests provide fixed clocks.
public protocol WallClock {
  /// The current time.
  func now() -> Timestamp
}
