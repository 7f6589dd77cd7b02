// StateStore.swift: where the server keeps its state (the stored message and the time of the
// last accepted store) across restarts.
// Reference: wire format v1 §6 ("persist the stored message and last_t").
// SPDX-License-Identifier: Apache-2.0

import HostSystem
import SecureAPI

/// Why the server's state cannot be loaded or saved.
public enum StateStoreError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The state directory cannot be created or is not a directory.
  case unusableDirectory(HostError)
  /// The state file exists but cannot be read.
  case unreadable(HostError)
  /// The state file does not hold a saved state (damaged, or not written by this server).
  case corrupt(path: String)
  /// The state file cannot be written.
  case cannotSave(HostError)

  /// A one-line explanation.
  public var description: String {
    switch self {
    case .unusableDirectory(let error): return "unusable state directory: \(error)"
    case .unreadable(let error): return "cannot read the saved state: \(error)"
    case .corrupt(let path):
      return "\(path) is not a saved server state (damaged?); move it away to start afresh, "
        + "which forgets the stored message and the last accepted time"
    case .cannotSave(let error): return "cannot save the server state: \(error)"
    }
  }
}

/// The file `DIRECTORY/state` holding a ``ServerState``, replaced atomically on every change.
///
/// The file has mode 0600 and the directory 0700: the state holds the stored message in clear.
public struct StateStore: Sendable {
  /// The name of the state file inside the directory.
  public static let fileName = "state"

  /// The directory holding the state file.
  public let directory: String

  /// The state file's path.
  public var path: String { directory + "/" + Self.fileName }

  /// A store in `directory`, which is created (mode 0700, with its parents) if missing.
  ///
  /// - Throws: ``StateStoreError/unusableDirectory(_:)``.
  public init(directory: String) throws(StateStoreError) {
    do {
      try HostFiles.createDirectory(directory)
    } catch {
      throw .unusableDirectory(error)
    }
    self.directory = directory
  }

  /// The saved state, or `nil` when no state file exists yet.
  ///
  /// - Throws: ``StateStoreError/unreadable(_:)`` or ``StateStoreError/corrupt(path:)``; a
  ///   server must then refuse to start rather than reopen the replay window.
  public func load() throws(StateStoreError) -> ServerState? {
    let bytes: [UInt8]
    do {
      bytes = try HostFiles.read(path)
    } catch .notFound {
      return nil
    } catch {
      throw .unreadable(error)
    }
    do {
      return try ServerState(serialized: bytes.span)
    } catch {
      throw .corrupt(path: path)
    }
  }

  /// Saves `state` atomically and durably.
  ///
  /// - Throws: ``StateStoreError/cannotSave(_:)``.
  public func save(_ state: ServerState) throws(StateStoreError) {
    do {
      try HostFiles.writeAtomically(path, state.serialized())
    } catch {
      throw .cannotSave(error)
    }
  }
}
