// ClientCore.swift: the client's side of one exchange, minus the transport.
// Reference: wire format v1 §5 (client rules).
// SPDX-License-Identifier: Apache-2.0

/// How the server answered a request.
public enum ClientOutcome: Equatable, Sendable {
  /// `ack`: for `put` the payload is `ok`; for `get` it is the stored message.
  case acknowledged(payload: [UInt8])
  /// `rej`: the server refused the request; the reason is `replayed`, `stale` or `future`.
  case rejected(reason: String)
}

/// The client's logic: builds request bodies and checks replies, like the deployed client but
/// telling a refusal apart from an insecure reply.
public enum ClientCore {
  /// The HTTP body for a request.
  ///
  /// - Parameters:
  ///   - code: Usually ``FrameCode/put`` or ``FrameCode/get``.
  ///   - message: The payload.
  ///   - time: The client's clock; the reply must echo it.
  ///   - ring: The layer keys.
  ///   - rng: The source of the mask and IVs.
  public static func requestBody(
    code: FrameCode, message: [UInt8], time: Timestamp, ring: borrowing KeyRing,
    using rng: inout some RandomNumberGenerator
  ) -> [UInt8] {
    WireFormat.body(
      sealing: MessageFrame(time: time, code: code, payload: message), ring: ring,
      fernetTime: time.unixSeconds, using: &rng)
  }

  /// Checks a reply body against the request's time.
  ///
  /// - Throws: ``ProtocolError/malformedBody``, ``ProtocolError/undecryptable``,
  ///   ``ProtocolError/malformedFrame(_:)``, or ``ProtocolError/unexpectedReply`` when the
  ///   reply does not echo `sentTime` or carries a code other than `ack` or `rej`.
  public static func outcome(
    ofReply body: Span<UInt8>, sentTime: Timestamp, ring: borrowing KeyRing
  ) throws(ProtocolError) -> ClientOutcome {
    let token = try WireFormat.token(fromBody: body)
    let frame = try SecureChannel.open(token.span, ring: ring)
    guard frame.time == sentTime else { throw .unexpectedReply }
    switch frame.code {
    case .ack: return .acknowledged(payload: frame.payload)
    case .reject: return .rejected(reason: String(decoding: frame.payload, as: UTF8.self))
    default: throw .unexpectedReply
    }
  }
}
