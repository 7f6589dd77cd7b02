// HostFiles.swift: reading files, writing secrets with mode 0600, and replacing files
// atomically (temporary file, fsync, rename, fsync of the directory), on POSIX.
// Reference: POSIX.1-2017 open(2), rename(2), fsync(2), mkdtemp(3).
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a file operation failed.
public enum HostError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file or one of its directories does not exist.
  case notFound(path: String)
  /// The file exists and was not to be overwritten.
  case alreadyExists(path: String)
  /// The path exists but is not the kind of file expected (a directory instead of a file, or
  /// the reverse).
  case wrongKind(path: String, expected: String)
  /// A system call failed; `code` is its `errno`.
  case system(operation: String, path: String, code: Int32)

  /// A one-line explanation, with the operating system's wording for system errors.
  public var description: String {
    switch self {
    case .notFound(let path): return "\(path): no such file or directory"
    case .alreadyExists(let path):
      return "\(path) already exists (refusing to overwrite it)"
    case .wrongKind(let path, let expected): return "\(path) is not \(expected)"
    case .system(let operation, let path, let code):
      return "cannot \(operation) \(path): \(String(cString: strerror(code)))"
    }
  }

  /// The error for the current `errno` of a failed `operation` on `path`.
  static func current(_ operation: String, _ path: String) -> HostError {
    let code = errno
    switch code {
    case ENOENT: return .notFound(path: path)
    case EEXIST: return .alreadyExists(path: path)
    default: return .system(operation: operation, path: path, code: code)
    }
  }
}

/// Files on the host: whole-file reads, secret files and atomic replacement.
///
/// Every function retries system calls interrupted by signals and closes what it opens, also
/// on failure.
public enum HostFiles {
  /// Reads a whole regular file.
  ///
  /// - Parameter path: The file.
  /// - Returns: Its bytes, exactly.
  /// - Throws: ``HostError/notFound(path:)``, ``HostError/wrongKind(path:expected:)`` for a
  ///   directory, or ``HostError/system(operation:path:code:)``.
  public static func read(_ path: String) throws(HostError) -> [UInt8] {
    let descriptor = try open(path, O_RDONLY | O_CLOEXEC, operation: "open")
    defer { _ = close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw .current("read", path) }
    guard status.st_mode & S_IFMT == S_IFREG else {
      throw .wrongKind(path: path, expected: "a regular file")
    }
    var contents: [UInt8] = []
    contents.reserveCapacity(Int(status.st_size))
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw .current("read", path)
      }
      if count == 0 { return contents }
      contents.append(contentsOf: chunk[0..<count])
    }
  }

  /// Writes a secret (such as a key file) readable and writable by its owner only (mode 0600).
  ///
  /// A new file is created with `O_EXCL`, so an existing file, or a symbolic link planted in
  /// its place, is never followed or replaced unless `overwrite` is true. With `overwrite`,
  /// an existing regular file is truncated and its mode set back to 0600; a symbolic link is
  /// still refused. The data is flushed to disk (`fsync`) before returning.
  ///
  /// - Parameters:
  ///   - path: The file to create.
  ///   - bytes: Its contents.
  ///   - overwrite: Whether an existing file may be replaced.
  /// - Throws: ``HostError/alreadyExists(path:)`` when the file exists and `overwrite` is
  ///   false, or another ``HostError``.
  public static func writeSecret(_ path: String, _ bytes: [UInt8], overwrite: Bool = false)
    throws(HostError)
  {
    let flags =
      O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (overwrite ? O_TRUNC : O_EXCL)
    let descriptor = try open(path, flags, operation: "create")
    defer { _ = close(descriptor) }
    // The mode given to open() is reduced by the umask and ignored for an existing file.
    guard fchmod(descriptor, 0o600) == 0 else { throw .current("set the mode of", path) }
    try writeAll(bytes, to: descriptor, path: path)
    guard fsync(descriptor) == 0 else { throw .current("flush", path) }
  }

  /// Replaces a file atomically: after a crash the file holds either its old or its new
  /// contents, never a mix.
  ///
  /// The bytes go to a new temporary file in the same directory (mode 0600), which is flushed
  /// (`fsync`), renamed over `path`, and then the directory itself is flushed so the rename is
  /// durable. On failure the temporary file is removed and `path` is left as it was.
  ///
  /// - Parameters:
  ///   - path: The file to replace or create.
  ///   - bytes: Its new contents.
  /// - Throws: A ``HostError`` for the step that failed.
  public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(HostError) {
    let (directory, name) = split(path)
    var temporary = ""
    var descriptor: Int32 = -1
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<16 {
      let suffix = String(generator.next() as UInt64, radix: 36)
      temporary = directory + "/." + name + ".tmp-" + suffix
      do {
        descriptor = try open(
          temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, operation: "create")
        break
      } catch .alreadyExists {
        continue
      }
    }
    guard descriptor >= 0 else { throw .alreadyExists(path: temporary) }
    do throws(HostError) {
      defer { _ = close(descriptor) }
      guard fchmod(descriptor, 0o600) == 0 else { throw .current("set the mode of", temporary) }
      try writeAll(bytes, to: descriptor, path: temporary)
      guard fsync(descriptor) == 0 else { throw .current("flush", temporary) }
      guard rename(temporary, path) == 0 else { throw .current("rename over", path) }
    } catch {
      _ = unlink(temporary)
      throw error
    }
    try syncDirectory(directory)
  }

  /// Creates a directory readable by its owner only (mode 0700), with any missing parents
  /// (also 0700). An existing directory is accepted as it is.
  ///
  /// - Throws: ``HostError/wrongKind(path:expected:)`` when `path` exists and is not a
  ///   directory, or another ``HostError``.
  public static func createDirectory(_ path: String) throws(HostError) {
    var status = stat()
    if stat(path, &status) == 0 {
      guard status.st_mode & S_IFMT == S_IFDIR else {
        throw .wrongKind(path: path, expected: "a directory")
      }
      return
    }
    let (parent, _) = split(path)
    if parent != path, parent != "/", parent != "." { try createDirectory(parent) }
    if mkdir(path, 0o700) != 0 && errno != EEXIST { throw .current("create the directory", path) }
  }

  /// Creates a new, empty, private (mode 0700) directory with a unique name in the system's
  /// temporary directory (`TMPDIR`, else `/tmp`).
  ///
  /// - Parameter prefix: The start of the directory's name.
  /// - Returns: The directory's path.
  /// - Throws: ``HostError/system(operation:path:code:)``.
  public static func makeTemporaryDirectory(prefix: String) throws(HostError) -> String {
    var base = "/tmp"
    if let value = getenv("TMPDIR") {
      let text = String(cString: value)
      if !text.isEmpty { base = text.hasSuffix("/") ? String(text.dropLast()) : text }
    }
    var template = Array((base + "/" + prefix + "XXXXXX").utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    guard created != nil else {
      throw .current("create a temporary directory in", base)
    }
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  // MARK: - Helpers

  /// Opens `path`, retrying on `EINTR`; new files get mode 0600 (before the umask).
  private static func open(_ path: String, _ flags: Int32, operation: String) throws(HostError)
    -> Int32
  {
    while true {
      let descriptor = systemOpen(path, flags, 0o600)
      if descriptor >= 0 { return descriptor }
      if errno == EINTR { continue }
      if errno == ELOOP && flags & O_NOFOLLOW != 0 {
        throw .wrongKind(path: path, expected: "a regular file (it is a symbolic link)")
      }
      throw .current(operation, path)
    }
  }

  /// Writes every byte, retrying short writes and `EINTR`.
  private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String)
    throws(HostError)
  {
    var offset = 0
    while offset < bytes.count {
      let count = bytes.withUnsafeBytes { buffer in
        systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
      }
      if count < 0 {
        if errno == EINTR { continue }
        throw .current("write", path)
      }
      offset += count
    }
  }

  /// Flushes a directory, so that a rename inside it survives a crash.
  private static func syncDirectory(_ directory: String) throws(HostError) {
    let descriptor = try open(directory, O_RDONLY | O_CLOEXEC | O_DIRECTORY, operation: "open")
    defer { _ = close(descriptor) }
    // Some file systems refuse fsync on directories (EINVAL); the rename is then as durable
    // as they make it.
    guard fsync(descriptor) == 0 || errno == EINVAL else { throw .current("flush", directory) }
  }

  /// The directory (without a trailing slash; `.` when there is none) and the last component.
  private static func split(_ path: String) -> (directory: String, name: String) {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return (".", String(trimmed)) }
    let directory = trimmed[..<slash]
    let name = String(trimmed[trimmed.index(after: slash)...])
    return (directory.isEmpty ? "/" : String(directory), name)
  }
}

// MARK: - System calls

// Inside `HostFiles`, `read`, `write` and `open` name its own methods; these file-level
// wrappers reach the C functions on every platform.

private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
  open(path, flags, mode)
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int)
  -> Int
{
  read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
