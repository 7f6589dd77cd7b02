// ClientCore+ClockFree.swift: the client's side of the clock-free modes: time sync with a
// nonce, and the Nonce_1/Nonce_2 handshake with an m_Nonce per request.
// Reference: docs/PROTOCOL.md §2.
// SPDX-License-Identifier: Apache-2.0

/// Why a clock-free exchange's reply was refused by the client.
public enum ClockFreeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The reply did not open or parse (see the protocol error).
  case protocolError(ProtocolError)
  /// The reply carries a code this step does not expect, or does not echo the request's time.
  case unexpectedCode(FrameCode)
  /// The reply does not echo the nonce this request chose: a replayed or misdirected reply.
  case wrongNonce
  /// The reply's payload is not the nonces and fields this step expects.
  case malformedPayload
  /// The time sync round trip took longer than ``ClientCore/maximumSyncRoundTrip``.
  case roundTripTooLong(nanoseconds: UInt64)

  /// A one-line explanation.
  public var description: String {
    switch self {
    case .protocolError(let error): return error.description
    case .unexpectedCode(let code):
      return "the reply's code '\(code)' or time does not answer this request"
    case .wrongNonce:
      return "the reply does not echo this request's nonce (a replayed or misdirected reply)"
    case .malformedPayload: return "the reply's payload is malformed"
    case .roundTripTooLong(let nanoseconds):
      return "the time sync took \(nanoseconds / 1_000_000) ms; at most 2000 ms is trusted"
    }
  }
}

/// The difference between the server's clock and this client's, in 1/10000 s.
public struct TimeOffset: Equatable, Sendable {
  /// Server time minus client time, in ticks (1/10000 s).
  public var ticks: Int64

  /// An offset of `ticks`.
  public init(ticks: Int64) {
    self.ticks = ticks
  }

  /// The local time `local` as the server's clock would read it (clamped at the epoch).
  public func applied(to local: Timestamp) -> Timestamp {
    if ticks >= 0 { return Timestamp(ticks: local.ticks &+ UInt64(ticks)) }
    let back = ticks.magnitude
    return Timestamp(ticks: local.ticks > back ? local.ticks - back : 0)
  }
}

extension ClientCore {
  /// The time field of clock-free requests: `000000000000000.0000`.
  public static let clockFreeTime = Timestamp(ticks: 0)

  /// The longest time sync round trip trusted: 2 s, so a delay skews the offset by at most 1 s.
  public static let maximumSyncRoundTrip: UInt64 = 2_000_000_000

  // MARK: Time sync

  /// The body of a `tsq` request carrying `nonce`, stamped with the client's clock `time`.
  public static func timeSyncRequestBody(
    nonce: Nonce, time: Timestamp, ring: borrowing KeyRing,
    using rng: inout some RandomNumberGenerator
  ) -> [UInt8] {
    requestBody(code: .timeSyncRequest, message: nonce.hex, time: time, ring: ring, using: &rng)
  }

  /// The server's time from a `tsr` reply, after checking that it echoes `nonce` and `sentTime`.
  ///
  /// - Throws: ``ClockFreeError``: ``ClockFreeError/wrongNonce`` for a reply to another
  ///   request (a replayed `tsr`), ``ClockFreeError/unexpectedCode(_:)``,
  ///   ``ClockFreeError/malformedPayload`` or ``ClockFreeError/protocolError(_:)``.
  public static func serverTime(
    ofTimeSyncReply body: Span<UInt8>, nonce: Nonce, sentTime: Timestamp,
    ring: borrowing KeyRing
  ) throws(ClockFreeError) -> Timestamp {
    let frame = try openReply(body, ring: ring)
    guard frame.code == .timeSyncResponse, frame.time == sentTime else {
      throw .unexpectedCode(frame.code)
    }
    guard frame.payload.count == Nonce.hexLength + Timestamp.fieldLength,
      let echoed = Nonce(hex: frame.payload.span.extracting(0..<Nonce.hexLength))
    else { throw .malformedPayload }
    guard echoed == nonce else { throw .wrongNonce }
    do {
      return try Timestamp(
        field: frame.payload.span.extracting(Nonce.hexLength..<frame.payload.count))
    } catch {
      throw .malformedPayload
    }
  }

  /// The offset to add to the local clock: the server's time minus the local time at the middle
  /// of the round trip.
  ///
  /// - Parameters:
  ///   - serverTime: From ``serverTime(ofTimeSyncReply:nonce:sentTime:ring:)``.
  ///   - sentAt: The local wall clock when the request was sent.
  ///   - roundTrip: Nanoseconds from sending to receiving, from a monotonic clock.
  /// - Throws: ``ClockFreeError/roundTripTooLong(nanoseconds:)`` over 2 s.
  public static func timeOffset(serverTime: Timestamp, sentAt: Timestamp, roundTrip: UInt64)
    throws(ClockFreeError) -> TimeOffset
  {
    guard roundTrip <= maximumSyncRoundTrip else { throw .roundTripTooLong(nanoseconds: roundTrip) }
    let middle = sentAt.ticks &+ roundTrip / 200_000
    let difference =
      serverTime.ticks >= middle
      ? Int64(clamping: serverTime.ticks - middle) : -Int64(clamping: middle - serverTime.ticks)
    return TimeOffset(ticks: difference)
  }

  // MARK: Handshake

  /// The body of an `hs1` request carrying `Nonce_1` (for `POST /handshake`).
  public static func handshakeStartBody(
    nonce: Nonce, ring: borrowing KeyRing, using rng: inout some RandomNumberGenerator
  ) -> [UInt8] {
    requestBody(
      code: .handshakeStart, message: nonce.hex, time: clockFreeTime, ring: ring, using: &rng)
  }

  /// The pending pair from an `hs2` reply, after checking that it echoes `Nonce_1`.
  ///
  /// - Throws: ``ClockFreeError``, ``ClockFreeError/wrongNonce`` for a reply to another start.
  public static func pair(
    ofHandshakeReply body: Span<UInt8>, nonce: Nonce, ring: borrowing KeyRing
  ) throws(ClockFreeError) -> NoncePair {
    let frame = try openReply(body, ring: ring)
    guard frame.code == .handshakeReply, frame.time == clockFreeTime else {
      throw .unexpectedCode(frame.code)
    }
    guard frame.payload.count == 2 * Nonce.hexLength,
      let nonces = Nonce.leading(2, of: frame.payload)
    else { throw .malformedPayload }
    guard nonces[0] == nonce else { throw .wrongNonce }
    return NoncePair(first: nonces[0], second: nonces[1])
  }

  /// The body of an `npt` or `ngt` request bound to `pair`, with a fresh `m_Nonce`.
  ///
  /// - Parameters:
  ///   - code: ``FrameCode/noClockPut`` or ``FrameCode/noClockGet``.
  ///   - pair: From ``pair(ofHandshakeReply:nonce:ring:)``.
  ///   - messageNonce: A fresh nonce that the reply must echo.
  ///   - message: The message to store (`npt` only).
  public static func boundRequestBody(
    code: FrameCode, pair: NoncePair, messageNonce: Nonce, message: [UInt8] = [],
    ring: borrowing KeyRing, using rng: inout some RandomNumberGenerator
  ) -> [UInt8] {
    var payload = pair.first.hex
    pair.second.appendHex(to: &payload)
    messageNonce.appendHex(to: &payload)
    if code == .noClockPut { payload.append(contentsOf: message) }
    return requestBody(code: code, message: payload, time: clockFreeTime, ring: ring, using: &rng)
  }

  /// Checks a `nak` / `nrj` reply against the request's `m_Nonce`.
  ///
  /// - Returns: ``ClientOutcome/acknowledged(payload:)`` with `ok` or the stored message, or
  ///   ``ClientOutcome/rejected(reason:)`` with `unknown pair` or `expired pair`.
  /// - Throws: ``ClockFreeError``, ``ClockFreeError/wrongNonce`` for a reply to another request.
  public static func outcome(
    ofBoundReply body: Span<UInt8>, messageNonce: Nonce, ring: borrowing KeyRing
  ) throws(ClockFreeError) -> ClientOutcome {
    let frame = try openReply(body, ring: ring)
    guard frame.code == .noClockAck || frame.code == .noClockReject,
      frame.time == clockFreeTime
    else { throw .unexpectedCode(frame.code) }
    guard let nonces = Nonce.leading(1, of: frame.payload) else { throw .malformedPayload }
    guard nonces[0] == messageNonce else { throw .wrongNonce }
    let rest = Array(frame.payload[Nonce.hexLength...])
    if frame.code == .noClockAck { return .acknowledged(payload: rest) }
    return .rejected(reason: String(decoding: rest, as: UTF8.self))
  }

  private static func openReply(_ body: Span<UInt8>, ring: borrowing KeyRing)
    throws(ClockFreeError) -> MessageFrame
  {
    do {
      let token = try WireFormat.token(fromBody: body)
      return try SecureChannel.open(token.span, ring: ring)
    } catch {
      throw .protocolError(error)
    }
  }
}
