// WireFormat.swift: the HTTP bodies, JSON objects `{"txt": "<outer token>"}` and
// `{"error": "<reason>"}`.
// Reference: wire format v1 §5; RFC 8259 (JSON).
// SPDX-License-Identifier: Apache-2.0

/// Reads and writes the JSON bodies of the protocol with a small strict parser (standard
/// library only, so the device side can use it too).
public enum WireFormat {
  /// How deeply nested other members of a body may be before it is refused.
  public static let maximumDepth = 32

  /// The body `{"txt": "<token>"}`.
  public static func body(token: Span<UInt8>) -> [UInt8] {
    var out = Array(#"{"txt": ""#.utf8)
    out.reserveCapacity(out.count + token.count + 2)
    appendEscaped(token, to: &out)
    out.append(contentsOf: Array(#""}"#.utf8))
    return out
  }

  /// The body `{"txt": "<token>"}` for `frame`, sealed with a random mask and random IVs.
  ///
  /// - Parameters:
  ///   - frame: The frame to seal.
  ///   - ring: The layer keys.
  ///   - fernetTime: The Unix seconds written into every layer's Fernet timestamp.
  ///   - rng: The source of the mask and the IVs.
  public static func body(
    sealing frame: MessageFrame, ring: borrowing KeyRing, fernetTime: UInt64,
    using rng: inout some RandomNumberGenerator
  ) -> [UInt8] {
    let token = SecureChannel.seal(
      body: frame.encoded().span, ring: ring, fernetTime: fernetTime, using: &rng)
    return body(token: token.span)
  }

  /// The body `{"error": "<reason>"}`.
  public static func errorBody(_ reason: String) -> [UInt8] {
    var out = Array(#"{"error": ""#.utf8)
    let text = Array(reason.utf8)
    appendEscaped(text.span, to: &out)
    out.append(contentsOf: Array(#""}"#.utf8))
    return out
  }

  /// The token in a body: the string member `txt` of a JSON object. Other members are allowed
  /// and ignored, as a JSON reader would.
  ///
  /// - Throws: ``ProtocolError/malformedBody`` when the body is not one JSON object (with
  ///   nothing but white space around it) holding a string `txt`.
  public static func token(fromBody body: Span<UInt8>) throws(ProtocolError) -> [UInt8] {
    var reader = JSONReader(body)
    guard let token = reader.topLevelStringMember(named: Array("txt".utf8)) else {
      throw .malformedBody
    }
    return token
  }

  /// The `error` member of an error body, if there is one.
  public static func errorReason(fromBody body: Span<UInt8>) -> String? {
    var reader = JSONReader(body)
    return reader.topLevelStringMember(named: Array("error".utf8)).map {
      String(decoding: $0, as: UTF8.self)
    }
  }

  /// Appends `text` as the inside of a JSON string: quote, backslash and control characters
  /// escaped, everything else as is.
  static func appendEscaped(_ text: Span<UInt8>, to out: inout [UInt8]) {
    let hex = Array("0123456789abcdef".utf8)
    for index in text.indices {
      let byte = text[index]
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        out.append(UInt8(ascii: "\\"))
        out.append(byte)
      case 0..<0x20:
        out.append(contentsOf: Array(#"\u00"#.utf8))
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 15)])
      default:
        out.append(byte)
      }
    }
  }
}

/// A strict JSON reader over bytes, just large enough for the protocol's bodies.
private struct JSONReader {
  private let bytes: [UInt8]
  private var position = 0

  init(_ bytes: Span<UInt8>) {
    self.bytes = bytes.indices.map { bytes[$0] }
  }

  /// The string member `name` of the single top-level object, or `nil` if the input is not
  /// exactly one object or has no such string member. A later duplicate wins, as in Python.
  mutating func topLevelStringMember(named name: [UInt8]) -> [UInt8]? {
    skipWhitespace()
    guard consume(UInt8(ascii: "{")) else { return nil }
    var found: [UInt8]?
    skipWhitespace()
    if !consume(UInt8(ascii: "}")) {
      while true {
        skipWhitespace()
        guard let key = readString() else { return nil }
        skipWhitespace()
        guard consume(UInt8(ascii: ":")) else { return nil }
        skipWhitespace()
        if key == name, peek() == UInt8(ascii: "\"") {
          guard let value = readString() else { return nil }
          found = value
        } else {
          guard skipValue(depth: 1) else { return nil }
          if key == name { found = nil }
        }
        skipWhitespace()
        if consume(UInt8(ascii: ",")) { continue }
        guard consume(UInt8(ascii: "}")) else { return nil }
        break
      }
    }
    skipWhitespace()
    guard position == bytes.count else { return nil }
    return found
  }

  private func peek() -> UInt8? {
    position < bytes.count ? bytes[position] : nil
  }

  private mutating func consume(_ byte: UInt8) -> Bool {
    guard peek() == byte else { return false }
    position += 1
    return true
  }

  private mutating func skipWhitespace() {
    while let byte = peek(),
      byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
        || byte == UInt8(ascii: "\t")
    {
      position += 1
    }
  }

  /// Reads a string, decoding escapes to UTF-8.
  private mutating func readString() -> [UInt8]? {
    guard consume(UInt8(ascii: "\"")) else { return nil }
    var out: [UInt8] = []
    while let byte = peek() {
      position += 1
      switch byte {
      case UInt8(ascii: "\""):
        return out
      case UInt8(ascii: "\\"):
        guard let escaped = peek() else { return nil }
        position += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          guard var scalar = readHex4() else { return nil }
          if (0xd800..<0xdc00).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")),
              let low = readHex4(), (0xdc00..<0xe000).contains(low)
            else { return nil }
            scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
          } else if (0xdc00..<0xe000).contains(scalar) {
            return nil
          }
          guard let unicode = Unicode.Scalar(scalar) else { return nil }
          out.append(contentsOf: UTF8.encode(unicode)!)
        default:
          return nil
        }
      case 0..<0x20:
        return nil
      default:
        out.append(byte)
      }
    }
    return nil
  }

  private mutating func readHex4() -> UInt32? {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = peek() else { return nil }
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: return nil
      }
      value = value << 4 | digit
      position += 1
    }
    return value
  }

  /// Skips any JSON value; `false` if it is malformed or nested too deeply.
  private mutating func skipValue(depth: Int) -> Bool {
    guard depth <= WireFormat.maximumDepth, let byte = peek() else { return false }
    switch byte {
    case UInt8(ascii: "\""):
      return readString() != nil
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
      position += 1
      skipWhitespace()
      if consume(close) { return true }
      while true {
        skipWhitespace()
        if byte == UInt8(ascii: "{") {
          guard readString() != nil else { return false }
          skipWhitespace()
          guard consume(UInt8(ascii: ":")) else { return false }
          skipWhitespace()
        }
        guard skipValue(depth: depth + 1) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: ",")) { continue }
        return consume(close)
      }
    case UInt8(ascii: "t"):
      return consumeWord("true")
    case UInt8(ascii: "f"):
      return consumeWord("false")
    case UInt8(ascii: "n"):
      return consumeWord("null")
    default:
      return skipNumber()
    }
  }

  private mutating func consumeWord(_ word: String) -> Bool {
    let expected = Array(word.utf8)
    guard position + expected.count <= bytes.count,
      Array(bytes[position..<(position + expected.count)]) == expected
    else { return false }
    position += expected.count
    return true
  }

  /// Skips a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
  private mutating func skipNumber() -> Bool {
    _ = consume(UInt8(ascii: "-"))
    guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
      return false
    }
    position += 1
    if first != UInt8(ascii: "0") { skipDigits() }
    if consume(UInt8(ascii: ".")) {
      guard skipDigits() > 0 else { return false }
    }
    if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
      if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
      guard skipDigits() > 0 else { return false }
    }
    return true
  }

  @discardableResult
  private mutating func skipDigits() -> Int {
    var count = 0
    while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
      position += 1
      count += 1
    }
    return count
  }
}
