import Protocol

/// The capacity, then the entries oldest first: each key, operation and first answer.
extension IdempotencyCache: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(capacity)
        writer.writeCount(entries.count)
        for entry in entries {
            writer.writeString(entry.key)
            writer.write(entry.operation)
            writer.write(entry.reply)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        let capacity: Int = try reader.read()
        let count = try reader.readCount()
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            entries.append(Entry(key: try reader.readString(), operation: try reader.read(), reply: try reader.read()))
        }
        guard let cache = IdempotencyCache(capacity: capacity, entries: entries) else {
            throw .inconsistent("\(count) idem entries for a capacity of \(capacity)", at: start)
        }
        self = cache
    }
}
