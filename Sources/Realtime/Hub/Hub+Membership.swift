import Protocol

/// Creating, joining, leaving and ending parties; chat, signals, roles and settings.
extension Hub {
    mutating func create(
        playerSlot: Int, seed: PartySeed?, maxMembers: Int?, lootMode: LootMode?, into outputs: inout [HubOutput]
    ) throws(PartyError) -> ReplyData {
        try requireNoParty(playerSlot)
        let seats = maxMembers ?? configuration.maxMembers
        guard (2...max(2, configuration.maxPartySize)).contains(seats) else {
            throw PartyError(.invalidMessage, "max_members must be 2-\(configuration.maxPartySize)")
        }
        let mode = lootMode ?? .needGreed
        try takePartyCreationToken(playerSlot)
        guard let seed, partySlotByCode[seed.inviteCode] == nil, partySlotByID[seed.id] == nil else {
            throw PartyError(.internalError, "no invite code could be assigned")
        }
        let party = Party(
            id: seed.id, inviteCode: seed.inviteCode, members: [playerSlot], leader: playerSlot, seq: 0,
            recipients: players[playerSlot].sessions, maxMembers: seats, lootMode: mode,
            masterLooter: mode == .masterLooter ? playerSlot : nil, createdAt: now, updatedAt: now,
            history: EventHistory(capacity: configuration.historySize))
        players[playerSlot].joinedAt = now
        players[playerSlot].joinedSeq = 1
        players[playerSlot].role = nil
        let partySlot = parties.insert(party)
        partySlotByCode[seed.inviteCode] = partySlot
        partySlotByID[seed.id] = partySlot
        players[playerSlot].party = partySlot
        publish(
            .partyCreated(party: seed.id, leader: players[playerSlot].name, maxMembers: seats, lootMode: mode), into: &outputs)
        // As for a join: a player with a party of their own no longer waits on others, and
        // the seats their requests held are free again.
        withdrawRequests(of: players[playerSlot].name, into: &outputs)
        return .party(snapshot(partySlot))
    }

    /// `party.join`: an open party takes the player at once; a closed one files a request.
    mutating func join(playerSlot: Int, inviteCode: String, role: PartyRole?, into outputs: inout [HubOutput])
        throws(PartyError) -> ReplyData
    {
        try requireNoParty(playerSlot)
        guard let partySlot = partySlotByCode[inviteCode] else { throw PartyError(.notFound, "no party has that invite code") }
        if !parties[partySlot].settings.open {
            return try requestToJoin(partySlot, playerSlot: playerSlot, role: role, into: &outputs)
        }
        try requireSeat(in: partySlot)
        try requireRoleFits(role, in: partySlot, for: playerSlot)
        addMember(playerSlot, to: partySlot, role: role, into: &outputs)
        return .party(snapshot(partySlot))
    }

    func requireSeat(in partySlot: Int) throws(PartyError) {
        if parties[partySlot].members.count >= parties[partySlot].maxMembers { throw PartyError(.partyFull, "the party is full") }
    }

    /// Seats a player (every check passed): `member_joined` to everyone, the newcomer included.
    mutating func addMember(_ playerSlot: Int, to partySlot: Int, role: PartyRole?, into outputs: inout [HubOutput]) {
        parties[partySlot].members.append(playerSlot)
        players[playerSlot].party = partySlot
        players[playerSlot].joinedAt = now
        players[playerSlot].role = role
        // History and resume show a member only what happened from their join on.
        players[playerSlot].joinedSeq = parties[partySlot].seq + 1
        refreshRecipients(partySlot)
        // A player seated by any path no longer waits on this party's other paths.
        let name = players[playerSlot].name
        if let pending = parties[partySlot].inviteIDs.first(where: { invites[$0]?.player == name }) { removeInvite(pending) }
        if parties[partySlot].requests.contains(where: { $0.player == name }) {
            parties[partySlot].requests.removeAll { $0.player == name }
            forgetRequest(of: name, to: parties[partySlot].id)
        }
        emit(.memberJoined(player: name), in: partySlot, into: &outputs)
        publish(.memberJoined(party: parties[partySlot].id, player: name), into: &outputs)
        // Requests to other parties are moot now: they are withdrawn, freeing those seats.
        withdrawRequests(of: name, into: &outputs)
        if role != nil { emit(.roleChanged(player: name, role: role), in: partySlot, into: &outputs) }
        // Requests never outnumber the free seats: a seat taken another way turns down the newest.
        while let newest = parties[partySlot].requests.last,
            parties[partySlot].requests.count > parties[partySlot].maxMembers - parties[partySlot].members.count
        {
            closeRequest(newest.player, in: partySlot, reason: .full, into: &outputs)
        }
    }

    mutating func leave(playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError) -> ReplyData {
        removeMember(playerSlot, from: try partySlot(of: playerSlot), into: &outputs)
        return .empty
    }

    mutating func chat(playerSlot: Int, text: String, into outputs: inout [HubOutput]) throws(PartyError) -> ReplyData {
        let partySlot = try partySlot(of: playerSlot)
        let maxScalars = configuration.maxChatScalars
        // Bound the work before counting: a scalar takes at most 4 bytes of UTF-8.
        let utf8Count = text.utf8.count
        if utf8Count == 0 || (utf8Count > maxScalars && (utf8Count > maxScalars * 4 || text.unicodeScalars.count > maxScalars)) {
            throw PartyError(.invalidMessage, "text must be 1-\(maxScalars) characters")
        }
        if let wait = players[playerSlot].chatBucket.take(now: now) { throw .rateLimited("chat", retryAfter: wait) }
        emit(.chat(from: players[playerSlot].name, text: text, timestampMs: now), in: partySlot, into: &outputs)
        return .empty
    }

    /// `party.signal`: relayed to the other members' connections, neither stored nor numbered
    /// (it carries the party's current `seq`).
    mutating func signal(kind: String, data: String, playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        if let wait = players[playerSlot].signalBucket.take(now: now) { throw .rateLimited("signal", retryAfter: wait) }
        let own = players[playerSlot].sessions
        let others = parties[partySlot].recipients.filter { !own.contains($0) }
        if !others.isEmpty {
            let event = PartyEvent(
                partyID: parties[partySlot].id, seq: parties[partySlot].seq,
                body: .signal(from: players[playerSlot].name, kind: kind, data: data))
            outputs.append(.event(event, recipients: others))
        }
        return .empty
    }

    mutating func kick(_ name: String, by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError) -> ReplyData {
        let (partySlot, target) = try leadersTarget(name, by: playerSlot)
        removeMember(target, from: partySlot, reason: .kicked, into: &outputs)
        return .empty
    }

    mutating func promote(_ name: String, by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let (partySlot, target) = try leadersTarget(name, by: playerSlot)
        parties[partySlot].leader = target
        emit(.leaderChanged(leader: players[target].name), in: partySlot, into: &outputs)
        publish(.leaderChanged(party: parties[partySlot].id, leader: players[target].name), into: &outputs)
        return .empty
    }

    mutating func disband(by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError) -> ReplyData {
        let partySlot = try leadersParty(playerSlot)
        endOpenRolls(partySlot, into: &outputs)
        emit(.disbanded(by: players[playerSlot].name), in: partySlot, into: &outputs)
        let members = parties[partySlot].members
        for member in members { players[member].party = nil }
        let partyID = parties[partySlot].id
        endParty(partySlot, into: &outputs)
        publish(.disbanded(party: partyID, reason: PublishedEvent.DisbandReason.leader), into: &outputs)
        for member in members { releaseIfIdle(member, into: &outputs) }
        return .empty
    }

    /// An operator's disband (`POST /api/v1/admin/parties/{id}/disband`): as the leader's, but
    /// `by` is `admin` and the published reason `admin:<reason>`. The members it had, or nil
    /// when there is no party `partyID`.
    mutating func adminDisband(_ partyID: String, reason: String, into outputs: inout [HubOutput]) -> [String]? {
        guard let partySlot = partySlotByID[partyID] else { return nil }
        endOpenRolls(partySlot, into: &outputs)
        emit(.disbanded(by: PublishedEvent.DisbandReason.admin), in: partySlot, into: &outputs)
        let members = parties[partySlot].members
        let names = members.map { players[$0].name }
        for member in members { players[member].party = nil }
        endParty(partySlot, into: &outputs)
        publish(.disbanded(party: partyID, reason: PublishedEvent.DisbandReason.admin + ":" + reason), into: &outputs)
        for member in members { releaseIfIdle(member, into: &outputs) }
        return names
    }

    mutating func setRole(_ role: PartyRole?, playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        try requireRoleFits(role, in: partySlot, for: playerSlot)
        players[playerSlot].role = role
        emit(.roleChanged(player: players[playerSlot].name, role: role), in: partySlot, into: &outputs)
        return .empty
    }

    mutating func setLoot(
        _ mode: LootMode, _ looterName: String?, threshold: ItemQuality?, by playerSlot: Int, into outputs: inout [HubOutput]
    ) throws(PartyError) -> ReplyData {
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
        if let threshold { parties[partySlot].lootThreshold = threshold }
        emit(
            .lootChanged(mode: mode, masterLooter: looter.map { players[$0].name }, threshold: parties[partySlot].lootThreshold),
            in: partySlot, into: &outputs)
        return .empty
    }

    /// `party.regenerate_code`: the seed's code replaces the old one, which stops working.
    mutating func regenerateCode(seed: PartySeed?, by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try leadersParty(playerSlot)
        guard let code = seed?.inviteCode, partySlotByCode[code] == nil else {
            throw PartyError(.internalError, "no invite code could be assigned")
        }
        partySlotByCode[parties[partySlot].inviteCode] = nil
        partySlotByCode[code] = partySlot
        parties[partySlot].inviteCode = code
        emit(.codeChanged(inviteCode: code), in: partySlot, into: &outputs)
        return .inviteCode(code)
    }

    /// A settings change by the leader; `party.settings_changed` when it changes anything.
    mutating func changeSettings(
        by playerSlot: Int, into outputs: inout [HubOutput], _ change: (inout PartySettings) -> Void
    ) throws(PartyError) -> ReplyData {
        let partySlot = try leadersParty(playerSlot)
        var settings = parties[partySlot].settings
        change(&settings)
        if settings != parties[partySlot].settings {
            parties[partySlot].settings = settings
            emit(.settingsChanged(settings), in: partySlot, into: &outputs)
        }
        return .empty
    }

    mutating func setComposition(_ composition: Composition?, by playerSlot: Int, into outputs: inout [HubOutput])
        throws(PartyError) -> ReplyData
    {
        let partySlot = try leadersParty(playerSlot)
        if let composition {
            let seats = parties[partySlot].maxMembers
            guard (1...seats).contains(composition.total) else {
                throw PartyError(.invalidMessage, "a composition needs 1-\(seats) slots in all")
            }
            let filled = compositionReport(partySlot).filled
            for role in PartyRole.allCases where filled.slots(for: role) > composition.slots(for: role) {
                throw PartyError(
                    .compositionFull, "\(filled.slots(for: role)) members are \(role.rawValue), more than the composition allows")
            }
        }
        return try changeSettings(by: playerSlot, into: &outputs) { $0.composition = composition }
    }

    /// Members per role, against the composition.
    func compositionReport(_ partySlot: Int) -> CompositionReport {
        var filled = Composition(tank: 0, healer: 0, dps: 0)
        var unassigned = 0
        for member in parties[partySlot].members {
            switch players[member].role {
            case .tank?: filled.tank += 1
            case .healer?: filled.healer += 1
            case .dps?: filled.dps += 1
            case nil: unassigned += 1
            }
        }
        return CompositionReport(slots: parties[partySlot].settings.composition, filled: filled, unassigned: unassigned)
    }

    // MARK: Leaving

    /// Removes a member: `member_left` to everyone including the leaver, then the hand-over to
    /// the earliest-joined online member when the leader left, or the party's end when nobody
    /// is left.
    mutating func removeMember(
        _ playerSlot: Int, from partySlot: Int, reason: PartyLeaveReason = .left, into outputs: inout [HubOutput]
    ) {
        let name = players[playerSlot].name
        leaveLootRotation(playerSlot, partySlot: partySlot)
        parties[partySlot].members.removeAll { $0 == playerSlot }
        players[playerSlot].party = nil
        players[playerSlot].role = nil
        players[playerSlot].offlineSince = nil
        emit(.memberLeft(player: name, reason: reason), in: partySlot, into: &outputs)
        let partyID = parties[partySlot].id
        publish(.memberLeft(party: partyID, player: name, reason: reason.rawValue), into: &outputs)
        if parties[partySlot].members.isEmpty {
            endParty(partySlot, into: &outputs)
            publish(.disbanded(party: partyID, reason: PublishedEvent.DisbandReason.empty), into: &outputs)
            releaseIfIdle(playerSlot, into: &outputs)
            return
        }
        refreshRecipients(partySlot)
        let party = parties[partySlot]
        if party.leader == playerSlot {
            let heir = party.members.first(where: { players[$0].isOnline }) ?? party.members[0]
            parties[partySlot].leader = heir
            emit(.leaderChanged(leader: players[heir].name), in: partySlot, into: &outputs)
            publish(.leaderChanged(party: partyID, leader: players[heir].name), into: &outputs)
        }
        // The master looter is always a member: the (possibly new) leader takes over.
        if party.masterLooter == playerSlot {
            let leader = parties[partySlot].leader
            parties[partySlot].masterLooter = leader
            emit(
                .lootChanged(mode: .masterLooter, masterLooter: players[leader].name, threshold: parties[partySlot].lootThreshold),
                in: partySlot, into: &outputs)
        }
        leftReadyCheck(playerSlot, partySlot: partySlot, into: &outputs)
        dropFromOpenRolls(playerSlot, partySlot: partySlot, into: &outputs)
        releaseIfIdle(playerSlot, into: &outputs)
    }

    /// Ends a party whose members are already detached: its invites and join requests end
    /// with it, and its code and id are free again.
    mutating func endParty(_ partySlot: Int, into outputs: inout [HubOutput]) {
        endOpenRolls(partySlot, into: &outputs)
        let party = parties[partySlot]
        for id in party.inviteIDs {
            guard let invite = invites[id] else { continue }
            let sessions = sessions(of: invite.player)
            removeInvite(id)
            if !sessions.isEmpty {
                outputs.append(.notice(.notice(.inviteCancelled(invite: id, party: party.id, reason: .partyGone)), recipients: sessions))
            }
        }
        for request in party.requests {
            forgetRequest(of: request.player, to: party.id)
            let sessions = sessions(of: request.player)
            if !sessions.isEmpty {
                outputs.append(.notice(.notice(.joinRejected(party: party.id, reason: .partyGone)), recipients: sessions))
            }
        }
        partySlotByCode[party.inviteCode] = nil
        partySlotByID[party.id] = nil
        parties.remove(partySlot)
    }

    /// The connections of a player, by name (none when the hub does not hold them).
    func sessions(of name: String) -> [SessionID] {
        playerSlotByName[name].map { players[$0].sessions } ?? []
    }

    /// A player with no connection and no party has their join requests withdrawn and is
    /// forgotten, but not before the reconnect grace has passed when they used `idem` keys: a
    /// client whose connection (or the server) died before the answer came retries with the
    /// same key on its next connection, and must get the first answer, not a second effect or
    /// a different error.
    mutating func releaseIfIdle(_ playerSlot: Int, into outputs: inout [HubOutput]) {
        guard players[playerSlot].sessions.isEmpty, players[playerSlot].party == nil else { return }
        let name = players[playerSlot].name
        withdrawRequests(of: name, into: &outputs)
        let grace = configuration.reconnectGraceMilliseconds
        if grace > 0 && !players[playerSlot].recentRequests.isEmpty {
            players[playerSlot].offlineSince = now
            deadlines.schedule(.endGrace(player: name, offlineSince: now), at: now + grace)
            return
        }
        playerSlotByName[name] = nil
        players.remove(playerSlot)
    }
}

extension Hub {
    /// The fewest budgets `partyCreationBuckets` is swept at.
    static let minimumPartyCreationSweepThreshold = 1024

    /// Takes one party creation from the player's budget, or refuses with `rate_limited` and
    /// the wait. In the hub (not the loop) so that a replay of the log refuses the same
    /// creations.
    mutating func takePartyCreationToken(_ playerSlot: Int) throws(PartyError) {
        guard configuration.partyCreationsPerMinute > 0 else { return }
        let name = players[playerSlot].name
        if partyCreationBuckets[name] == nil {
            sweepPartyCreationBuckets()
            partyCreationBuckets[name] = TokenBucket(
                ratePerSecond: configuration.partyCreationsPerMinute / 60, burst: configuration.partyCreationBurst, now: now)
        }
        if let wait = partyCreationBuckets[name]?.take(now: now) {
            throw .rateLimited("party creation", retryAfter: wait)
        }
    }

    /// Forgets the budgets that have refilled (forgetting a full bucket changes nothing), once
    /// there are `partyCreationSweepThreshold` of them; the threshold then doubles past what is
    /// kept, so the sweeps cost O(1) per new budget.
    private mutating func sweepPartyCreationBuckets() {
        guard partyCreationBuckets.count >= partyCreationSweepThreshold else { return }
        let now = self.now
        partyCreationBuckets = partyCreationBuckets.filter { !$0.value.isFull(now: now) }
        partyCreationSweepThreshold = max(Self.minimumPartyCreationSweepThreshold, partyCreationBuckets.count * 2)
    }
}
