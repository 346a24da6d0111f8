/// Something the hub must do at a time: a binary min-heap by time, then by insertion, so
/// equal deadlines fall due in the order they were set (replay gives the same outputs).
/// Entries are not removed when what they point at goes away; the hub checks each one as it
/// falls due and ignores the stale.
struct DeadlineQueue: Equatable, Sendable {
    enum Action: Equatable, Sendable {
        case expireInvite(id: String)
        case expireRequest(partyID: String, player: String)
        case endReadyCheck(partyID: String, number: UInt64)
        case endGrace(player: String, offlineSince: Int64)
        /// A loot roll's time is up (ignored when it was decided first).
        case endLootRoll(partyID: String, roll: String)
        /// Whether to tell a member's party that they went offline (`Hub.pendingOfflineNotices`).
        case noticeOffline(player: String)
    }

    /// An action, its time, and its place among actions due at the same time.
    struct Entry: Equatable, Sendable {
        let at: Int64
        /// Which was scheduled first, among entries of the same time.
        let order: UInt64
        let action: Action

        func precedes(_ other: Entry) -> Bool { at != other.at ? at < other.at : order < other.order }
    }

    /// The entries as a binary heap (each precedes its children), in array order.
    private(set) var heap: [Entry] = []
    /// The `order` of the next entry scheduled.
    private(set) var nextOrder: UInt64 = 0

    init() {}

    /// A queue with exactly this heap, as a snapshot restores it; nil unless `heap` is a heap
    /// and every entry was scheduled before `nextOrder`.
    init?(heap: [Entry], nextOrder: UInt64) {
        for (index, entry) in heap.enumerated() {
            guard entry.order < nextOrder else { return nil }
            if index > 0 && entry.precedes(heap[(index - 1) / 2]) { return nil }
        }
        self.heap = heap
        self.nextOrder = nextOrder
    }

    var count: Int { heap.count }

    /// When the earliest entry falls due.
    var next: Int64? { heap.first?.at }

    mutating func schedule(_ action: Action, at time: Int64) {
        heap.append(Entry(at: time, order: nextOrder, action: action))
        nextOrder += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest action due at `now`, if any.
    mutating func popDue(now: Int64) -> Action? {
        guard let first = heap.first, first.at <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
                if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first.action
    }
}
