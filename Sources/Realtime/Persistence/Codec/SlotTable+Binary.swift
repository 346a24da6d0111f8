/// The slot count, each slot as an optional value (a presence byte, then the value), then the
/// free list in order: a restored table has the same slots, and hands out the same ones next.
extension SlotTable: BinaryCodable where Element: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeCount(slotCount)
        for slot in 0..<slotCount {
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
