import Glibc

/// Reads what `BinaryWriter` wrote, from memory the caller keeps alive while it decodes.
///
/// Every read checks the bytes left first, and every length or count is checked against them
/// before the caller allocates anything for it (each element takes at least one byte), so no
/// input, however corrupt, makes it trap or allocate more than the input's size in elements:
/// a failure is a `BinaryDecodingError` naming the offset.
struct BinaryReader {
    private let bytes: UnsafeRawBufferPointer
    /// How far the reader has read, from the start of `bytes`.
    private(set) var offset = 0

    /// A reader at the start of `bytes`; the caller keeps the memory alive while decoding.
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The bytes not read yet.
    var remaining: Int { bytes.count - offset }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset == bytes.count }

    /// Throws unless every byte has been read (a value that should be all there is).
    func expectEnd() throws(BinaryDecodingError) {
        if !isAtEnd { throw .trailingBytes(remaining, at: offset) }
    }

    // MARK: Fixed width

    mutating func readUInt8() throws(BinaryDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(needed: 1, remaining: 0, at: offset) }
        let byte = bytes[offset]
        offset += 1
        return byte
    }

    /// A byte that must be 0 or 1.
    mutating func readBool() throws(BinaryDecodingError) -> Bool {
        let byte = try readUInt8()
        guard byte <= 1 else { throw .invalidBool(byte, at: offset - 1) }
        return byte == 1
    }

    mutating func readUInt32LE() throws(BinaryDecodingError) -> UInt32 {
        UInt32(littleEndian: try readFixed(UInt32.self))
    }

    mutating func readUInt64LE() throws(BinaryDecodingError) -> UInt64 {
        UInt64(littleEndian: try readFixed(UInt64.self))
    }

    /// A bit pattern of 8 bytes.
    mutating func readDouble() throws(BinaryDecodingError) -> Double { Double(bitPattern: try readUInt64LE()) }

    private mutating func readFixed<Value: FixedWidthInteger>(_: Value.Type) throws(BinaryDecodingError) -> Value {
        let size = MemoryLayout<Value>.size
        guard remaining >= size else { throw .truncated(needed: size, remaining: remaining, at: offset) }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: Value.self)
        offset += size
        return value
    }

    // MARK: Variable width

    /// LEB128, in its shortest form and at most 64 bits (anything else is an error, so each
    /// number has exactly one encoding).
    mutating func readVarUInt() throws(BinaryDecodingError) -> UInt64 {
        // Most numbers (counts, tags, lengths, small slots) take one byte.
        if offset < bytes.count && bytes[offset] < 0x80 {
            offset += 1
            return UInt64(bytes[offset - 1])
        }
        return try readMultibyteVarUInt()
    }

    private mutating func readMultibyteVarUInt() throws(BinaryDecodingError) -> UInt64 {
        let start = offset
        var index = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            // The tenth byte holds the 64th bit alone.
            if shift == 63 && byte > 1 { throw .varIntTooLong(at: start) }
            value |= UInt64(byte & 0x7F) &<< shift
            if byte < 0x80 {
                // A last byte of 0 after others adds nothing: not the shortest form.
                if byte == 0 { throw .varIntNotMinimal(at: start) }
                offset = index
                return value
            }
            shift += 7
        }
        throw .truncated(needed: index - start + 1, remaining: bytes.count - start, at: start)
    }

    /// Zigzag LEB128.
    mutating func readVarInt() throws(BinaryDecodingError) -> Int64 {
        let zigzag = try readVarUInt()
        return Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1)))
    }

    /// A byte length or an element count, refused when it exceeds the bytes left (each
    /// element takes at least one byte): checked before the caller allocates for it.
    mutating func readCount() throws(BinaryDecodingError) -> Int {
        let start = offset
        let count = try readVarUInt()
        guard count <= UInt64(remaining) else { throw .lengthExceedsInput(count, remaining: remaining, at: start) }
        return Int(count)
    }

    /// A byte length and that many bytes of valid UTF-8.
    mutating func readString() throws(BinaryDecodingError) -> String {
        let start = offset
        let length = try readCount()
        if length == 0 { return "" }
        // `String(decoding:)` replaces invalid UTF-8 with U+FFFD, so the bytes come back the
        // same exactly when they were valid. (`String(validating:)` is not specialized: its
        // generic metadata lookups cost more than this second pass.)
        let raw = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
        let string: String? = raw.withMemoryRebound(to: UInt8.self) { utf8 in
            var string = String(decoding: utf8, as: UTF8.self)
            let unchanged = string.withUTF8 {
                $0.count == length && memcmp($0.baseAddress!, utf8.baseAddress!, length) == 0
            }
            return unchanged ? string : nil
        }
        guard let string else { throw .invalidUTF8(at: start) }
        offset += length
        return string
    }

    // MARK: Composites

    /// A tag byte, which must be in `Tag`'s table.
    mutating func readTag<Tag: RawRepresentable>(_: Tag.Type = Tag.self) throws(BinaryDecodingError) -> Tag
    where Tag.RawValue == UInt8 {
        let byte = try readUInt8()
        guard let tag = Tag(rawValue: byte) else {
            throw .unknownTag(byte, of: String(describing: Tag.self), at: offset - 1)
        }
        return tag
    }

    /// A value of a type that knows its binary form.
    mutating func read<Value: BinaryCodable>(_: Value.Type = Value.self) throws(BinaryDecodingError) -> Value {
        try Value(decoding: &self)
    }

    /// What `BinaryWriter.writeDictionary` wrote; a key that comes twice is an error.
    mutating func readDictionary<Key: BinaryCodable & Hashable, Value: BinaryCodable>() throws(BinaryDecodingError)
        -> [Key: Value]
    {
        let count = try readCount()
        var dictionary: [Key: Value] = [:]
        dictionary.reserveCapacity(count)
        for _ in 0..<count {
            let start = offset
            let key = try Key(decoding: &self)
            if dictionary.updateValue(try Value(decoding: &self), forKey: key) != nil { throw .duplicateKey(at: start) }
        }
        return dictionary
    }
}

extension Array where Element == UInt8 {
    /// Decodes these bytes with `body`, which must use all of them.
    func decodeBinary<Value>(_ body: (inout BinaryReader) throws(BinaryDecodingError) -> Value) throws(BinaryDecodingError) -> Value {
        try withUnsafeBytes { bytes in
            Swift.Result { () throws(BinaryDecodingError) in
                var reader = BinaryReader(bytes)
                let value = try body(&reader)
                try reader.expectEnd()
                return value
            }
        }.get()
    }
}
