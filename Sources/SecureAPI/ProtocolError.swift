// ProtocolError.swift: the errors of the Secure API protocol module.
// SPDX-License-Identifier: Apache-2.0

/// Why a key file, a message or a reply was refused.
///
/// Errors about tokens are deliberately coarse (``undecryptable`` whichever of the 16 layers
/// failed); errors about local configuration (the key file) and about authenticated but
/// malformed frames say exactly what is wrong.
public enum ProtocolError: Error, Equatable, Sendable {
  /// The key file cannot be used; the problem says why.
  case invalidKeyFile(KeyFileProblem)
  /// An HTTP body is not a JSON object with a string member `txt`.
  case malformedBody
  /// The token failed to decrypt or authenticate at some layer (or was not a token at all).
  case undecryptable
  /// The decrypted frame breaks the format; the problem says how.
  case malformedFrame(FrameProblem)
  /// A reply did not answer the request that was sent (wrong time echo or code).
  case unexpectedReply
  /// A saved server state could not be read back.
  case invalidStateFile
}

/// What is wrong with a key file.
public enum KeyFileProblem: Equatable, Sendable {
  /// The file is empty.
  case empty
  /// The file has fewer than 32 bytes, so it yields no layer key.
  case tooShort(byteCount: Int)
  /// The byte at `offset` is not ASCII.
  case nonASCII(offset: Int)
  /// The byte at `offset` is an ASCII control character (a trailing newline, for example).
  case nonPrintable(offset: Int)
}

/// What is wrong with a decrypted frame.
public enum FrameProblem: Equatable, Sendable {
  /// Shorter than the fixed parts (56 + 20 + 3 + 1 + 56 bytes).
  case tooShort
  /// The leading SHA-224 is not that of this key.
  case shaMismatch
  /// The mask identifier is not the SHA-224 with `x` only in positions 0...9.
  case invalidIdentifier
  /// The identifier's mask length is 0, over 1000, or longer than the frame allows.
  case invalidMaskLength
  /// The time field is not 20 characters of digits with one dot and four decimals.
  case invalidTime
  /// The code is not one this side understands.
  case unknownCode
}

extension ProtocolError: CustomStringConvertible {
  /// A one-line explanation for people.
  public var description: String {
    switch self {
    case .invalidKeyFile(let problem):
      switch problem {
      case .empty: return "the key file is empty"
      case .tooShort(let count):
        return "the key file has \(count) bytes; at least 32 are needed (512 is standard)"
      case .nonASCII(let offset): return "the key file has a non-ASCII byte at offset \(offset)"
      case .nonPrintable(let offset):
        return
          "the key file has a control character (such as a newline) at offset \(offset); "
          + "key files hold printable characters only, with no trailing newline"
      }
    case .malformedBody: return "the body is not a JSON object with a string \"txt\""
    case .undecryptable: return "the token does not decrypt with this key"
    case .malformedFrame(let problem):
      switch problem {
      case .tooShort: return "the frame is too short"
      case .shaMismatch: return "the frame's SHA-224 is not this key's"
      case .invalidIdentifier: return "the frame's mask identifier is malformed"
      case .invalidMaskLength: return "the frame's mask length is out of range"
      case .invalidTime: return "the frame's time field is malformed"
      case .unknownCode: return "the frame's code is unknown"
      }
    case .unexpectedReply: return "the reply does not answer the request (insecure connection)"
    case .invalidStateFile: return "the saved server state is not in the expected format"
    }
  }
}
