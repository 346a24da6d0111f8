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
}

/// A signed-in player, present while they hold at least one connection.
struct PlayerRecord: Sendable {
    let name: String
    var sessions: [SessionID]
    /// The party slot, when the player is in one.
    var party: Int?
    var chatBucket: TokenBucket
}

extension Party: Vacant {
    static var vacant: Party { Party(id: "", inviteCode: "", members: [], leader: -1, seq: 0, recipients: []) }
}

extension PlayerRecord: Vacant {
    static var vacant: PlayerRecord {
        PlayerRecord(name: "", sessions: [], party: nil, chatBucket: TokenBucket(ratePerSecond: 0, burst: 1, now: 0))
    }
}
