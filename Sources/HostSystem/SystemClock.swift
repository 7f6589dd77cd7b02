// SystemClock.swift: the operating system's wall clock, for the executables and host services.
// The crypto core and the protocol module never read a clock; this thin layer does, so they
// stay deterministic under test.
// SPDX-License-Identifier: Apache-2.0

import SecureAPI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The system's real-time clock (`CLOCK_REALTIME`).
public struct SystemClock: WallClock, Sendable {
  /// The system clock.
  public init() {}

  /// The current time, to 1/10000 s.
  public func now() -> Timestamp {
    let (seconds, nanoseconds) = Self.read()
    return Timestamp(seconds: seconds, nanoseconds: nanoseconds)
  }

  /// The current time in whole seconds since the Unix epoch.
  public static func unixSeconds() -> UInt64 {
    read().seconds
  }

  private static func read() -> (seconds: UInt64, nanoseconds: UInt32) {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return (UInt64(max(0, time.tv_sec)), UInt32(max(0, time.tv_nsec)))
  }
}
