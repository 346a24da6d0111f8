import Protocol

extension Hub {
    /// Applies a batch of service events in order and answers it with one result per event.
    mutating func applyServiceEvents(
        _ events: [IncomingServiceEvent], caller: SessionID, lootSeeds: [String], into outputs: inout [HubOutput]
    ) {
        // Placeholder until loot and quests land: every valid event is ignored.
        let results = events.map { event -> ServiceEventResult in
            if case .invalid(let error) = event.body { return ServiceEventResult(eventID: event.eventID, status: .rejected(error)) }
            return ServiceEventResult(eventID: event.eventID, status: .ignored(reason: "not supported yet"))
        }
        outputs.append(.serviceResults(caller, results))
    }
}
