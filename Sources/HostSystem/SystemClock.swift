// SystemClock.swift: the operating system's wall clock, for the executables and host services.
// The crypto core never reads a clock; this thin layer does, so the core stays deterministic.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The system's real-time clock (`CLOCK_REALTIME`).
public enum SystemClock {
  /// The current time as whole seconds and nanoseconds since the Unix epoch.
  public static func now() -> (seconds: UInt64, nanoseconds: UInt32) {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return (UInt64(max(0, time.tv_sec)), UInt32(max(0, time.tv_nsec)))
  }

  /// The current time in whole seconds since the Unix epoch.
  public static func unixSeconds() -> UInt64 {
    now().seconds
  }
}
