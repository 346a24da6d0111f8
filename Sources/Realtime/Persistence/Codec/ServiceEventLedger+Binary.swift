import Glibc

/// The ids taken, oldest first, each with the time it was taken (a count, then id and time
/// pairs). Decoding refuses a repeated id or times that go back.
extension ServiceEventLedger: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        let entries = oldestFirst
        writer.writeCount(entries.count)
        for (index, entry) in entries.enumerated() {
            // A snapshot encodes up to a hundred thousand ids and more in the background: let
            // the log thread and the loop have the core now and then (see SlotTable's encoding).
            if index % 4096 == 4095 { sched_yield() }
            writer.writeString(entry.id)
            writer.writeVarInt(entry.takenAt)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        let count = try reader.readCount()
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count { entries.append(Entry(id: try reader.readString(), takenAt: try reader.readVarInt())) }
        guard let ledger = ServiceEventLedger(oldestFirst: entries) else {
            throw .inconsistent("the service event ids repeat, or their times go back", at: start)
        }
        self = ledger
    }
}
