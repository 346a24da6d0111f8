import Protocol

/// What a new party (or a new invite code) is made of, drawn by the hub's driver from the
/// CSPRNG so that the hub itself holds no randomness and a logged command replays the same.
public struct PartySeed: Equatable, Sendable {
    /// The party id (a UUID string).
    public let id: String
    /// An invite code unused among live parties when drawn (`InviteCode.isWellFormed`).
    public let inviteCode: String

    public init(id: String, inviteCode: String) {
        self.id = id
        self.inviteCode = inviteCode
    }
}

/// One input to the hub. Every input carries the time (Unix ms) it is applied at, so the hub
/// never reads a clock.
public enum HubInput: Equatable, Sendable {
    /// A signed-in connection of `player` opened; `readOnly` for a read-only token's (a stream
    /// overlay's), which is sent the player's events but does not make them present.
    case sessionOpened(SessionID, player: String, readOnly: Bool = false, now: Int64)
    /// That connection closed.
    case sessionClosed(SessionID, now: Int64)
    /// A command from a connection. `seed` is present for `party.create` and
    /// `party.regenerate_code`.
    case command(SessionID, ClientRequest, now: Int64, seed: PartySeed?)
    /// Time passed: deadlines up to `now` (invites, join requests, ready checks, reconnect
    /// grace) fall due. The driver sends it when `Hub.nextDeadline` is reached.
    case tick(now: Int64)
    /// A batch of events from another service (`POST .../events`), answered with one
    /// `serviceResults` for `caller` (the HTTP connection, addressed like a session).
    /// `lootSeeds` holds one secret seed (64 lowercase hex characters, drawn by the driver from
    /// the CSPRNG) per dropped item in the batch, in order, for the rolls the items open.
    case serviceEvents(SessionID, [IncomingServiceEvent], now: Int64, lootSeeds: [String])
    /// A request to the organizations and groups API, answered with one `organizationAnswer`
    /// for `caller` (the HTTP connection, addressed like a session). `seed` is present for the
    /// requests that make an id or a code (`OrganizationOperation.Kind.needsSeed`).
    case organizationRequest(SessionID, OrganizationRequest, now: Int64, seed: OrganizationSeed?)
    /// `POST /api/v1/admin/parties/{id}/disband` from a service (`by`), for `caller` (the HTTP
    /// connection): ends the party, its members get `party.disbanded` (`by` `admin`) and the
    /// event stream `party:disbanded` with the reason `admin:<reason>`.
    case adminDisband(SessionID, party: String, reason: String, by: String, now: Int64)
    /// `GET /api/v1/admin/parties/{id}`: the party's whole state, for `caller`. Read-only: never
    /// logged.
    case adminReadParty(SessionID, party: String, now: Int64)
    /// `GET /api/v1/admin/players/{id}`: the player's party, sessions and budgets, for
    /// `caller`. Read-only: never logged.
    case adminReadPlayer(SessionID, player: String, now: Int64)

    /// The time the input is applied at.
    public var now: Int64 {
        switch self {
        case .sessionOpened(_, _, _, let now), .sessionClosed(_, let now), .command(_, _, let now, _), .tick(let now),
            .serviceEvents(_, _, let now, _), .organizationRequest(_, _, let now, _), .adminDisband(_, _, _, _, let now),
            .adminReadParty(_, _, let now), .adminReadPlayer(_, _, let now):
            return now
        }
    }

    /// Whether the input only reads the hub (an organization API `GET`): it changes nothing,
    /// not even the hub's time, so the log need not record it and a replay without it
    /// rebuilds the same hub.
    public var isReadOnly: Bool {
        if case .organizationRequest(_, let request, _, _) = self { return request.operation.kind.isReadOnly }
        if case .adminReadParty = self { return true }
        if case .adminReadPlayer = self { return true }
        return false
    }
}
