import Protocol

/// An HTTP request the hub answers: decoded and signed in on the connection's loop, then
/// handed to the hub's loop as an input from the connection (addressed like a session), whose
/// answer comes back as a whole response, released like any frame once durable.
enum HubBoundRequest {
    /// `POST /api/v1/social/party/events`: a service's batch of events.
    case serviceEvents([IncomingServiceEvent])
    /// A request to the organizations and groups API.
    case organization(OrganizationRequest)
    /// `POST /api/v1/admin/parties/{id}/disband` by the service `by`.
    case adminDisband(party: String, reason: String, by: String)
    /// `GET /api/v1/admin/parties/{id}`.
    case adminReadParty(party: String)
    /// `GET /api/v1/admin/players/{id}`.
    case adminReadPlayer(player: String)

    /// The hub input for a request from `session` at `now` (Unix ms). Seeds are left for the
    /// hub's host to draw.
    func input(from session: SessionID, now: Int64) -> HubInput {
        switch self {
        case .serviceEvents(let events): return .serviceEvents(session, events, now: now, lootSeeds: [])
        case .organization(let request): return .organizationRequest(session, request, now: now, seed: nil)
        case .adminDisband(let party, let reason, let by): return .adminDisband(session, party: party, reason: reason, by: by, now: now)
        case .adminReadParty(let party): return .adminReadParty(session, party: party, now: now)
        case .adminReadPlayer(let player): return .adminReadPlayer(session, player: player, now: now)
        }
    }
}
