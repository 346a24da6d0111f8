import Protocol

/// A player's recent `idem` keys with the first answer to each, oldest dropped first.
struct IdempotencyCache: Equatable, Sendable {
    struct Entry: Equatable, Sendable {
        let key: String
        let operation: PartyOperation
        let reply: Result<ReplyData, PartyError>
    }

    let capacity: Int
    /// Oldest first.
    private(set) var entries: [Entry] = []

    init(capacity: Int) { self.capacity = capacity }

    /// A cache with exactly these entries, as a snapshot restores it; nil when they exceed the capacity.
    init?(capacity: Int, entries: [Entry]) {
        guard entries.count <= max(capacity, 0) else { return nil }
        self.capacity = capacity
        self.entries = entries
    }

    /// Whether no key is remembered.
    var isEmpty: Bool { entries.isEmpty }

    func entry(for key: String) -> Entry? { entries.last(where: { $0.key == key }) }

    mutating func remember(_ key: String, _ operation: PartyOperation, _ reply: Result<ReplyData, PartyError>) {
        guard capacity > 0 else { return }
        if entries.count >= capacity { entries.removeFirst() }
        entries.append(Entry(key: key, operation: operation, reply: reply))
    }
}
