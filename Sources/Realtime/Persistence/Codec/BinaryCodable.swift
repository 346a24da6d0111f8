/// A value with a binary form (docs/CODEC.md): written by `encode(into:)`, read back equal by
/// `init(decoding:)`. Enums write a tag byte from a table of fixed numbers first; structs
/// write their fields in a fixed order, with no names and no padding.
protocol BinaryCodable {
    func encode(into writer: inout BinaryWriter)
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError)
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

extension String: BinaryCodable {
    func encode(into writer: inout BinaryWriter) { writer.writeString(self) }
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) { self = try reader.readString() }
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
