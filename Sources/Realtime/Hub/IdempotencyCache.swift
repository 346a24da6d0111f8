import Protocol

/// A player's recent `idem` keys with the first answer to each, oldest dropped first. It is
/// bounded twice: by the number of keys (`--idempotency-keys`) and by the bytes the answers
/// hold (`maxBytes`), since one answer (a party of 40) weighs a hundred times another.
struct IdempotencyCache: Equatable, Sendable {
    struct Entry: Equatable, Sendable {
        let key: String
        let operation: PartyOperation
        let reply: Result<ReplyData, PartyError>

        /// About what the entry holds in memory: its key and its answer's JSON.
        var estimatedBytes: Int { key.utf8.count + reply.estimatedBytes }
    }

    /// The most bytes (as `Entry.estimatedBytes` counts them) one player's answers may hold.
    /// An answer larger than this alone is not remembered: a retry runs the command again.
    static let maxBytes = 32 * 1024

    let capacity: Int
    /// Oldest first.
    private(set) var entries: [Entry] = []
    /// The sum of the entries' `estimatedBytes`; never above `maxBytes`.
    private(set) var bytes = 0

    init(capacity: Int) { self.capacity = capacity }

    /// A cache with exactly these entries, as a snapshot restores it; nil when they exceed the
    /// capacity or the bytes.
    init?(capacity: Int, entries: [Entry]) {
        let bytes = entries.reduce(0) { $0 + $1.estimatedBytes }
        guard entries.count <= max(capacity, 0), bytes <= Self.maxBytes else { return nil }
        self.capacity = capacity
        self.entries = entries
        self.bytes = bytes
    }

    /// Whether no key is remembered.
    var isEmpty: Bool { entries.isEmpty }

    func entry(for key: String) -> Entry? { entries.last(where: { $0.key == key }) }

    mutating func remember(_ key: String, _ operation: PartyOperation, _ reply: Result<ReplyData, PartyError>) {
        let entry = Entry(key: key, operation: operation, reply: reply)
        let cost = entry.estimatedBytes
        guard capacity > 0, cost <= Self.maxBytes else { return }
        while let oldest = entries.first, entries.count >= capacity || bytes + cost > Self.maxBytes {
            bytes -= oldest.estimatedBytes
            entries.removeFirst()
        }
        entries.append(entry)
        bytes += cost
    }
}
