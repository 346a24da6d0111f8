/// Outputs held back until the log records that led to them are durable, in the order they
/// were produced. Each turn's outputs wait for the last record appended by the end of that turn
/// (their own input's, or an earlier one's for a read), so a reply never shows state that a
/// crash could still take back, and nothing overtakes anything produced before it.
struct ReleaseQueue<Item> {
    private var entries: [(lsn: UInt64, items: [Item])] = []
    private var head = 0

    /// Whether anything is held.
    var isEmpty: Bool { head == entries.count }

    /// Holds `items` until the log is durable through `lsn`. LSNs never decrease.
    mutating func hold(_ items: [Item], until lsn: UInt64) {
        guard !items.isEmpty else { return }
        precondition(isEmpty || entries[entries.count - 1].lsn <= lsn, "release LSNs must not decrease")
        entries.append((lsn, items))
    }

    /// Removes and returns, oldest first, every item waiting for an LSN at or below `durable`.
    mutating func release(through durable: UInt64) -> [Item] {
        var released: [Item] = []
        while head < entries.count && entries[head].lsn <= durable {
            if released.isEmpty {
                released = entries[head].items
            } else {
                released.append(contentsOf: entries[head].items)
            }
            head += 1
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: entries.count <= 256)
            head = 0
        } else if head > 256 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return released
    }
}
