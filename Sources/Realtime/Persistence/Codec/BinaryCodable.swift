import Glibc

/// A value with a binary form (docs/CODEC.md): written by `encode(into:)`, read back equal by
/// `init(decoding:)`. Enums write a tag byte from a table of fixed numbers first; structs
/// write their fields in a fixed order, with no names and no padding.
protocol BinaryCodable {
    func encode(into writer: inout BinaryWriter)
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError)
}

/// A dictionary key with a fixed order to encode in, so that equal dictionaries give equal
/// bytes (their iteration order depends on the hash seed and on their history).
protocol BinaryDictionaryKey: BinaryCodable, Hashable {
    /// Whether `left` is written before `right`: a strict total order that never changes.
    static func encodesBefore(_ left: Self, _ right: Self) -> Bool
}

extension Bool: BinaryCodable {
    func encode(into writer: inout BinaryWriter) { writer.writeBool(self) }
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) { self = try reader.readBool() }
}

/// Zigzag LEB128.
extension Int64: BinaryCodable {
    func encode(into writer: inout BinaryWriter) { writer.writeVarInt(self) }
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) { self = try reader.readVarInt() }
}

/// LEB128.
extension UInt64: BinaryCodable {
    func encode(into writer: inout BinaryWriter) { writer.writeVarUInt(self) }
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) { self = try reader.readVarUInt() }
}

/// As an `Int64`: zigzag LEB128.
extension Int: BinaryCodable {
    func encode(into writer: inout BinaryWriter) { writer.writeVarInt(Int64(self)) }
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        let value = try reader.readVarInt()
        guard let int = Int(exactly: value) else { throw .valueOutOfRange(UInt64(bitPattern: value), "Int", at: start) }
        self = int
    }
}

/// The bit pattern, 8 bytes.
extension Double: BinaryCodable {
    func encode(into writer: inout BinaryWriter) { writer.writeDouble(self) }
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) { self = try reader.readDouble() }
}

extension String: BinaryDictionaryKey {
    func encode(into writer: inout BinaryWriter) { writer.writeString(self) }
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) { self = try reader.readString() }

    /// The order of the UTF-8 bytes, which no Unicode or standard library version can change
    /// (unlike `<`, which compares canonical equivalents), compared in place: sorting keys
    /// with `utf8.lexicographicallyPrecedes` was half the time of encoding a large hub.
    static func encodesBefore(_ left: String, _ right: String) -> Bool {
        let inPlace = left.utf8.withContiguousStorageIfAvailable { left in
            right.utf8.withContiguousStorageIfAvailable { right in
                let common = Swift.min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
        // Only a bridged or foreign string has no contiguous UTF-8; the hub holds none.
        return (inPlace ?? nil) ?? left.utf8.lexicographicallyPrecedes(right.utf8)
    }
}

/// A presence byte (0: nil, 1: a value follows) and the value.
extension Optional: BinaryCodable where Wrapped: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeBool(self != nil)
        if let self { self.encode(into: &writer) }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self = try reader.readBool() ? try Wrapped(decoding: &reader) : nil
    }
}

/// An element count (LEB128) and the elements.
extension Array: BinaryCodable where Element: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeCount(count)
        for element in self { element.encode(into: &writer) }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let count = try reader.readCount()
        self = []
        reserveCapacity(count)
        for _ in 0..<count { append(try Element(decoding: &reader)) }
    }
}
