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

    /// A copy of an array (control frames, HTTP responses).
    static func copy(_ bytes: [UInt8]) -> OutboundBytes {
        bytes.withUnsafeBytes { copy($0) }
    }

    /// The number of bytes.
    var count: Int { header }

    /// The first byte; stable for the object's lifetime.
    var base: UnsafeMutablePointer<UInt8> { withUnsafeMutablePointerToElements { $0 } }
}
