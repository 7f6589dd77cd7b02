// SecretStorage.swift: a fixed-size heap buffer for key material that is overwritten with zeros
// before it is released.
// SPDX-License-Identifier: Apache-2.0

/// A fixed-size buffer of secret values (key bytes, expanded round keys) that wipes itself.
///
/// The buffer lives on the heap so that it never moves: moving the owning value cannot leave
/// stray duplicates of the secret on the stack. Its owners (``SymmetricKey`` and the cipher and
/// Fernet keys) are `~Copyable`, so each buffer has one owner, and `deinit` overwrites it with
/// zeros before freeing it. This is best effort: the operating system may have paged the memory
/// out, and registers or spilled temporaries may hold stale values.
///
/// It is a class rather than a `~Copyable` struct because Embedded Swift cannot run the `deinit`
/// of a non-copyable struct declared in another module, while a class's `deinit` is reached
/// through its metadata from any module.
@safe
package final class SecretStorage<Element: BitwiseCopyable> {
  private let base: UnsafeMutablePointer<Element>

  /// The number of elements.
  package let count: Int

  /// Creates a buffer of `count` elements, each set to `value`.
  package init(repeating value: Element, count: Int) {
    precondition(count > 0, "SecretStorage needs at least one element")
    self.count = count
    unsafe base = UnsafeMutablePointer<Element>.allocate(capacity: count)
    unsafe base.initialize(repeating: value, count: count)
  }

  deinit {
    unsafe SecretWipe.zero(
      UnsafeMutableRawPointer(base), byteCount: count * MemoryLayout<Element>.stride)
    unsafe base.deallocate()
  }

  /// Calls `body` with a read-only view of the elements.
  @inline(__always)
  package func withSpan<R: ~Copyable, E: Error>(_ body: (Span<Element>) throws(E) -> R) throws(E)
    -> R
  {
    try body(unsafe Span(_unsafeStart: base, count: count))
  }

  /// Calls `body` with a mutable view of the elements.
  @inline(__always)
  package func withMutableSpan<R, E: Error>(
    _ body: (inout MutableSpan<Element>) throws(E) -> R
  ) throws(E) -> R {
    var span = unsafe MutableSpan(_unsafeStart: base, count: count)
    return try body(&span)
  }

  /// Calls `body` with the raw buffer, for hot loops that have already checked their bounds.
  @inline(__always)
  package func withUnsafeBufferPointer<R, E: Error>(
    _ body: (UnsafeBufferPointer<Element>) throws(E) -> R
  ) throws(E) -> R {
    try unsafe body(UnsafeBufferPointer(start: base, count: count))
  }
}

/// Overwrites memory in a function the optimizer may not inline or analyse, so the stores are not
/// removed as dead just because the memory is freed right after.
package enum SecretWipe {
  /// Sets `byteCount` bytes at `pointer` to zero.
  @inline(never)
  @_optimize(none)
  package static func zero(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
    for offset in 0..<byteCount {
      unsafe pointer.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self)
    }
  }
}
