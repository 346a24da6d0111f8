import Protocol

/// A live party, as the hub keeps it.
struct Party: Equatable, Sendable {
    let id: String
    var inviteCode: String
    /// Player slots (indexes into the hub's player table), in join order.
    var members: [Int]
    /// The leader's player slot; always one of `members`.
    var leader: Int
    /// The number of the last stored event; the next is `seq + 1`.
    var seq: UInt64
    /// Every connection of every member: the recipients of the party's events, kept up to date
    /// on each membership or connection change so a broadcast needs no gathering.
    var recipients: [SessionID]
    /// Seats.
    let maxMembers: Int
    var lootMode: LootMode
    /// The master looter's player slot: set exactly when the mode is MASTER_LOOTER, always a member.
    var masterLooter: Int?
    /// Unix ms.
    let createdAt: Int64
    /// Unix ms of the last event.
    var updatedAt: Int64
    var settings = PartySettings()
    /// Ids of pending invites, oldest first.
    var inviteIDs: [String] = []
    /// Pending join requests (closed parties), oldest first; never more than the free seats.
    var requests: [JoinRequest] = []
    var readyCheck: ReadyCheck?
    /// Counts ready checks, so a deadline can tell its own check from a later one.
    var readyCheckNumber: UInt64 = 0
    /// The last stored events, for `party.history` and `session.resume`.
    var history: EventHistory
    /// Items below this quality are given round-robin rather than rolled for.
    var lootThreshold: ItemQuality = .uncommon
    /// The index in `members` of who gets the next round-robin item; kept pointing at the
    /// same member as earlier members leave.
    var lootTurn = 0
    /// Open loot rolls, oldest first.
    var lootRolls: [LootRoll] = []
    /// The last decided rolls' ids, oldest first, so that a late `loot.*` is told
    /// `roll_closed` rather than `not_found`.
    var decidedRollIDs: [String] = []
    /// Shared quests, oldest first.
    var quests: [SharedQuest] = []
}

/// A player's request to join a closed party.
struct JoinRequest: Equatable, Sendable {
    let player: String
    let role: PartyRole?
    let expiresAt: Int64
}

/// A running ready check.
struct ReadyCheck: Equatable, Sendable {
    let number: UInt64
    let by: String
    let expiresAt: Int64
    /// The members asked (player slots), in join order, and their answers.
    var asked: [Int]
    var answers: [Bool?]
}

/// A pending invite.
struct Invite: Equatable, Sendable {
    let id: String
    let partySlot: Int
    /// The invitee.
    let player: String
    /// The inviter.
    let by: String
    let expiresAt: Int64
}

/// A player the hub knows: one with a connection, or a member (offline members keep their
/// record through the reconnect grace).
struct PlayerRecord: Equatable, Sendable {
    let name: String
    /// Every connection of the player: those its party's events go to.
    var sessions: [SessionID]
    /// Those of `sessions` opened by a read-only token (stream overlays): they follow the
    /// player's party but do not make the player present.
    var readOnlySessions: [SessionID] = []
    /// The party slot, when the player is in one.
    var party: Int?
    var chatBucket: TokenBucket
    var signalBucket: TokenBucket
    var commandBucket: TokenBucket
    /// The role chosen in the current party.
    var role: PartyRole?
    /// When the player joined the current party (Unix ms), and the `seq` of that join.
    var joinedAt: Int64 = 0
    var joinedSeq: UInt64 = 0
    /// When the last connection of a member closed (Unix ms); nil while online.
    var offlineSince: Int64?
    var recentRequests: IdempotencyCache
}

extension Party: Vacant {
    static var vacant: Party {
        Party(
            id: "", inviteCode: "", members: [], leader: -1, seq: 0, recipients: [], maxMembers: 0, lootMode: .needGreed,
            masterLooter: nil, createdAt: 0, updatedAt: 0, history: EventHistory(capacity: 0))
    }
}

extension PlayerRecord: Vacant {
    static var vacant: PlayerRecord {
        let off = TokenBucket(ratePerSecond: 0, burst: 1, now: 0)
        return PlayerRecord(
            name: "", sessions: [], party: nil, chatBucket: off, signalBucket: off, commandBucket: off,
            recentRequests: IdempotencyCache(capacity: 0))
    }
}

extension PlayerRecord {
    /// Whether the player is present: connected by at least one session that is not read-only.
    var isOnline: Bool { sessions.count > readOnlySessions.count }
}
