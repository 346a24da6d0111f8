import CPartyHubSystem
import Glibc

/// Bytes from the kernel's CSPRNG (getrandom(2)). The hub never calls this: its driver draws
/// what a command needs (party ids, invite codes) and hands it in, so the hub stays replayable.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { raw in partyhub_getrandom(raw.baseAddress! + filled, count - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                fatalError("getrandom failed: \(SystemError("getrandom"))")
            }
            filled += got
        }
        return bytes
    }

    /// A uniformly random index below `bound`, without modulo bias.
    public static func index(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= 256, "bound must be in 1...256")
        let limit = 256 - 256 % bound
        while true {
            for byte in bytes(16) where Int(byte) < limit { return Int(byte) % bound }
        }
    }

    /// `count` random bytes as `2 * count` lowercase hex characters (a loot roll's secret seed).
    public static func hexString(bytes count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(count * 2)
        for byte in bytes(count) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A random version 4 UUID, lowercase (RFC 9562 §5.4).
    public static func uuidString() -> String {
        var raw = bytes(16)
        raw[6] = raw[6] & 0x0F | 0x40
        raw[8] = raw[8] & 0x3F | 0x80
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in raw.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
