#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable byte buffer for encoding outgoing messages. One is kept per event loop and
/// reused, so encoding allocates nothing once it has grown to the largest message.
public final class ByteWriter {
    /// Start of the bytes written so far.
    public private(set) var base: UnsafeMutableRawPointer
    /// Number of bytes written.
    public private(set) var count = 0
    private var capacity: Int

    /// An empty writer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        self.base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// The written bytes; valid until the next write or reset.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// A copy of the written bytes.
    public var array: [UInt8] { Array(bytes) }

    /// Forgets what was written (keeping the memory), leaving `reserved` zeroed bytes at the start.
    public func reset(reserving reserved: Int = 0) {
        count = 0
        if reserved > 0 { appendZeros(reserved) }
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    public func ensureRoom(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends one byte.
    @inline(__always)
    public func append(_ byte: UInt8) {
        ensureRoom(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Appends raw bytes.
    @inline(__always)
    public func append(_ raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress, raw.count > 0 else { return }
        ensureRoom(raw.count)
        (base + count).copyMemory(from: source, byteCount: raw.count)
        count += raw.count
    }

    /// Appends an ASCII literal.
    @inline(__always)
    public func append(_ literal: StaticString) {
        append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 of `string` as it is (no escaping: for text that is already JSON).
    public func append(utf8 string: String) {
        var string = string
        string.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends bytes from an array.
    public func append(_ array: [UInt8]) {
        array.withUnsafeBytes { append($0) }
    }

    /// Appends `n` zero bytes.
    public func appendZeros(_ n: Int) {
        ensureRoom(n)
        (base + count).initializeMemory(as: UInt8.self, repeating: 0, count: n)
        count += n
    }

    /// Appends a decimal integer.
    public func append(decimal value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        append(unsignedDecimal: value.magnitude)
    }

    /// Appends a decimal unsigned integer (offsets and counters that are `UInt64`). A label of
    /// its own: an overload of `append(decimal:)` would make an integer literal ambiguous.
    public func append(unsignedDecimal value: UInt64) {
        ensureRoom(20)
        if value == 0 {
            append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, filled from the end
        withUnsafeMutableBytes(of: &digits) { scratch in
            var index = scratch.count
            while magnitude > 0 {
                index -= 1
                scratch[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            append(UnsafeRawBufferPointer(rebasing: scratch[index...]))
        }
    }

    /// Appends `string` as a JSON string literal, quotes included, escaping what RFC 8259 §7
    /// requires (quote, backslash, control characters). Other characters go through as UTF-8.
    public func appendJSONString(_ string: String) {
        var string = string
        string.withUTF8 { appendJSONString(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// Appends already valid UTF-8 bytes as a JSON string literal, quotes included.
    public func appendJSONString(utf8 raw: UnsafeRawBufferPointer) {
        ensureRoom(raw.count + 2)
        append(UInt8(ascii: "\""))
        guard let source = raw.baseAddress else {
            append(UInt8(ascii: "\""))
            return
        }
        var runStart = 0
        var index = 0
        let count = raw.count
        while index < count {
            // Skip eight clean bytes at a time; most text needs no escape at all.
            while index + 8 <= count && !WordScan.hasQuoteBackslashOrControl(source.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
            }
            let limit = min(count, index + 8)
            while index < limit {
                let byte = source.load(fromByteOffset: index, as: UInt8.self)
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                    index += 1
                    continue
                }
                if index > runStart { append(UnsafeRawBufferPointer(start: source + runStart, count: index - runStart)) }
                appendEscape(byte)
                index += 1
                runStart = index
            }
        }
        if count > runStart { append(UnsafeRawBufferPointer(start: source + runStart, count: count - runStart)) }
        append(UInt8(ascii: "\""))
    }

    private func appendEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            let hex: StaticString = "0123456789abcdef"
            append("\\u00")
            append(hex.utf8Start[Int(byte >> 4)])
            append(hex.utf8Start[Int(byte & 0xF)])
        }
    }
}
