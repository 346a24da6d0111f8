/// Writes RFC 6455 frame headers (§5.2). The server's frames are never masked; the masked
/// form is here for clients (tests, load-testing bots).
public enum WebSocketFrameEncoder {
    /// The longest header a server writes: 2 bytes plus a 64-bit length.
    public static let maxServerHeaderLength = 10

    /// Bytes the header of an unmasked frame with this payload length takes.
    @inlinable
    public static func headerLength(payloadCount: Int) -> Int {
        payloadCount < 126 ? 2 : (payloadCount <= 0xFFFF ? 4 : 10)
    }

    /// Writes an unmasked header ending exactly at `end` (so a payload already encoded after
    /// reserved space can be framed without a copy). Returns the header's first byte.
    @inlinable
    public static func writeHeader(
        opcode: WebSocketOpcode, fin: Bool = true, payloadCount: Int, endingAt end: UnsafeMutableRawPointer
    ) -> UnsafeMutableRawPointer {
        let length = headerLength(payloadCount: payloadCount)
        let start = end - length
        start.storeBytes(of: (fin ? 0x80 : 0) | opcode.rawValue, as: UInt8.self)
        switch length {
        case 2:
            start.storeBytes(of: UInt8(truncatingIfNeeded: payloadCount), toByteOffset: 1, as: UInt8.self)
        case 4:
            start.storeBytes(of: 126, toByteOffset: 1, as: UInt8.self)
            start.storeBytes(of: UInt16(truncatingIfNeeded: payloadCount).bigEndian, toByteOffset: 2, as: UInt16.self)
        default:
            start.storeBytes(of: 127, toByteOffset: 1, as: UInt8.self)
            start.storeBytes(of: UInt64(truncatingIfNeeded: payloadCount).bigEndian, toByteOffset: 2, as: UInt64.self)
        }
        return start
    }

    /// Frames the payload written into `writer` after `maxServerHeaderLength` reserved bytes
    /// (`writer.reset(reserving:)`): the header goes just before the payload, so nothing is
    /// copied. Returns the frame, valid until the writer is next used.
    public static func finishFrame(in writer: ByteWriter, opcode: WebSocketOpcode) -> UnsafeRawBufferPointer {
        let reserved = maxServerHeaderLength
        let start = writeHeader(opcode: opcode, payloadCount: writer.count - reserved, endingAt: writer.base + reserved)
        return UnsafeRawBufferPointer(start: start, count: writer.base + writer.count - start)
    }

    /// A whole unmasked frame.
    public static func frame(opcode: WebSocketOpcode, fin: Bool = true, payload: some Collection<UInt8>) -> [UInt8] {
        let count = payload.count
        let headerCount = headerLength(payloadCount: count)
        var bytes = [UInt8](repeating: 0, count: headerCount)
        bytes.withUnsafeMutableBytes { raw in
            _ = writeHeader(opcode: opcode, fin: fin, payloadCount: count, endingAt: raw.baseAddress! + headerCount)
        }
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// The payload of a close frame: the code in network order, then the UTF-8 reason, cut to
    /// fit the 125-byte control-frame limit (§5.5) on a character boundary.
    public static func closePayload(code: WebSocketCloseCode, reason: String) -> [UInt8] {
        var payload: [UInt8] = [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xFF)]
        var room = 123
        for scalar in reason.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            if encoded.count > room { break }
            payload.append(contentsOf: encoded)
            room -= encoded.count
        }
        return payload
    }

    /// A masked frame, as a client sends it (§5.3).
    public static func maskedFrame(
        opcode: WebSocketOpcode, fin: Bool = true, payload: [UInt8], maskKey: (UInt8, UInt8, UInt8, UInt8),
        rsv: UInt8 = 0
    ) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | (rsv & 0x7) << 4 | opcode.rawValue]
        let count = payload.count
        if count < 126 {
            bytes.append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            bytes.append(0x80 | 126)
            bytes.append(UInt8(count >> 8))
            bytes.append(UInt8(count & 0xFF))
        } else {
            bytes.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((UInt64(count) >> UInt64(shift)) & 0xFF)) }
        }
        let key = [maskKey.0, maskKey.1, maskKey.2, maskKey.3]
        bytes.append(contentsOf: key)
        for (index, byte) in payload.enumerated() { bytes.append(byte ^ key[index & 3]) }
        return bytes
    }
}
