// PKCS7.swift: PKCS #7 padding for block ciphers, with removal that checks the whole final
// block in constant time.
// Reference: RFC 5652 §6.3 (Content-encryption process: padding).
// SPDX-License-Identifier: Apache-2.0

import CryptoSupport

/// PKCS #7 padding (RFC 5652 §6.3): append k bytes of value k, 1 <= k <= block size, so that
/// the length becomes a multiple of the block size. A whole block of padding is added when the
/// input is already aligned, so the padding can always be removed unambiguously.
public enum PKCS7 {
  /// The number of padding bytes added to a message of `length` bytes.
  ///
  /// - Parameters:
  ///   - length: The unpadded length in bytes (not negative).
  ///   - blockByteCount: The block size, 1...255 (16 for AES).
  /// - Returns: A value in 1...`blockByteCount`.
  /// - Timing: constant.
  public static func paddingCount(forLength length: Int, blockByteCount: Int = 16) -> Int {
    precondition(
      blockByteCount > 0 && blockByteCount < 256, "PKCS #7 needs a block size in 1...255")
    precondition(length >= 0, "a length cannot be negative")
    return blockByteCount - length % blockByteCount
  }

  /// Returns `bytes` followed by their PKCS #7 padding.
  ///
  /// - Parameters:
  ///   - bytes: The message.
  ///   - blockByteCount: The block size, 1...255 (16 for AES).
  /// - Returns: The padded message, a non-empty multiple of `blockByteCount` bytes long.
  /// - Timing: depends on the length only.
  public static func padded(_ bytes: Span<UInt8>, blockByteCount: Int = 16) -> [UInt8] {
    let padding = paddingCount(forLength: bytes.count, blockByteCount: blockByteCount)
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count + padding)
    output.append(addingCapacity: bytes.count) { buffer in
      for index in bytes.indices {
        buffer.append(bytes[index])
      }
    }
    output.append(contentsOf: repeatElement(UInt8(truncatingIfNeeded: padding), count: padding))
    return output
  }

  /// Checks the PKCS #7 padding of `padded` and returns the length of the message it ends.
  ///
  /// Every byte of the final block is examined, whatever the padding value, and the result of
  /// each comparison is folded into a mask; the only branch on the secret bytes is the final
  /// decision to throw. The value of a valid padding is not revealed by the timing (it is, of
  /// course, revealed by the length returned).
  ///
  /// - Parameters:
  ///   - padded: The padded message; only its final block is examined.
  ///   - blockByteCount: The block size, 1...255 (16 for AES).
  /// - Returns: The number of message bytes before the padding.
  /// - Throws: ``CipherError/notBlockAligned`` when `padded` is empty or not a multiple of
  ///   `blockByteCount` long; ``CipherError/invalidPadding`` when the last byte is 0 or larger
  ///   than `blockByteCount`, or a byte it covers differs from it.
  /// - Timing: depends on `blockByteCount` only, not on the bytes or whether they are valid
  ///   (until the final throw).
  public static func unpaddedCount(of padded: Span<UInt8>, blockByteCount: Int = 16)
    throws(CipherError) -> Int
  {
    precondition(
      blockByteCount > 0 && blockByteCount < 256, "PKCS #7 needs a block size in 1...255")
    let count = padded.count
    guard count > 0, count % blockByteCount == 0 else { throw .notBlockAligned }
    let padding = UInt32(padded[count - 1])
    // Invalid when padding == 0 or padding > blockByteCount.
    var invalid =
      ConstantTime.isZero(padding) | ~ConstantTime.mask(isLess: padding, UInt32(blockByteCount + 1))
    // Position `distance` from the end lies in the padding when distance < padding; there the
    // byte must equal the padding value. Other positions are read and compared all the same.
    for distance in 0..<blockByteCount {
      let byte = UInt32(padded[count - 1 - distance])
      let covered = ConstantTime.mask(isLess: UInt32(distance), padding)
      invalid |= covered & ~ConstantTime.mask(isEqual: byte, padding)
    }
    guard invalid == 0 else { throw .invalidPadding }
    return count - Int(padding)
  }
}
