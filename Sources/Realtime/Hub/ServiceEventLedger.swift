/// The service event ids the hub has taken (applied or ignored; a rejected event's id is not
/// taken), so that a retried delivery never counts twice.
///
/// It remembers at least the last `minimumCount` ids or the ids of the last `minimumAge`,
/// whichever is more: the oldest id is forgotten only while more than `minimumCount` are held
/// and it was taken `minimumAge` or longer ago. Ids are kept oldest first (the hub's time
/// never goes back, so that is also the order of their times) beside a set for the lookups.
struct ServiceEventLedger: Sendable {
    /// Ids always kept, however old.
    static let minimumCount = 100_000
    /// Ids younger than this are always kept, however many (24 h).
    static let minimumAgeMilliseconds: Int64 = 24 * 3600 * 1000

    /// One id and the hub time it was taken at.
    struct Entry: Equatable, Sendable {
        let id: String
        let takenAt: Int64
    }

    /// The ids oldest first, from `head` on (the entries before it are forgotten ones not yet
    /// compacted away, so that forgetting the oldest is not a copy of the whole array).
    private var entries: [Entry] = []
    private var head = 0
    private var ids: Set<String> = []

    init() {}

    /// A ledger holding exactly these entries, as a snapshot restores it; nil when an id
    /// repeats or the times go back.
    init?(oldestFirst: [Entry]) {
        var ids = Set<String>()
        ids.reserveCapacity(oldestFirst.count)
        var previous = Int64.min
        for entry in oldestFirst {
            guard entry.takenAt >= previous, ids.insert(entry.id).inserted else { return nil }
            previous = entry.takenAt
        }
        self.entries = oldestFirst
        self.ids = ids
    }

    /// The ids held, oldest first.
    var oldestFirst: ArraySlice<Entry> { entries[head...] }

    /// The number of ids held.
    var count: Int { ids.count }

    func contains(_ id: String) -> Bool { ids.contains(id) }

    /// Takes `id` at `now` (the caller checked it is not held), then forgets what is both
    /// beyond the count and older than the age.
    mutating func take(_ id: String, at now: Int64) {
        guard ids.insert(id).inserted else { return }
        entries.append(Entry(id: id, takenAt: now))
        // A time so far back that subtracting the age overflows leaves nothing old enough.
        let (cutoff, overflow) = now.subtractingReportingOverflow(Self.minimumAgeMilliseconds)
        guard !overflow else { return }
        while ids.count > Self.minimumCount, entries[head].takenAt <= cutoff {
            ids.remove(entries[head].id)
            head += 1
        }
        if head >= 4096 && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}

/// The same ids taken at the same times (how much of the array is compacted is not state).
extension ServiceEventLedger: Equatable {
    static func == (left: ServiceEventLedger, right: ServiceEventLedger) -> Bool {
        left.oldestFirst.elementsEqual(right.oldestFirst)
    }
}
