import Glibc

/// The slot count, each slot as an optional value (a presence byte, then the value), then the
/// free list in order: a restored table has the same slots, and hands out the same ones next.
extension SlotTable: BinaryCodable where Element: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeCount(slotCount)
        for slot in 0..<slotCount {
            // A snapshot encodes hundreds of thousands of slots in the background while an
            // event loop and the log thread share the core: SCHED_IDLE alone still let a woken
            // log thread wait for the next tick (its syncs went from 0.3 to 6-7 ms for the
            // whole encoding, and every reply with them). Yielding now and then lets it run.
            if slot % 256 == 255 { sched_yield() }
            writer.writeBool(isOccupied(slot))
            if isOccupied(slot) { self[slot].encode(into: &writer) }
        }
        writer.write(freeList)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        let slots: [Element?] = try reader.read()
        let freeList: [Int] = try reader.read()
        guard let table = SlotTable(slots: slots, freeList: freeList) else {
            throw .inconsistent("the free list is not the free slots, each once", at: start)
        }
        self = table
    }
}
