import Protocol

/// A player's recent `idem` keys with the first answer to each, oldest dropped first.
struct IdempotencyCache: Sendable {
    struct Entry: Sendable {
        let key: String
        let operation: PartyOperation
        let reply: Result<ReplyData, PartyError>
    }

    let capacity: Int
    private var entries: [Entry] = []

    init(capacity: Int) { self.capacity = capacity }

    func entry(for key: String) -> Entry? { entries.last(where: { $0.key == key }) }

    mutating func remember(_ key: String, _ operation: PartyOperation, _ reply: Result<ReplyData, PartyError>) {
        guard capacity > 0 else { return }
        if entries.count >= capacity { entries.removeFirst() }
        entries.append(Entry(key: key, operation: operation, reply: reply))
    }
}
