import Protocol

/// A party's last events, in order: a ring that drops the oldest when full.
struct EventHistory: Equatable, Sendable {
    let capacity: Int
    /// The events in the order they were stored in the ring's slots.
    private(set) var ring: [PartyEvent] = []
    /// Where the oldest event is once the ring is full.
    private(set) var start = 0

    init(capacity: Int) { self.capacity = capacity }

    /// A history with exactly this ring, as a snapshot restores it; nil unless the ring fits
    /// the capacity and `start` is 0 or, in a full ring, one of its slots.
    init?(capacity: Int, ring: [PartyEvent], start: Int) {
        guard ring.count <= max(capacity, 0), start == 0 || (ring.count == capacity && start > 0 && start < capacity) else {
            return nil
        }
        self.capacity = capacity
        self.ring = ring
        self.start = start
    }

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
