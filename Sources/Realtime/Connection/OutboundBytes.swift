import Glibc
import Protocol

/// An immutable, reference-counted run of bytes to send: one encoded frame, shared by every
/// connection it goes to. Header and bytes are one allocation (ManagedBuffer).
final class OutboundBytes: ManagedBuffer<Int, UInt8> {
    /// A copy of `bytes`.
    static func copy(_ bytes: UnsafeRawBufferPointer) -> OutboundBytes {
        let buffer = OutboundBytes.create(minimumCapacity: max(bytes.count, 1)) { _ in bytes.count }
        let outbound = unsafeDowncast(buffer, to: OutboundBytes.self)
        if let source = bytes.baseAddress, bytes.count > 0 {
            outbound.withUnsafeMutablePointerToElements { $0.update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
        }
        return outbound
    }

    /// `message` as one text frame, encoded with the loop's scratch `writer`: the bytes every
    /// recipient of the message shares.
    static func frame(_ message: ServerMessage, using writer: ByteWriter) -> OutboundBytes {
        copy(ServerMessageEncoder.encodeFrame(message, into: writer))
    }

    /// A close frame with `code` and `reason` (cut to fit a control frame).
    static func closeFrame(_ code: WebSocketCloseCode, reason: String) -> OutboundBytes {
        copy(WebSocketFrameEncoder.frame(opcode: .close, payload: WebSocketFrameEncoder.closePayload(code: code, reason: reason)))
    }

    /// One text frame carrying a copy of `payload`, header and payload in one allocation (an
    /// event read back from its file).
    static func textFrame(payload: UnsafeRawBufferPointer) -> OutboundBytes {
        let headerCount = WebSocketFrameEncoder.headerLength(payloadCount: payload.count)
        let total = headerCount + payload.count
        let buffer = OutboundBytes.create(minimumCapacity: total) { _ in total }
        let outbound = unsafeDowncast(buffer, to: OutboundBytes.self)
        outbound.withUnsafeMutablePointerToElements { base in
            _ = WebSocketFrameEncoder.writeHeader(opcode: .text, payloadCount: payload.count, endingAt: UnsafeMutableRawPointer(base + headerCount))
            if let source = payload.baseAddress, payload.count > 0 {
                (base + headerCount).update(from: source.assumingMemoryBound(to: UInt8.self), count: payload.count)
            }
        }
        return outbound
    }

    /// The payload of the unmasked frame these bytes hold (after its 2, 4 or 10 header bytes,
    /// RFC 6455 §5.2); valid while this object lives.
    var framePayload: UnsafeRawBufferPointer {
        precondition(count >= 2, "a frame has at least its two header bytes")
        let lengthCode = base[1] & 0x7F
        let headerCount = lengthCode < 126 ? 2 : (lengthCode == 126 ? 4 : 10)
        return UnsafeRawBufferPointer(start: base + headerCount, count: count - headerCount)
    }

    /// A copy of an array (control frames, HTTP responses).
    static func copy(_ bytes: [UInt8]) -> OutboundBytes {
        bytes.withUnsafeBytes { copy($0) }
    }

    /// The number of bytes.
    var count: Int { header }

    /// The first byte; stable for the object's lifetime.
    var base: UnsafeMutablePointer<UInt8> { withUnsafeMutablePointerToElements { $0 } }
}
