// DeviceFootprint.swift: the smallest realistic device program, linked only to measure how
// much of the core and the protocol module a weather station really carries: it reads its key
// file from flash, seals a reading and opens the sealed token again, through the byte APIs
// only (no `String`), as DESIGN.md §1 recommends for Embedded Swift.
// Test harness only; its deterministic generator (Shared/SplitMix64.swift) stands in for a
// hardware random source.
// SPDX-License-Identifier: Apache-2.0

import SecureAPI

/// The board's character output (a UART), provided by the test harness's C runtime.
@_extern(c, "putchar")
func putchar(_ character: Int32) -> Int32

/// Seals one frame and opens it again; prints one line and returns 0 when the frame came back.
@_cdecl("selftest_main")
public func deviceMain() -> Int32 {
  // The key file as a firmware would hold it in flash: 512 characters, no newline.
  let keyFile: KeyFile
  do throws(ProtocolError) {
    keyFile = try KeyFile(contents: keyBytes.withUTF8Buffer { Array($0) })
  } catch {
    return report("footprint: key file refused", 1)
  }
  let ring = keyFile.keyRing()
  var rng = SplitMix64(seed: 0x7765_6174_6865_72)
  let frame = MessageFrame(
    time: Timestamp(seconds: 1_796_412_688), code: .put,
    payload: [0x32, 0x31, 0x2e, 0x35, 0x20, 0x43])  // "21.5 C"
  let body = frame.encoded()
  let token = SecureChannel.seal(
    body: body.span, ring: ring, fernetTime: 1_796_412_688, using: &rng)
  do throws(ProtocolError) {
    let opened = try SecureChannel.openBody(token.span, ring: ring)
    let decoded = try MessageFrame(decoding: opened.span)
    return decoded == frame
      ? report("footprint: sealed and opened a frame", 0)
      : report("footprint: the frame changed", 1)
  } catch {
    return report("footprint: the token did not open", 1)
  }
}

/// Prints `line` and returns `code`.
func report(_ line: StaticString, _ code: Int32) -> Int32 {
  line.withUTF8Buffer { buffer in
    for byte in buffer { _ = putchar(Int32(byte)) }
  }
  _ = putchar(10)
  return code
}

/// A fixed test key file (it protects nothing).
let keyBytes: StaticString = """
  Jq8sWm2ZkR4tVb7nXc1yHd6gLp3fTa9eUe5rNw0iOo4pQs8dFg2hKj6lZx1cVb3nMq7wEr9tYu5iOp1aSd3fGh7jK\
  l9zXc5vBn2mQw4eRt6yUi8oPa0sDf2gHj4kLz6xCv8bNm1qWe3rTy5uIo7pAs9dFg1hJk3lZx5cVb7nMq9wEr2tYu\
  4iOp6aSd8fGh0jKl2zXc4vBn6mQw8eRt0yUi3oPa5sDf7gHj9kLz1xCv3bNm5qWe7rTy9uIo2pAs4dFg6hJk8lZx\
  0cVb2nMq4wEr6tYu8iOp1aSd3fGh5jKl7zXc9vBn1mQw3eRt5yUi7oPa9sDf0gHj2kLz4xCv6bNm8qWe0rTy2uIo\
  4pAs6dFg8hJk0lZx2cVb4nMq6wEr8tYu0iOp3aSd5fGh7jKl9zXc1vBn3mQw5eRt7yUi9oPa1sDf3gHj5kLz7xCv\
  9bNm0qWe2rTy4uIo6pAs8dFg0hJk2lZx4cVb6nMq8wEr0tYu2iOp4aSd6fGh8jKl0zXc3v
  """
