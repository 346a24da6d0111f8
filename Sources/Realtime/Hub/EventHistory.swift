import Protocol

/// A party's last events, in order: a ring that drops the oldest when full.
struct EventHistory: Sendable {
    let capacity: Int
    private var ring: [PartyEvent] = []
    /// Where the oldest event is once the ring is full.
    private var start = 0

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { ring.count }

    mutating func append(_ event: PartyEvent) {
        guard capacity > 0 else { return }
        if ring.count < capacity {
            ring.append(event)
        } else {
            ring[start] = event
            start = (start + 1) % capacity
        }
    }

    /// The `seq` of the oldest event held.
    var oldestSeq: UInt64? { ring.isEmpty ? nil : ring[start].seq }

    /// The events with `seq` after `afterSeq` and before `beforeSeq`, at most the last `limit`, oldest first.
    func events(after afterSeq: UInt64 = 0, before beforeSeq: UInt64 = .max, limit: Int = .max) -> [PartyEvent] {
        var picked: [PartyEvent] = []
        var index = ring.count - 1
        // Newest first, so the limit keeps the latest; reversed at the end.
        while index >= 0 && picked.count < limit {
            let event = ring[(start + index) % ring.count]
            if event.seq <= afterSeq { break }
            if event.seq < beforeSeq { picked.append(event) }
            index -= 1
        }
        return picked.reversed()
    }
}
