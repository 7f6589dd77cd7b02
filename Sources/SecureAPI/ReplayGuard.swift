// ReplayGuard.swift: the deployed server's replay rules, in exact integer time.
// Reference: wire format v1 §6.
// SPDX-License-Identifier: Apache-2.0

/// What the replay rules say about a request.
public enum ReplayVerdict: Equatable, Sendable {
  /// Within the window (and, for a store, newer than the last one accepted).
  case accepted
  /// A store whose time is not after the last accepted store's: a replay or a reordering.
  case replayed
  /// More than the window older than the receiver's clock.
  case stale
  /// More than the window newer than the receiver's clock.
  case fromTheFuture
}

/// The deployed server's two rules: a request more than 5 seconds away from the server's clock
/// is refused, and a store must carry a time strictly after the last accepted store's.
///
/// Times are exact ``Timestamp`` values, so no `nan` or rounding can weaken the comparison.
public struct ReplayGuard: Equatable, Sendable {
  /// How far a request's time may be from the receiver's clock: 5 seconds.
  public static let window: UInt64 = 5 * Timestamp.ticksPerSecond

  /// The time of the last accepted store, if any.
  public private(set) var lastAccepted: Timestamp?

  /// A guard that has accepted nothing yet, or resumes after `lastAccepted`.
  public init(lastAccepted: Timestamp? = nil) {
    self.lastAccepted = lastAccepted
  }

  /// Checks only the window (the rule for reads).
  public func check(_ sent: Timestamp, now: Timestamp) -> ReplayVerdict {
    guard sent.distance(to: now) <= Self.window else {
      return sent < now ? .stale : .fromTheFuture
    }
    return .accepted
  }

  /// Checks the ordering rule and the window (the rule for stores), and on acceptance records
  /// `sent` as the last accepted time.
  public mutating func admit(_ sent: Timestamp, now: Timestamp) -> ReplayVerdict {
    if let last = lastAccepted, sent <= last { return .replayed }
    let verdict = check(sent, now: now)
    if verdict == .accepted { lastAccepted = sent }
    return verdict
  }
}
