import Protocol

extension EventHistory {
    /// The capacity, the start, then the ring in slot order; each event as its `seq` and body,
    /// its party id only when it is not `partyID` (the owning party's: every event a party
    /// stores is its own, so the id is not repeated a few hundred times).
    func encode(into writer: inout BinaryWriter, partyID: String) {
        writer.write(capacity)
        writer.write(start)
        writer.writeCount(ring.count)
        for event in ring {
            writer.write(event.partyID == partyID ? nil : event.partyID)
            writer.writeVarUInt(event.seq)
            writer.write(event.body)
        }
    }

    /// Reads what `encode(into:partyID:)` wrote for the party `partyID`.
    init(decoding reader: inout BinaryReader, partyID: String) throws(BinaryDecodingError) {
        let start = reader.offset
        let capacity: Int = try reader.read()
        let ringStart: Int = try reader.read()
        let count = try reader.readCount()
        var ring: [PartyEvent] = []
        ring.reserveCapacity(count)
        for _ in 0..<count {
            let otherPartyID: String? = try reader.read()
            ring.append(
                PartyEvent(partyID: otherPartyID ?? partyID, seq: try reader.readVarUInt(), body: try reader.read()))
        }
        guard let history = EventHistory(capacity: capacity, ring: ring, start: ringStart) else {
            throw .inconsistent("a history ring of \(count) events from \(ringStart) in \(capacity) slots", at: start)
        }
        self = history
    }
}
