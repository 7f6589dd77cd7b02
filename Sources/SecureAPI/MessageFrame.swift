// MessageFrame.swift: the frame body `<20 time><3 code><n message>` and its codes.
// Reference: wire format v1 §3 and §5.
// SPDX-License-Identifier: Apache-2.0

/// A three-character message code.
public struct FrameCode: Hashable, Sendable, CustomStringConvertible {
  /// The three ASCII bytes.
  public let bytes: InlineArray<3, UInt8>

  /// A code from three ASCII bytes.
  public init(_ a: UInt8, _ b: UInt8, _ c: UInt8) {
    bytes = [a, b, c]
  }

  /// A code from three bytes of a span, or `nil` when there are not three.
  public init?(_ span: Span<UInt8>) {
    guard span.count == 3 else { return nil }
    self.init(span[0], span[1], span[2])
  }

  /// A code from three-character ASCII text, or `nil` otherwise.
  public init?(_ text: String) {
    let utf8 = Array(text.utf8)
    guard utf8.count == 3, utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return nil }
    self.init(utf8[0], utf8[1], utf8[2])
  }

  /// The client stores a message.
  public static let put = FrameCode(UInt8(ascii: "p"), UInt8(ascii: "u"), UInt8(ascii: "t"))
  /// The client asks for the stored message.
  public static let get = FrameCode(UInt8(ascii: "g"), UInt8(ascii: "e"), UInt8(ascii: "t"))
  /// The server accepted the request.
  public static let ack = FrameCode(UInt8(ascii: "a"), UInt8(ascii: "c"), UInt8(ascii: "k"))
  /// The server refused the request (replayed, stale or from the future); the payload says
  /// why. The deployed client, seeing a code other than `ack`, reports an insecure connection.
  public static let reject = FrameCode(UInt8(ascii: "r"), UInt8(ascii: "e"), UInt8(ascii: "j"))

  /// Time sync request: the payload is the client's nonce (docs/PROTOCOL.md §2.1).
  public static let timeSyncRequest = FrameCode(
    UInt8(ascii: "t"), UInt8(ascii: "s"), UInt8(ascii: "q"))
  /// Time sync response: the client's nonce, then the server's 20-character time field.
  public static let timeSyncResponse = FrameCode(
    UInt8(ascii: "t"), UInt8(ascii: "s"), UInt8(ascii: "r"))
  /// Handshake start: the payload is the client's `Nonce_1` (docs/PROTOCOL.md §2.2).
  public static let handshakeStart = FrameCode(
    UInt8(ascii: "h"), UInt8(ascii: "s"), UInt8(ascii: "1"))
  /// Handshake reply: `Nonce_1` then the server's `Nonce_2`, now pending.
  public static let handshakeReply = FrameCode(
    UInt8(ascii: "h"), UInt8(ascii: "s"), UInt8(ascii: "2"))
  /// Clock-free store: `Nonce_1`, `Nonce_2`, `m_Nonce`, then the message.
  public static let noClockPut = FrameCode(
    UInt8(ascii: "n"), UInt8(ascii: "p"), UInt8(ascii: "t"))
  /// Clock-free read: `Nonce_1`, `Nonce_2`, `m_Nonce`.
  public static let noClockGet = FrameCode(
    UInt8(ascii: "n"), UInt8(ascii: "g"), UInt8(ascii: "t"))
  /// Clock-free acceptance: `m_Nonce`, then `ok` or the stored message.
  public static let noClockAck = FrameCode(
    UInt8(ascii: "n"), UInt8(ascii: "a"), UInt8(ascii: "k"))
  /// Clock-free refusal: `m_Nonce`, then the reason.
  public static let noClockReject = FrameCode(
    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "j"))

  /// The code as text.
  public var description: String {
    String(decoding: [bytes[0], bytes[1], bytes[2]], as: UTF8.self)
  }

  /// Hashes the three bytes.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(bytes[0])
    hasher.combine(bytes[1])
    hasher.combine(bytes[2])
  }

  /// Compares the three bytes.
  public static func == (lhs: FrameCode, rhs: FrameCode) -> Bool {
    lhs.bytes[0] == rhs.bytes[0] && lhs.bytes[1] == rhs.bytes[1] && lhs.bytes[2] == rhs.bytes[2]
  }
}

/// The body of a frame: the sender's time, a code, and the message bytes.
public struct MessageFrame: Equatable, Sendable {
  /// The sender's clock when it sent the frame.
  public var time: Timestamp
  /// What the frame asks or answers.
  public var code: FrameCode
  /// The message (any bytes; UTF-8 text in the deployed system).
  public var payload: [UInt8]

  /// Creates a frame.
  public init(time: Timestamp, code: FrameCode, payload: [UInt8] = []) {
    self.time = time
    self.code = code
    self.payload = payload
  }

  /// The wire bytes: 20-character time, 3-character code, payload.
  public func encoded() -> [UInt8] {
    var bytes = time.field
    bytes.reserveCapacity(23 + payload.count)
    bytes.append(code.bytes[0])
    bytes.append(code.bytes[1])
    bytes.append(code.bytes[2])
    bytes.append(contentsOf: payload)
    return bytes
  }

  /// Parses a frame body.
  ///
  /// - Throws: ``ProtocolError/malformedFrame(_:)``: ``FrameProblem/tooShort`` under 23 bytes,
  ///   ``FrameProblem/invalidTime`` for a time field that is not strictly `DDDDDDDDDDDDDDD.DDDD`.
  public init(decoding bytes: Span<UInt8>) throws(ProtocolError) {
    guard bytes.count >= 23 else { throw .malformedFrame(.tooShort) }
    time = try Timestamp(field: bytes.extracting(0..<20))
    code = FrameCode(bytes[20], bytes[21], bytes[22])
    var payload: [UInt8] = []
    payload.reserveCapacity(bytes.count - 23)
    for index in 23..<bytes.count { payload.append(bytes[index]) }
    self.payload = payload
  }
}
