/// How a party shares loot.
public enum LootMode: String, CaseIterable, Sendable {
    /// Everyone rolls need or greed on each drop (the default).
    case needGreed = "NEED_GREED"
    /// Each player gets their own loot.
    case personal = "PERSONAL"
    /// One member, the master looter, hands out the loot.
    case masterLooter = "MASTER_LOOTER"
    /// Whoever picks it up keeps it.
    case freeForAll = "FREE_FOR_ALL"
}

/// A member's combat role.
public enum PartyRole: String, CaseIterable, Sendable {
    case tank, healer, dps
}

/// One member as the `roster` of a party shows it.
public struct PartyMemberSnapshot: Equatable, Sendable {
    public let player: String
    public let role: PartyRole?
    /// Whether the player holds at least one connection.
    public let online: Bool
    /// When the player joined (Unix ms).
    public let joinedAt: Int64

    public init(player: String, role: PartyRole?, online: Bool, joinedAt: Int64) {
        self.player = player
        self.role = role
        self.online = online
        self.joinedAt = joinedAt
    }
}

/// A party as the wire shows it (`PARTY` in docs/PROTOCOL.md).
public struct PartySnapshot: Equatable, Sendable {
    public let id: String
    public let inviteCode: String
    public let leader: String
    /// Members in join order (the protocol core's plain list of player ids).
    public let members: [String]
    public let maxMembers: Int
    /// The party's last event number.
    public let seq: UInt64
    /// Unix ms.
    public let createdAt: Int64
    /// Unix ms of the last event.
    public let updatedAt: Int64
    /// The members with their role, presence and join time, in join order.
    public let roster: [PartyMemberSnapshot]
    public let lootMode: LootMode
    /// Set exactly when the loot mode is MASTER_LOOTER; always a member.
    public let masterLooter: String?

    public init(
        id: String, inviteCode: String, leader: String, members: [String], maxMembers: Int, seq: UInt64 = 0,
        createdAt: Int64 = 0, updatedAt: Int64 = 0, roster: [PartyMemberSnapshot] = [], lootMode: LootMode = .needGreed,
        masterLooter: String? = nil
    ) {
        self.id = id
        self.inviteCode = inviteCode
        self.leader = leader
        self.members = members
        self.maxMembers = maxMembers
        self.seq = seq
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.roster = roster
        self.lootMode = lootMode
        self.masterLooter = masterLooter
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
    /// A member chose a role (nil: none).
    case roleChanged(player: String, role: PartyRole?)
    /// The loot settings changed (by the leader, or because the master looter left).
    case lootChanged(mode: LootMode, masterLooter: String?)
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
    // Indirect: a snapshot is large, and replies travel inside every hub output and result;
    // boxed, they stay pointer-sized (callgrind showed the copies).
    indirect case party(PartySnapshot)
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
