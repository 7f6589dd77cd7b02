// BlockCipher.swift: the protocol shared by block ciphers with 16-byte blocks, as used by the
// modes of operation (CBC).
// References: NIST SP 800-38A §2-§5 (block cipher modes; the forward and inverse cipher
// functions CIPH_K and CIPH_K^-1); FIPS 197 (AES, the only cipher here).
// SPDX-License-Identifier: Apache-2.0

/// A keyed permutation of 16-byte blocks: the forward and inverse cipher of SP 800-38A.
///
/// Conforming types are usually `~Copyable`, since they hold expanded key material; modes of
/// operation such as ``CBC`` borrow them. Besides the single-block functions, the protocol asks
/// for four-block forms: a bitsliced implementation such as ``AES128`` computes four blocks in
/// about the time of one, and modes use them wherever blocks are independent (CBC decryption).
public protocol BlockCipher: ~Copyable {
  /// The block length in bytes (16 for every cipher here).
  ///
  /// - Timing: constant.
  static var blockByteCount: Int { get }

  /// Encrypts one block in place (the forward cipher function).
  ///
  /// - Parameter block: The plaintext block, replaced by its ciphertext.
  /// - Timing: constant for a constant-time cipher such as ``AES128``.
  borrowing func encrypt(block: inout InlineArray<16, UInt8>)

  /// Decrypts one block in place (the inverse cipher function).
  ///
  /// - Parameter block: The ciphertext block, replaced by its plaintext.
  /// - Timing: constant for a constant-time cipher such as ``AES128``.
  borrowing func decrypt(block: inout InlineArray<16, UInt8>)

  /// Encrypts four independent blocks in place; the same as four calls of
  /// ``encrypt(block:)``, usually faster.
  ///
  /// - Parameter blocks: Four plaintext blocks, replaced by their ciphertexts.
  /// - Timing: constant for a constant-time cipher such as ``AES128``.
  borrowing func encrypt(blocks: inout InlineArray<4, InlineArray<16, UInt8>>)

  /// Decrypts four independent blocks in place; the same as four calls of
  /// ``decrypt(block:)``, usually faster.
  ///
  /// - Parameter blocks: Four ciphertext blocks, replaced by their plaintexts.
  /// - Timing: constant for a constant-time cipher such as ``AES128``.
  borrowing func decrypt(blocks: inout InlineArray<4, InlineArray<16, UInt8>>)

  /// ``decrypt(blocks:)`` with the blocks as 64-bit words, as modes load them from memory:
  /// block l is `words[2 * l]` (its bytes 0...7, byte 0 the lowest) and `words[2 * l + 1]`
  /// (bytes 8...15).
  ///
  /// - Parameter words: Four ciphertext blocks, replaced by their plaintexts.
  /// - Timing: constant for a constant-time cipher such as ``AES128``.
  borrowing func decrypt(words: inout InlineArray<8, UInt64>)
}

extension BlockCipher where Self: ~Copyable {
  /// Encrypts four blocks with four calls of ``encrypt(block:)``, for ciphers that have no
  /// faster multi-block path.
  ///
  /// - Parameter blocks: Four plaintext blocks, replaced by their ciphertexts.
  /// - Timing: four times that of ``encrypt(block:)``.
  public borrowing func encrypt(blocks: inout InlineArray<4, InlineArray<16, UInt8>>) {
    for index in 0..<4 {
      encrypt(block: &blocks[index])
    }
  }

  /// Decrypts four blocks with four calls of ``decrypt(block:)``, for ciphers that have no
  /// faster multi-block path.
  ///
  /// - Parameter blocks: Four ciphertext blocks, replaced by their plaintexts.
  /// - Timing: four times that of ``decrypt(block:)``.
  public borrowing func decrypt(blocks: inout InlineArray<4, InlineArray<16, UInt8>>) {
    for index in 0..<4 {
      decrypt(block: &blocks[index])
    }
  }

  /// Decrypts four blocks given as words through ``decrypt(blocks:)``, for ciphers that have
  /// no word form of their own.
  ///
  /// - Parameter words: Four ciphertext blocks as in the requirement, replaced by their
  ///   plaintexts.
  public borrowing func decrypt(words: inout InlineArray<8, UInt64>) {
    var blocks = InlineArray<4, InlineArray<16, UInt8>>(repeating: InlineArray(repeating: 0))
    for word in 0..<8 {
      for byte in 0..<8 {
        blocks[word / 2][8 * (word % 2) + byte] = UInt8(
          truncatingIfNeeded: words[word] >> (8 * UInt64(byte)))
      }
    }
    decrypt(blocks: &blocks)
    for word in 0..<8 {
      var value: UInt64 = 0
      for byte in 0..<8 {
        value |= UInt64(blocks[word / 2][8 * (word % 2) + byte]) << (8 * UInt64(byte))
      }
      words[word] = value
    }
  }
}
