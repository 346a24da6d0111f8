import Protocol

extension Hub {
    /// Appends an event to the outgoing stream: the next offset, stamped with the hub's time.
    /// Offsets are hub state, so replaying the log publishes the same events at the same offsets.
    mutating func publish(_ kind: PublishedEvent.Kind, into outputs: inout [HubOutput]) {
        outputs.append(.published(PublishedEvent(offset: nextEventOffset, ts: now, kind: kind)))
        nextEventOffset += 1
    }
}
