import Protocol

/// The authoritative party state, as a pure state machine: inputs in, outputs out. It knows
/// nothing of sockets, bytes or clocks (time comes with each input) and holds no randomness
/// (new parties come with a seed), so the same inputs always give the same outputs; that is
/// what lets the write-ahead log replay it.
///
/// Players and parties live in slot tables with free lists, so the hot path (a chat) is one
/// hash lookup (the connection) and array accesses.
public struct Hub: Sendable {
    public let configuration: HubConfiguration
    private var players = SlotTable<PlayerRecord>()
    private var playerSlotByName: [String: Int] = [:]
    private var playerSlotBySession: [SessionID: Int] = [:]
    private var parties = SlotTable<Party>()
    private var partySlotByCode: [String: Int] = [:]
    /// The time of the input being applied (Unix ms).
    private var now: Int64 = 0

    public init(configuration: HubConfiguration = HubConfiguration()) {
        self.configuration = configuration
    }

    // MARK: Queries (for the driver and tests)

    /// Whether a live party uses this invite code (the driver draws again when it does).
    public func isInviteCodeInUse(_ code: String) -> Bool { partySlotByCode[code] != nil }

    /// The number of live parties.
    public var partyCount: Int { partySlotByCode.count }

    /// The number of players with at least one connection.
    public var playerCount: Int { playerSlotByName.count }

    /// The party `player` is in, as the wire shows it.
    public func party(of player: String) -> PartySnapshot? {
        guard let slot = playerSlotByName[player], let partySlot = players[slot].party else { return nil }
        return snapshot(partySlot)
    }

    /// Every live party (for invariant checks in tests).
    public var allParties: [PartySnapshot] { partySlotByCode.values.sorted().map { snapshot($0) } }

    /// The last `seq` of a party.
    public func seq(ofParty id: String) -> UInt64? {
        parties.values.first(where: { $0.id == id })?.seq
    }

    // MARK: Inputs

    /// Applies one input, appending what to deliver to `outputs`. Returns a command's result
    /// (whether or not it is replied to), for metrics; nil for other inputs.
    @discardableResult
    public mutating func apply(_ input: HubInput, into outputs: inout [HubOutput]) -> Result<ReplyData, PartyError>? {
        switch input {
        case .sessionOpened(_, _, let time), .sessionClosed(_, let time), .command(_, _, let time, _): now = time
        }
        switch input {
        case .sessionOpened(let session, let player, let now):
            openSession(session, player: player, now: now)
            return nil
        case .sessionClosed(let session, _):
            closeSession(session, into: &outputs)
            return nil
        case .command(let session, let request, let now, let seed):
            guard let playerSlot = playerSlotBySession[session] else {
                return .failure(PartyError(.internalError, "unknown session"))
            }
            let result = execute(request.command, playerSlot: playerSlot, now: now, seed: seed, into: &outputs)
            if let rid = request.rid {
                // The reply goes before the command's events, so a client holds the answer
                // (and the party) before it sees what followed from it.
                outputs.insert(.reply(session, rid: rid, result.reply), at: result.eventsStart)
            }
            return result.reply
        }
    }

    private struct Outcome {
        let reply: Result<ReplyData, PartyError>
        let eventsStart: Int
    }

    private mutating func execute(
        _ command: PartyCommand, playerSlot: Int, now: Int64, seed: PartySeed?, into outputs: inout [HubOutput]
    ) -> Outcome {
        let start = outputs.count
        let reply: Result<ReplyData, PartyError>
        do throws(PartyError) {
            reply = .success(try perform(command, playerSlot: playerSlot, now: now, seed: seed, into: &outputs))
        } catch {
            reply = .failure(error)
        }
        return Outcome(reply: reply, eventsStart: start)
    }

    private mutating func perform(
        _ command: PartyCommand, playerSlot: Int, now: Int64, seed: PartySeed?, into outputs: inout [HubOutput]
    ) throws(PartyError) -> ReplyData {
        switch command {
        case .create(let maxMembers, let lootMode):
            return try create(playerSlot: playerSlot, seed: seed, maxMembers: maxMembers, lootMode: lootMode)
        case .join(let code): return try join(playerSlot: playerSlot, inviteCode: code, into: &outputs)
        case .leave: return try leave(playerSlot: playerSlot, into: &outputs)
        case .chat(let text): return try chat(playerSlot: playerSlot, text: text, now: now, into: &outputs)
        case .get: return .party(snapshot(try partySlot(of: playerSlot)))
        case .kick(let player): return try kick(player, by: playerSlot, into: &outputs)
        case .promote(let player): return try promote(player, by: playerSlot, into: &outputs)
        case .disband: return try disband(by: playerSlot, into: &outputs)
        case .setRole(let role): return try setRole(role, playerSlot: playerSlot, into: &outputs)
        case .setLoot(let mode, let masterLooter): return try setLoot(mode, masterLooter, by: playerSlot, into: &outputs)
        }
    }

    // MARK: Sessions

    private mutating func openSession(_ session: SessionID, player name: String, now: Int64) {
        if playerSlotBySession[session] != nil { return }
        let slot: Int
        if let existing = playerSlotByName[name] {
            slot = existing
            players[slot].sessions.append(session)
            if let partySlot = players[slot].party { rebuildRecipients(partySlot) }
        } else {
            let record = PlayerRecord(
                name: name, sessions: [session], party: nil,
                chatBucket: TokenBucket(ratePerSecond: configuration.chatRatePerSecond, burst: configuration.chatBurst, now: now))
            slot = players.insert(record)
            playerSlotByName[name] = slot
        }
        playerSlotBySession[session] = slot
    }

    private mutating func closeSession(_ session: SessionID, into outputs: inout [HubOutput]) {
        guard let slot = playerSlotBySession.removeValue(forKey: session) else { return }
        players[slot].sessions.removeAll { $0 == session }
        let record = players[slot]
        if !record.sessions.isEmpty {
            if let partySlot = record.party { rebuildRecipients(partySlot) }
            return
        }
        // PROTOCOL-CORE: a player whose last connection closes leaves their party.
        if let partySlot = record.party { removeMember(slot, from: partySlot, into: &outputs) }
        players.remove(slot)
        playerSlotByName[record.name] = nil
    }

    // MARK: Commands

    private static let notInParty = PartyError(.notInParty, "not in a party")
    private static let alreadyInParty = PartyError(.alreadyInParty, "already in a party")

    private mutating func create(playerSlot: Int, seed: PartySeed?, maxMembers: Int?, lootMode: LootMode?)
        throws(PartyError) -> ReplyData
    {
        try requireNoParty(playerSlot)
        let seats = maxMembers ?? configuration.maxMembers
        guard (2...max(2, configuration.maxPartySize)).contains(seats) else {
            throw PartyError(.invalidMessage, "max_members must be 2-\(configuration.maxPartySize)")
        }
        let mode = lootMode ?? .needGreed
        guard let seed, partySlotByCode[seed.inviteCode] == nil else {
            throw PartyError(.internalError, "no invite code could be assigned")
        }
        let party = Party(
            id: seed.id, inviteCode: seed.inviteCode, members: [playerSlot], leader: playerSlot, seq: 0,
            recipients: players[playerSlot].sessions, maxMembers: seats, lootMode: mode,
            masterLooter: mode == .masterLooter ? playerSlot : nil, createdAt: now, updatedAt: now)
        players[playerSlot].joinedAt = now
        players[playerSlot].role = nil
        let partySlot = parties.insert(party)
        partySlotByCode[seed.inviteCode] = partySlot
        players[playerSlot].party = partySlot
        return .party(snapshot(partySlot))
    }

    private mutating func join(playerSlot: Int, inviteCode: String, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        try requireNoParty(playerSlot)
        guard let partySlot = partySlotByCode[inviteCode] else { throw PartyError(.notFound, "no party has that invite code") }
        if parties[partySlot].members.count >= parties[partySlot].maxMembers { throw PartyError(.partyFull, "the party is full") }
        parties[partySlot].members.append(playerSlot)
        players[playerSlot].party = partySlot
        players[playerSlot].joinedAt = now
        players[playerSlot].role = nil
        rebuildRecipients(partySlot)
        emit(.memberJoined(player: players[playerSlot].name), in: partySlot, into: &outputs)
        return .party(snapshot(partySlot))
    }

    private mutating func leave(playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError) -> ReplyData {
        removeMember(playerSlot, from: try partySlot(of: playerSlot), into: &outputs)
        return .empty
    }

    private mutating func chat(playerSlot: Int, text: String, now: Int64, into outputs: inout [HubOutput])
        throws(PartyError) -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        let maxScalars = configuration.maxChatScalars
        // Bound the work before counting: a scalar takes at most 4 bytes of UTF-8.
        let utf8Count = text.utf8.count
        if utf8Count == 0 || (utf8Count > maxScalars && (utf8Count > maxScalars * 4 || text.unicodeScalars.count > maxScalars)) {
            throw PartyError(.invalidMessage, "text must be 1-\(maxScalars) characters")
        }
        if let retryAfter = players[playerSlot].chatBucket.take(now: now) {
            throw PartyError(.rateLimited, "chat rate limit reached; retry in \(retryAfter) ms")
        }
        emit(.chat(from: players[playerSlot].name, text: text, timestampMs: now), in: partySlot, into: &outputs)
        return .empty
    }

    private mutating func kick(_ name: String, by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let (partySlot, target) = try leadersTarget(name, by: playerSlot)
        removeMember(target, from: partySlot, reason: .kicked, into: &outputs)
        return .empty
    }

    private mutating func promote(_ name: String, by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let (partySlot, target) = try leadersTarget(name, by: playerSlot)
        parties[partySlot].leader = target
        emit(.leaderChanged(leader: players[target].name), in: partySlot, into: &outputs)
        return .empty
    }

    private mutating func disband(by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError) -> ReplyData {
        let partySlot = try leadersParty(playerSlot)
        emit(.disbanded(by: players[playerSlot].name), in: partySlot, into: &outputs)
        for member in parties[partySlot].members { players[member].party = nil }
        partySlotByCode[parties[partySlot].inviteCode] = nil
        parties.remove(partySlot)
        return .empty
    }

    private mutating func setRole(_ role: PartyRole?, playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        players[playerSlot].role = role
        emit(.roleChanged(player: players[playerSlot].name, role: role), in: partySlot, into: &outputs)
        return .empty
    }

    private mutating func setLoot(_ mode: LootMode, _ looterName: String?, by playerSlot: Int, into outputs: inout [HubOutput])
        throws(PartyError) -> ReplyData
    {
        let partySlot = try leadersParty(playerSlot)
        var looter: Int?
        if mode == .masterLooter {
            guard let looterName else { throw PartyError(.invalidMessage, "MASTER_LOOTER needs master_looter (a member)") }
            looter = try member(named: looterName, of: partySlot)
        } else if looterName != nil {
            throw PartyError(.invalidMessage, "master_looter is only for MASTER_LOOTER")
        }
        parties[partySlot].lootMode = mode
        parties[partySlot].masterLooter = looter
        emit(.lootChanged(mode: mode, masterLooter: looter.map { players[$0].name }), in: partySlot, into: &outputs)
        return .empty
    }

    // MARK: Checks shared by the commands

    /// The caller's party.
    private func partySlot(of playerSlot: Int) throws(PartyError) -> Int {
        guard let partySlot = players[playerSlot].party else { throw Self.notInParty }
        return partySlot
    }

    private func requireNoParty(_ playerSlot: Int) throws(PartyError) {
        if players[playerSlot].party != nil { throw Self.alreadyInParty }
    }

    /// The caller's party, when the caller leads it.
    private func leadersParty(_ playerSlot: Int) throws(PartyError) -> Int {
        let partySlot = try partySlot(of: playerSlot)
        guard parties[partySlot].leader == playerSlot else { throw PartyError(.notLeader, "only the party leader may do that") }
        return partySlot
    }

    /// The leader's party and another of its members, named by the leader.
    private func leadersTarget(_ name: String, by playerSlot: Int) throws(PartyError) -> (Int, Int) {
        let partySlot = try leadersParty(playerSlot)
        if name == players[playerSlot].name { throw PartyError(.invalidTarget, "name another member, not yourself") }
        return (partySlot, try member(named: name, of: partySlot))
    }

    /// The player slot of a member of the party, by name.
    private func member(named name: String, of partySlot: Int) throws(PartyError) -> Int {
        guard let slot = playerSlotByName[name], players[slot].party == partySlot else {
            throw PartyError(.notMember, "\(name) is not a member of your party")
        }
        return slot
    }

    // MARK: Membership

    /// Removes a member: `member_left` to everyone including the leaver, then the hand-over to
    /// the earliest joiner when the leader left, or the party's end when nobody is left.
    private mutating func removeMember(
        _ playerSlot: Int, from partySlot: Int, reason: PartyLeaveReason = .left, into outputs: inout [HubOutput]
    ) {
        let name = players[playerSlot].name
        parties[partySlot].members.removeAll { $0 == playerSlot }
        players[playerSlot].party = nil
        emit(.memberLeft(player: name, reason: reason), in: partySlot, into: &outputs)
        let party = parties[partySlot]
        if party.members.isEmpty {
            partySlotByCode[party.inviteCode] = nil
            parties.remove(partySlot)
            return
        }
        rebuildRecipients(partySlot)
        if party.leader == playerSlot {
            parties[partySlot].leader = party.members[0]
            emit(.leaderChanged(leader: players[party.members[0]].name), in: partySlot, into: &outputs)
        }
        // The master looter is always a member: the (possibly new) leader takes over.
        if party.masterLooter == playerSlot {
            let leader = parties[partySlot].leader
            parties[partySlot].masterLooter = leader
            emit(.lootChanged(mode: .masterLooter, masterLooter: players[leader].name), in: partySlot, into: &outputs)
        }
    }

    private mutating func emit(_ body: PartyEventBody, in partySlot: Int, into outputs: inout [HubOutput]) {
        parties[partySlot].seq += 1
        parties[partySlot].updatedAt = now
        outputs.append(.event(
            PartyEvent(partyID: parties[partySlot].id, seq: parties[partySlot].seq, body: body),
            recipients: parties[partySlot].recipients))
    }

    private mutating func rebuildRecipients(_ partySlot: Int) {
        var recipients: [SessionID] = []
        for member in parties[partySlot].members { recipients.append(contentsOf: players[member].sessions) }
        parties[partySlot].recipients = recipients
    }

    private func snapshot(_ partySlot: Int) -> PartySnapshot {
        let party = parties[partySlot]
        return PartySnapshot(
            id: party.id, inviteCode: party.inviteCode, leader: players[party.leader].name,
            members: party.members.map { players[$0].name }, maxMembers: party.maxMembers, seq: party.seq,
            createdAt: party.createdAt, updatedAt: party.updatedAt,
            roster: party.members.map {
                PartyMemberSnapshot(
                    player: players[$0].name, role: players[$0].role, online: !players[$0].sessions.isEmpty,
                    joinedAt: players[$0].joinedAt)
            }, lootMode: party.lootMode, masterLooter: party.masterLooter.map { players[$0].name })
    }
}
