import Protocol

// Sizes for the `idem` cache's byte bound: about the bytes of each answer's JSON, counted
// from the strings and lists it holds. They need not be exact, only grow with the answer.

extension Result where Success == ReplyData, Failure == PartyError {
    /// About the bytes of this answer's JSON.
    var estimatedBytes: Int {
        switch self {
        case .success(let data): return data.estimatedBytes
        case .failure(let error):
            var bytes = 48 + error.message.utf8.count
            if case .resync(let party?)? = error.detail { bytes += party.estimatedBytes }
            return bytes
        }
    }
}

extension ReplyData {
    /// About the bytes of this reply's `data` JSON.
    var estimatedBytes: Int {
        switch self {
        case .empty, .resumed: return 32
        case .party(let party): return party.estimatedBytes
        case .invite(let invite):
            let fields = invite.id.utf8.count + invite.player.utf8.count + invite.by.utf8.count
            return 64 + fields + invite.party.estimatedBytes
        case .joinRequest(let request): return 64 + request.party.utf8.count + request.player.utf8.count
        case .inviteCode(let code): return 32 + code.utf8.count
        case .events(let events): return 32 + 128 * events.count
        }
    }
}

extension PartySnapshot {
    /// About the bytes of this `PARTY`'s JSON.
    var estimatedBytes: Int {
        var bytes = 400 + id.utf8.count + inviteCode.utf8.count + leader.utf8.count
        // Each member is named in `members` and again, with its role and times, in `roster`.
        for member in members { bytes += 2 * member.utf8.count + 64 }
        for invite in invites { bytes += 64 + invite.id.utf8.count + invite.player.utf8.count + invite.by.utf8.count }
        for request in requests { bytes += 64 + request.party.utf8.count + request.player.utf8.count }
        if let check = readyCheck { bytes += 64 + check.answers.reduce(0) { $0 + 32 + $1.player.utf8.count } }
        for roll in lootRolls { bytes += 256 + roll.eligible.reduce(0) { $0 + 4 + $1.utf8.count } }
        for quest in quests { bytes += 128 + quest.questID.utf8.count + 64 * quest.objectives.count }
        return bytes
    }
}
