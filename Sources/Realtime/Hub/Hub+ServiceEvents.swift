import Protocol

/// Events from the game's other services (`POST /api/v1/social/party/events`): each is
/// checked, deduplicated by its `event_id`, and applied, and the batch is answered with one
/// result per event, in order.
extension Hub {
    /// Applies a batch of service events in order. The answer (`serviceResults`) is the first
    /// of the input's outputs, like a command's reply: the caller holds it before anything the
    /// events caused. `lootSeeds` holds one seed per dropped item of the batch, in order,
    /// whatever becomes of its event.
    mutating func applyServiceEvents(
        _ events: [IncomingServiceEvent], caller: SessionID, lootSeeds: [String], into outputs: inout [HubOutput]
    ) {
        let start = outputs.count
        var results: [ServiceEventResult] = []
        results.reserveCapacity(events.count)
        var nextSeed = 0
        for event in events {
            var seeds: ArraySlice<String>?
            if case .lootDropped(_, let items, _) = event.body {
                let end = nextSeed + items.count
                seeds = end <= lootSeeds.count ? lootSeeds[nextSeed..<end] : nil
                nextSeed = end
            }
            results.append(ServiceEventResult(eventID: event.eventID, status: applyServiceEvent(event, seeds: seeds, into: &outputs)))
        }
        outputs.insert(.serviceResults(caller, results), at: start)
    }

    /// One event: a malformed id or body is rejected and its id not taken; an id already taken
    /// is a duplicate (whatever the body); otherwise the event is applied or ignored, and its
    /// id is taken.
    private mutating func applyServiceEvent(
        _ event: IncomingServiceEvent, seeds: ArraySlice<String>?, into outputs: inout [HubOutput]
    ) -> ServiceEventResult.Status {
        if let problem = ServiceEventLimits.eventIDProblem(event.eventID) { return .rejected(PartyError(.invalidMessage, problem)) }
        if serviceEventLedger.contains(event.eventID) { return .duplicate }
        if let problem = ServiceEventLimits.problem(event.body) { return .rejected(PartyError(.invalidMessage, problem)) }
        let status: ServiceEventResult.Status
        switch event.body {
        case .invalid(let error):
            return .rejected(error)
        case .lootDropped(let party, let items, _):
            guard let partySlot = partySlotByID[party] else { return .rejected(PartyError(.notFound, "no party \(party)")) }
            // The driver draws a seed per item; without one the roll could not be proven fair.
            guard let seeds, seeds.allSatisfy(LootFairness.isWellFormedSeed) else {
                return .rejected(PartyError(.internalError, "no loot seed was drawn for every item"))
            }
            status = .applied(rolls: dropLoot(items, seeds: seeds, in: partySlot, into: &outputs))
        case .objectiveCompleted(let player, let questID, let objectiveID, let count):
            status = completeObjective(player: player, questID: questID, objectiveID: objectiveID, count: count, into: &outputs)
        }
        serviceEventLedger.take(event.eventID, at: now)
        return status
    }
}
