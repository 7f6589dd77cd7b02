// PendingPairs.swift: the server's store of handshake pairs waiting for their request: fixed
// capacity, fixed lifetime, oldest evicted first, O(1) per operation.
// Reference: docs/PROTOCOL.md §2.2 (flood protection).
// SPDX-License-Identifier: Apache-2.0

/// What ``PendingPairs/take(_:now:)`` found.
public enum PairLookup: Equatable, Sendable {
  /// The pair was pending and is now removed: the request bound to it may proceed.
  case taken
  /// The pair was pending but its lifetime is over; it is removed.
  case expired
  /// The pair is not pending: never issued, already used, or evicted.
  case unknown
}

/// The pending handshake pairs of a server.
///
/// A dictionary from pair to deadline plus a FIFO of insertion order. Since every pair lives
/// for the same ``lifetime``, insertion order is expiry order, so expired pairs and, when the
/// store is full, the oldest pair leave from the front of the FIFO. A pair taken by its request
/// leaves the dictionary at once and its FIFO entry later (lazy deletion); the FIFO is compacted
/// when dead entries outnumber live ones, so its length stays within twice the capacity plus a
/// constant and every operation costs O(1) amortized.
///
/// Time is a monotonic count of nanoseconds supplied by the host; the store reads no clock.
public struct PendingPairs: Sendable {
  /// The default capacity: 10,000 pairs.
  public static let defaultCapacity = 10_000
  /// The default lifetime of a pair: 30 seconds, in nanoseconds.
  public static let defaultLifetime: UInt64 = 30_000_000_000

  /// The most pairs held at once.
  public let capacity: Int
  /// How long a pair stays pending, in nanoseconds.
  public let lifetime: UInt64

  private struct Entry: Sendable {
    let pair: NoncePair
    let serial: UInt64
  }

  private struct Slot: Sendable {
    let deadline: UInt64
    let serial: UInt64
  }

  private var live: [NoncePair: Slot] = [:]
  private var order: [Entry] = []
  private var head = 0
  private var nextSerial: UInt64 = 0

  /// How many pairs have been evicted to make room, since the store was made.
  public private(set) var evictions = 0

  /// An empty store.
  ///
  /// - Parameters:
  ///   - capacity: The most pairs held at once (at least 1).
  ///   - lifetime: How long a pair stays pending, in nanoseconds.
  public init(capacity: Int = defaultCapacity, lifetime: UInt64 = defaultLifetime) {
    self.capacity = max(1, capacity)
    self.lifetime = lifetime
  }

  /// The number of pairs pending (some may have expired but not yet been dropped).
  public var count: Int { live.count }

  /// The number of entries in the insertion-order FIFO, live or dead (for tests of the bound).
  public var orderLength: Int { order.count - head }

  /// Adds a pair at monotonic time `now`, first dropping expired pairs and, if the store is
  /// full, the oldest pair.
  public mutating func insert(_ pair: NoncePair, now: UInt64) {
    dropExpired(now: now)
    if let slot = live[pair] {
      // A repeated pair (only possible with a broken random source) keeps its first deadline.
      _ = slot
      return
    }
    while live.count >= capacity, evictOldest() {}
    nextSerial &+= 1
    live[pair] = Slot(deadline: now &+ lifetime, serial: nextSerial)
    order.append(Entry(pair: pair, serial: nextSerial))
    compactIfNeeded()
  }

  /// Removes `pair` and says whether it was pending and alive at monotonic time `now`.
  public mutating func take(_ pair: NoncePair, now: UInt64) -> PairLookup {
    guard let slot = live.removeValue(forKey: pair) else { return .unknown }
    return now < slot.deadline ? .taken : .expired
  }

  /// Whether `pair` is pending and alive at `now` (without removing it).
  public func contains(_ pair: NoncePair, now: UInt64) -> Bool {
    guard let slot = live[pair] else { return false }
    return now < slot.deadline
  }

  /// Drops the pairs whose lifetime is over.
  public mutating func dropExpired(now: UInt64) {
    while head < order.count {
      let entry = order[head]
      if let slot = live[entry.pair], slot.serial == entry.serial {
        guard slot.deadline <= now else { break }
        live[entry.pair] = nil
      }
      head += 1
    }
    trimFront()
  }

  /// Removes the oldest live pair; `false` if there is none.
  private mutating func evictOldest() -> Bool {
    while head < order.count {
      let entry = order[head]
      head += 1
      if let slot = live[entry.pair], slot.serial == entry.serial {
        live[entry.pair] = nil
        evictions += 1
        trimFront()
        return true
      }
    }
    trimFront()
    return false
  }

  /// Releases the consumed front of the FIFO once it is at least half of it.
  private mutating func trimFront() {
    if head == order.count {
      order.removeAll(keepingCapacity: true)
      head = 0
    } else if head >= 1024 && head * 2 >= order.count {
      order.removeFirst(head)
      head = 0
    }
  }

  /// Rebuilds the FIFO from its live entries when dead ones make up more than half of it.
  private mutating func compactIfNeeded() {
    let length = order.count - head
    guard length > 2 * capacity + 1024 else { return }
    var kept: [Entry] = []
    kept.reserveCapacity(live.count)
    for index in head..<order.count {
      let entry = order[index]
      if let slot = live[entry.pair], slot.serial == entry.serial { kept.append(entry) }
    }
    order = kept
    head = 0
  }
}
