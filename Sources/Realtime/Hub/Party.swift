import Protocol

/// A live party, as the hub keeps it.
struct Party: Sendable {
    let id: String
    var inviteCode: String
    /// Player slots (indexes into the hub's player table), in join order.
    var members: [Int]
    /// The leader's player slot; always one of `members`.
    var leader: Int
    /// The number of the last event; the next event is `seq + 1`.
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
}

/// A signed-in player, present while they hold at least one connection.
struct PlayerRecord: Sendable {
    let name: String
    var sessions: [SessionID]
    /// The party slot, when the player is in one.
    var party: Int?
    var chatBucket: TokenBucket
    /// The role chosen in the current party.
    var role: PartyRole?
    /// When the player joined the current party (Unix ms).
    var joinedAt: Int64 = 0
}

extension Party: Vacant {
    static var vacant: Party {
        Party(
            id: "", inviteCode: "", members: [], leader: -1, seq: 0, recipients: [], maxMembers: 0, lootMode: .needGreed,
            masterLooter: nil, createdAt: 0, updatedAt: 0)
    }
}

extension PlayerRecord: Vacant {
    static var vacant: PlayerRecord {
        PlayerRecord(name: "", sessions: [], party: nil, chatBucket: TokenBucket(ratePerSecond: 0, burst: 1, now: 0))
    }
}
