import Protocol

/// What a new party is made of, drawn by the hub's driver from the CSPRNG so that the hub
/// itself holds no randomness and a logged command replays to the same party.
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
    /// A signed-in connection of `player` opened.
    case sessionOpened(SessionID, player: String, now: Int64)
    /// That connection closed.
    case sessionClosed(SessionID, now: Int64)
    /// A command from a connection. `seed` is present for `party.create`.
    case command(SessionID, ClientRequest, now: Int64, seed: PartySeed?)
}
