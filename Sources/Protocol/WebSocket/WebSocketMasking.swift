/// XOR-unmasking of client payloads (RFC 6455 §5.3), a word at a time.
public enum WebSocketMasking {
    /// Unmasks `count` bytes at `base` in place. `phase` is how many payload bytes came before
    /// these (the key is applied cyclically from the payload's first byte).
    @inlinable
    public static func unmask(_ base: UnsafeMutableRawPointer, count: Int, key: UInt32, phase: Int) {
        if count == 0 { return }
        // `key` holds the four key bytes in memory order; rotate so the first byte here is key[phase].
        var rotated = key
        let shift = UInt32((phase & 3) * 8)
        if shift != 0 {
            withUnsafeMutableBytes(of: &rotated) { raw in
                var keyBytes = (UInt8(0), UInt8(0), UInt8(0), UInt8(0))
                withUnsafeBytes(of: key) { source in
                    let p = phase & 3
                    keyBytes = (source[p], source[(p + 1) & 3], source[(p + 2) & 3], source[(p + 3) & 3])
                }
                raw[0] = keyBytes.0
                raw[1] = keyBytes.1
                raw[2] = keyBytes.2
                raw[3] = keyBytes.3
            }
        }
        let wide = UInt64(rotated) | (UInt64(rotated) << 32)
        var index = 0
        while index + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            base.storeBytes(of: word ^ wide, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        if index < count {
            // The tail is up to 7 bytes but the key only 4: wrap around it.
            withUnsafeBytes(of: rotated) { keyBytes in
                var keyIndex = 0
                while index < count {
                    let byte = base.load(fromByteOffset: index, as: UInt8.self)
                    base.storeBytes(of: byte ^ keyBytes[keyIndex & 3], toByteOffset: index, as: UInt8.self)
                    index += 1
                    keyIndex += 1
                }
            }
        }
    }
}
