/// A party as the wire shows it (`PARTY` in docs/PROTOCOL.md).
public struct PartySnapshot: Equatable, Sendable {
    public let id: String
    public let inviteCode: String
    public let leader: String
    /// Members in join order.
    public let members: [String]
    public let maxMembers: Int

    public init(id: String, inviteCode: String, leader: String, members: [String], maxMembers: Int) {
        self.id = id
        self.inviteCode = inviteCode
        self.leader = leader
        self.members = members
        self.maxMembers = maxMembers
    }
}

/// Why a member left (`reason` of `party.member_left`).
public enum PartyLeaveReason: String, Equatable, Sendable {
    /// `party.leave`, or the player's last connection closed.
    case left
    /// The leader kicked the player.
    case kicked
}

/// What happened in a party; every member receives it, numbered by the party's `seq`.
public enum PartyEventBody: Equatable, Sendable {
    case memberJoined(player: String)
    case memberLeft(player: String, reason: PartyLeaveReason = .left)
    case leaderChanged(leader: String)
    case chat(from: String, text: String, timestampMs: Int64)
    /// The leader disbanded the party; it is gone after this event.
    case disbanded(by: String)
}

/// A numbered party event.
public struct PartyEvent: Equatable, Sendable {
    public let partyID: String
    /// Grows by exactly one with each event of the party.
    public let seq: UInt64
    public let body: PartyEventBody

    public init(partyID: String, seq: UInt64, body: PartyEventBody) {
        self.partyID = partyID
        self.seq = seq
        self.body = body
    }
}

/// The `data` of a successful reply.
public enum ReplyData: Equatable, Sendable {
    case empty
    case party(PartySnapshot)
}

/// Everything the server sends on the party endpoint.
public enum ServerMessage: Equatable, Sendable {
    /// `{"ev":"session.ready","player":...}`, right after the upgrade.
    case sessionReady(player: String)
    /// The reply to a command; `rid` is null only for frames whose rid could not be read.
    case reply(rid: Int64?, Result<ReplyData, PartyError>)
    /// A party event.
    case event(PartyEvent)
}
