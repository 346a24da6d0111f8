import Glibc

/// Appends values to a byte array in the codec's binary form (docs/CODEC.md): fixed-width
/// integers little-endian, variable-width integers as LEB128 (signed ones zigzag-mapped
/// first), strings as a LEB128 byte count and their UTF-8. It never fails; `BinaryReader`
/// reads it back.
struct BinaryWriter {
    /// What has been written so far. Copy it out (append it to a log buffer, write it) rather
    /// than keep it: an array kept shares the writer's buffer, and the next write or `reset()`
    /// then has to allocate a new one of the full capacity.
    private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes before it grows.
    init(reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Forgets what was written, keeping the capacity, so one writer serves record after record.
    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    // MARK: Fixed width

    mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    /// One byte: 0 or 1.
    mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func writeUInt32LE(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func writeUInt64LE(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The IEEE 754 bit pattern, 8 bytes little-endian, so every value (NaN payloads and -0
    /// included) comes back bit for bit.
    mutating func writeDouble(_ value: Double) { writeUInt64LE(value.bitPattern) }

    // MARK: Variable width

    /// LEB128: 7 bits a byte, low bits first, the high bit set on every byte but the last
    /// (1 byte below 128, at most 10).
    mutating func writeVarUInt(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Zigzag (0, -1, 1, -2, ... become 0, 1, 2, 3, ...) then LEB128, so small negative
    /// numbers stay short.
    mutating func writeVarInt(_ value: Int64) {
        writeVarUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A byte count (LEB128) and the UTF-8 bytes.
    mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            writeVarUInt(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    // MARK: Composites

    /// A tag byte from one of the codec's tag tables.
    mutating func writeTag<Tag: RawRepresentable>(_ tag: Tag) where Tag.RawValue == UInt8 { bytes.append(tag.rawValue) }

    /// A value of a type that knows its binary form.
    mutating func write(_ value: some BinaryCodable) { value.encode(into: &self) }

    /// An element count (LEB128).
    mutating func writeCount(_ count: Int) { writeVarUInt(UInt64(count)) }

    /// A count, then each key and value, in the keys' encoding order: the same dictionary
    /// always gives the same bytes, whatever its hash seed or history.
    mutating func writeDictionary<Key: BinaryDictionaryKey, Value: BinaryCodable>(_ dictionary: [Key: Value]) {
        writeCount(dictionary.count)
        // The keys alone are sorted, then looked up (each is there): sorting (key, value) pairs
        // moves more. Sorting 300,000 names is a long stretch of CPU: a snapshot thread yields
        // the core now and then through it (see SlotTable's encoding).
        var comparisons = 0
        let keys = dictionary.keys.sorted { first, second in
            comparisons += 1
            if comparisons % 8192 == 0 { sched_yield() }
            return Key.encodesBefore(first, second)
        }
        for (index, key) in keys.enumerated() {
            if index % 1024 == 1023 { sched_yield() }
            key.encode(into: &self)
            dictionary[key].unsafelyUnwrapped.encode(into: &self)
        }
    }
}
