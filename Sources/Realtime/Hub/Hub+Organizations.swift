import Protocol

extension Hub {
    /// Carries out an organization API request: its answer goes to the caller first, then the
    /// group events it caused go to the outgoing stream, in order.
    mutating func answerOrganizationRequest(
        _ request: OrganizationRequest, caller: SessionID, seed: OrganizationSeed?, into outputs: inout [HubOutput]
    ) {
        var announcements: [PublishedEvent.Kind] = []
        let reply = organizations.apply(request, seed: seed, now: now, announcing: &announcements)
        outputs.append(.organizationAnswer(caller, reply))
        for kind in announcements { publish(kind, into: &outputs) }
    }
}
