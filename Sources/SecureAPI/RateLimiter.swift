// RateLimiter.swift: a per-client limit on handshake starts, by fixed one-second windows.
// Reference: docs/PROTOCOL.md §2.2 (flood protection).
// SPDX-License-Identifier: Apache-2.0

/// Allows each client at most ``limit`` events per window (one second by default).
///
/// Counters live in a dictionary that is emptied whenever a new window begins, so the memory
/// held is bounded by the clients seen in one window, and at most ``maximumClients``: when a
/// window meets more clients than that, the table is emptied early (each client then starts
/// counting afresh, which bounds memory at the price of a looser limit under a flood from many
/// addresses; the pending store's capacity still holds). Every call costs O(1) amortized.
///
/// Time is a monotonic count of nanoseconds supplied by the host.
public struct RateLimiter<Client: Hashable & Sendable>: Sendable {
  /// The default limit: 20 handshake starts per second per client.
  public static var defaultLimit: Int { 20 }

  /// The most events a client may have per window.
  public let limit: Int
  /// The window length in nanoseconds.
  public let window: UInt64
  /// The most clients tracked at once.
  public let maximumClients: Int

  private var windowStart: UInt64?
  private var counts: [Client: Int] = [:]

  /// A limiter allowing `limit` events per `window` nanoseconds for each client.
  public init(
    limit: Int = defaultLimit, window: UInt64 = 1_000_000_000, maximumClients: Int = 65_536
  ) {
    self.limit = limit
    self.window = max(1, window)
    self.maximumClients = max(1, maximumClients)
  }

  /// The number of clients tracked in the current window.
  public var trackedClients: Int { counts.count }

  /// Counts one event for `client` at monotonic time `now`; `false` when it is over the limit
  /// (a refused event is not counted).
  public mutating func admit(_ client: Client, now: UInt64) -> Bool {
    if let start = windowStart, now >= start, now - start < window {
      // Same window.
    } else {
      windowStart = now
      counts.removeAll(keepingCapacity: true)
    }
    let used = counts[client] ?? 0
    guard used < limit else { return false }
    if used == 0 && counts.count >= maximumClients { counts.removeAll(keepingCapacity: true) }
    counts[client] = used + 1
    return true
  }
}
