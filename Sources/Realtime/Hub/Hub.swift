import Protocol

/// The authoritative party state, as a pure state machine: inputs in, outputs out. It knows
/// nothing of sockets, bytes or clocks (time comes with each input) and holds no randomness
/// (new parties and codes come with a seed), so the same inputs always give the same outputs;
/// that is what lets the write-ahead log replay it.
///
/// Players and parties live in slot tables with free lists, so the hot path (a chat) is one
/// hash lookup (the connection) and array accesses. The commands live in extensions, one
/// file per area: membership, invites and join requests, ready checks, presence, history,
/// loot, shared quests, and the events other services send.
///
/// `==` compares the whole state, slot positions and free lists included (for tests that
/// check a replayed or restored hub against the live one).
public struct Hub: Equatable, Sendable {
    /// The rules in force; `reconfigure` changes them.
    public private(set) var configuration: HubConfiguration
    var players = SlotTable<PlayerRecord>()
    var playerSlotByName: [String: Int] = [:]
    var playerSlotBySession: [SessionID: Int] = [:]
    var parties = SlotTable<Party>()
    var partySlotByCode: [String: Int] = [:]
    var partySlotByID: [String: Int] = [:]
    /// Pending invites by id, and each invitee's invite ids, oldest first.
    var invites: [String: Invite] = [:]
    var inviteIDsByPlayer: [String: [String]] = [:]
    var nextInviteNumber: UInt64 = 1
    /// The parties (ids) each player has a pending join request to.
    var requestedPartyIDsByPlayer: [String: [String]] = [:]
    var deadlines = DeadlineQueue()
    /// Members whose last connection closed and whose party has not been told yet, with when
    /// their `noticeOffline` deadline falls due: a return before then tells the party nothing.
    var pendingOfflineNotices: [String: Int64] = [:]
    /// The offset the next published event gets (the outgoing stream starts at 1).
    var nextEventOffset: UInt64 = 1
    /// The service event ids taken, so a retried delivery never counts twice.
    var serviceEventLedger = ServiceEventLedger()
    /// The number in the next loot roll's id (`roll_N`), hub-wide.
    var nextRollNumber: UInt64 = 1
    /// The organizations and their groups: the second domain, beside parties.
    var organizations = OrganizationDirectory()
    /// Each player's party creation budget (`partyCreationsPerMinute`), by name. Kept apart
    /// from `players`, whose record ends with the player's last connection: reconnecting must
    /// not refill the budget. Full buckets are forgotten (`sweepPartyCreationBuckets`).
    var partyCreationBuckets: [String: TokenBucket] = [:]
    /// The number of budgets past which full ones are swept; doubles past what a sweep keeps.
    var partyCreationSweepThreshold = Hub.minimumPartyCreationSweepThreshold
    /// The time of the input being applied (Unix ms).
    var now: Int64 = 0

    public init(configuration: HubConfiguration = HubConfiguration()) {
        self.configuration = configuration
    }

    /// Applies new rules from this point of the input sequence on, as when a restart's flags
    /// differ from those the log was written with. New parties, players and commands follow
    /// them, and every player's rate budgets are re-rated at the hub's time (the tokens held
    /// are kept, up to the new burst). What already exists keeps its terms: scheduled expiries
    /// and graces, parties' seats and history rings, players' `idem` caches.
    public mutating func reconfigure(_ configuration: HubConfiguration) {
        guard configuration != self.configuration else { return }
        self.configuration = configuration
        for slot in 0..<players.slotCount where players.isOccupied(slot) {
            players[slot].chatBucket.rerate(
                ratePerSecond: configuration.chatRatePerSecond, burst: configuration.chatBurst, now: now)
            players[slot].signalBucket.rerate(
                ratePerSecond: configuration.signalRatePerSecond, burst: configuration.signalBurst, now: now)
            players[slot].commandBucket.rerate(
                ratePerSecond: configuration.commandRatePerSecond, burst: configuration.commandBurst, now: now)
        }
        for name in partyCreationBuckets.keys {
            partyCreationBuckets[name]?.rerate(
                ratePerSecond: configuration.partyCreationsPerMinute / 60, burst: configuration.partyCreationBurst, now: now)
        }
    }

    // MARK: Queries (for the driver and tests)

    /// Whether a live party uses this invite code (the driver draws again when it does).
    public func isInviteCodeInUse(_ code: String) -> Bool { partySlotByCode[code] != nil }

    /// The number of live parties.
    public var partyCount: Int { partySlotByCode.count }

    /// The number of players the hub holds: connected, or members within their reconnect grace.
    public var playerCount: Int { playerSlotByName.count }

    /// The connections the hub holds for `player`.
    public func sessionCount(of player: String) -> Int {
        playerSlotByName[player].map { players[$0].sessions.count } ?? 0
    }

    /// The number of pending invites.
    public var inviteCount: Int { invites.count }

    /// Whether a live group uses this invite code (the driver draws again when it does).
    public func isGroupInviteCodeInUse(_ code: String) -> Bool { organizations.isInviteCodeInUse(code) }

    /// The number of organizations.
    public var organizationCount: Int { organizations.organizationCount }

    /// The number of groups, in every organization.
    public var groupCount: Int { organizations.groupCount }

    /// When the hub next needs a `tick`, if ever.
    public var nextDeadline: Int64? { deadlines.next }

    /// The party `player` is in, as the wire shows it.
    public func party(of player: String) -> PartySnapshot? {
        guard let slot = playerSlotByName[player], let partySlot = players[slot].party else { return nil }
        return snapshot(partySlot)
    }

    /// Every live party (for invariant checks in tests).
    public var allParties: [PartySnapshot] { partySlotByCode.values.sorted().map { snapshot($0) } }

    /// The offset of the last event published (0: none yet).
    public var lastPublishedOffset: UInt64 { nextEventOffset - 1 }

    /// The last `seq` of a party.
    public func seq(ofParty id: String) -> UInt64? { partySlotByID[id].map { parties[$0].seq } }

    /// The pending invites of `player`, oldest first.
    public func invites(of player: String) -> [InviteSnapshot] {
        (inviteIDsByPlayer[player] ?? []).compactMap { invites[$0].map(inviteSnapshot) }
    }

    // MARK: Inputs

    /// Applies one input, appending what to deliver to `outputs`. Returns a command's result
    /// (whether or not it is replied to), for metrics; nil for other inputs.
    @discardableResult
    public mutating func apply(_ input: HubInput, into outputs: inout [HubOutput]) -> Result<ReplyData, PartyError>? {
        // Inputs from other loops carry their loop's clock: never let the hub's time go back.
        // A read leaves the time alone: it is not logged, and a replay must reach the same time.
        if !input.isReadOnly { now = max(now, input.now) }
        switch input {
        case .sessionOpened(let session, let player, let readOnly, _):
            openSession(session, player: player, readOnly: readOnly, into: &outputs)
            return nil
        case .sessionClosed(let session, _):
            closeSession(session, into: &outputs)
            return nil
        case .tick:
            fireDeadlines(into: &outputs)
            return nil
        case .serviceEvents(let caller, let events, _, let lootSeeds):
            applyServiceEvents(events, caller: caller, lootSeeds: lootSeeds, into: &outputs)
            return nil
        case .organizationRequest(let caller, let request, _, let seed):
            answerOrganizationRequest(request, caller: caller, seed: seed, into: &outputs)
            return nil
        case .adminReadPlayer(let caller, let player, _):
            outputs.append(.adminPlayer(caller, player: player, adminPlayerView(player)))
            return nil
        case .adminReadParty(let caller, let party, _):
            outputs.append(.adminParty(caller, party: party, partySlotByID[party].map { snapshot($0) }))
            return nil
        case .adminDisband(let caller, let party, let reason, _, _):
            outputs.append(.adminDisbanded(caller, party: party, members: adminDisband(party, reason: reason, into: &outputs)))
            return nil
        case .command(let session, let request, _, let seed):
            guard let playerSlot = playerSlotBySession[session] else {
                return .failure(PartyError(.internalError, "unknown session"))
            }
            let start = outputs.count
            let reply = answer(request, session: session, playerSlot: playerSlot, seed: seed, into: &outputs)
            if let rid = request.rid {
                // The reply goes before the command's events, so a client holds the answer
                // (and the party) before it sees what followed from it.
                outputs.insert(.reply(session, rid: rid, reply), at: start)
            }
            return reply
        }
    }

    /// Carries out a request, or answers a repeated `idem` key with its first answer.
    private mutating func answer(
        _ request: ClientRequest, session: SessionID, playerSlot: Int, seed: PartySeed?, into outputs: inout [HubOutput]
    ) -> Result<ReplyData, PartyError> {
        let operation = request.command.operation
        let key = operation.isReadOnly ? nil : request.idem
        if let key, let first = players[playerSlot].recentRequests.entry(for: key) {
            guard first.operation == operation else {
                return .failure(PartyError(.invalidMessage, "idem \"\(key)\" was used for \(first.operation.rawValue)"))
            }
            return first.reply
        }
        let reply: Result<ReplyData, PartyError>
        do throws(PartyError) {
            reply = .success(try perform(request.command, session: session, playerSlot: playerSlot, seed: seed, into: &outputs))
        } catch {
            reply = .failure(error)
        }
        // A refusal for now (rate) or for a fault is not the command's answer: a retry may pass.
        if let key, !reply.isTransientFailure {
            players[playerSlot].recentRequests.remember(key, operation, reply)
        }
        return reply
    }

    private mutating func perform(
        _ command: PartyCommand, session: SessionID, playerSlot: Int, seed: PartySeed?, into outputs: inout [HubOutput]
    ) throws(PartyError) -> ReplyData {
        switch command {
        case .chat(let text): return try chat(playerSlot: playerSlot, text: text, into: &outputs)
        case .signal(let kind, let data): return try signal(kind: kind, data: data, playerSlot: playerSlot, into: &outputs)
        default: try takeCommandToken(playerSlot)
        }
        switch command {
        case .chat, .signal: return .empty  // handled above
        case .create(let maxMembers, let lootMode):
            return try create(playerSlot: playerSlot, seed: seed, maxMembers: maxMembers, lootMode: lootMode, into: &outputs)
        case .join(let code, let role): return try join(playerSlot: playerSlot, inviteCode: code, role: role, into: &outputs)
        case .leave: return try leave(playerSlot: playerSlot, into: &outputs)
        case .get: return .party(snapshot(try partySlot(of: playerSlot)))
        case .kick(let player): return try kick(player, by: playerSlot, into: &outputs)
        case .promote(let player): return try promote(player, by: playerSlot, into: &outputs)
        case .disband: return try disband(by: playerSlot, into: &outputs)
        case .setRole(let role): return try setRole(role, playerSlot: playerSlot, into: &outputs)
        case .setLoot(let mode, let masterLooter, let threshold):
            return try setLoot(mode, masterLooter, threshold: threshold, by: playerSlot, into: &outputs)
        case .invite(let player): return try invite(player, by: playerSlot, into: &outputs)
        case .inviteAccept(let id, let role): return try acceptInvite(id, role: role, playerSlot: playerSlot, into: &outputs)
        case .inviteDecline(let id): return try declineInvite(id, playerSlot: playerSlot, into: &outputs)
        case .regenerateCode: return try regenerateCode(seed: seed, by: playerSlot, into: &outputs)
        case .setOpen(let open): return try changeSettings(by: playerSlot, into: &outputs) { $0.open = open }
        case .setInvitePolicy(let policy):
            return try changeSettings(by: playerSlot, into: &outputs) { $0.invitePolicy = policy }
        case .setComposition(let composition): return try setComposition(composition, by: playerSlot, into: &outputs)
        case .requestAccept(let player): return try acceptRequest(player, by: playerSlot, into: &outputs)
        case .requestReject(let player): return try rejectRequest(player, by: playerSlot, into: &outputs)
        case .readyCheck: return try startReadyCheck(by: playerSlot, into: &outputs)
        case .ready(let ready): return try answerReadyCheck(ready, playerSlot: playerSlot, into: &outputs)
        case .history(let before, let limit): return try history(playerSlot: playerSlot, before: before, limit: limit)
        case .resume(let party, let afterSeq):
            return try resume(party, afterSeq: afterSeq, session: session, playerSlot: playerSlot, into: &outputs)
        case .chooseLoot(let roll, let choice): return try chooseLoot(roll, choice: choice, playerSlot: playerSlot, into: &outputs)
        case .assignLoot(let roll, let player): return try assignLoot(roll, to: player, by: playerSlot, into: &outputs)
        case .claimLoot(let roll): return try claimLoot(roll, playerSlot: playerSlot, into: &outputs)
        case .shareQuest(let questID, let objectives):
            return try shareQuest(questID, objectives: objectives, by: playerSlot, into: &outputs)
        case .abandonQuest(let questID): return try abandonQuest(questID, by: playerSlot, into: &outputs)
        }
    }

    private mutating func takeCommandToken(_ playerSlot: Int) throws(PartyError) {
        if let wait = players[playerSlot].commandBucket.take(now: now) {
            throw .rateLimited("command", retryAfter: wait)
        }
    }

    // MARK: Deadlines

    private mutating func fireDeadlines(into outputs: inout [HubOutput]) {
        while let action = deadlines.popDue(now: now) {
            switch action {
            case .expireInvite(let id): expireInvite(id, into: &outputs)
            case .expireRequest(let partyID, let player): expireRequest(partyID: partyID, player: player, into: &outputs)
            case .endReadyCheck(let partyID, let number): timeOutReadyCheck(partyID: partyID, number: number, into: &outputs)
            case .endGrace(let player, let offlineSince): endGrace(player, offlineSince: offlineSince, into: &outputs)
            case .noticeOffline(let player): noticeOffline(player, into: &outputs)
            case .endLootRoll(let partyID, let roll): timeOutLootRoll(partyID: partyID, roll: roll, into: &outputs)
            }
        }
    }

    // MARK: Checks shared by the commands

    /// The caller's party.
    func partySlot(of playerSlot: Int) throws(PartyError) -> Int {
        guard let partySlot = players[playerSlot].party else { throw PartyError(.notInParty, "not in a party") }
        return partySlot
    }

    func requireNoParty(_ playerSlot: Int) throws(PartyError) {
        if players[playerSlot].party != nil { throw PartyError(.alreadyInParty, "already in a party") }
    }

    /// The caller's party, when the caller leads it.
    func leadersParty(_ playerSlot: Int) throws(PartyError) -> Int {
        let partySlot = try partySlot(of: playerSlot)
        guard parties[partySlot].leader == playerSlot else { throw PartyError(.notLeader, "only the party leader may do that") }
        return partySlot
    }

    /// The leader's party and another of its members, named by the leader.
    func leadersTarget(_ name: String, by playerSlot: Int) throws(PartyError) -> (Int, Int) {
        let partySlot = try leadersParty(playerSlot)
        if name == players[playerSlot].name { throw PartyError(.invalidTarget, "name another member, not yourself") }
        return (partySlot, try member(named: name, of: partySlot))
    }

    /// The player slot of a member of the party, by name.
    func member(named name: String, of partySlot: Int) throws(PartyError) -> Int {
        guard let slot = playerSlotByName[name], players[slot].party == partySlot else {
            throw PartyError(.notMember, "\(name) is not a member of your party")
        }
        return slot
    }

    /// Refuses `role` for a member (or joiner) when the party's composition has no free slot for it.
    func requireRoleFits(_ role: PartyRole?, in partySlot: Int, for playerSlot: Int) throws(PartyError) {
        guard let role, let composition = parties[partySlot].settings.composition else { return }
        let taken = parties[partySlot].members.count { $0 != playerSlot && players[$0].role == role }
        if taken >= composition.slots(for: role) {
            throw PartyError(.compositionFull, "the party's \(role.rawValue) slots are taken (\(composition.slots(for: role)))")
        }
    }

    // MARK: Events

    /// Emits a party event to every member's connections (and `alsoTo`): it takes the next
    /// `seq` and goes into the history.
    mutating func emit(
        _ body: PartyEventBody, in partySlot: Int, alsoTo extra: [SessionID] = [], into outputs: inout [HubOutput]
    ) {
        parties[partySlot].seq += 1
        parties[partySlot].updatedAt = now
        let event = PartyEvent(partyID: parties[partySlot].id, seq: parties[partySlot].seq, body: body)
        parties[partySlot].history.append(event)
        outputs.append(.event(event, recipients: extra.isEmpty ? parties[partySlot].recipients : parties[partySlot].recipients + extra))
    }

    /// Rebuilds the party's recipients from its members' connections.
    mutating func refreshRecipients(_ partySlot: Int) {
        var recipients: [SessionID] = []
        for member in parties[partySlot].members { recipients.append(contentsOf: players[member].sessions) }
        parties[partySlot].recipients = recipients
    }

    // MARK: Snapshots

    /// The admin API's view of `name`, or nil when the hub holds no such player.
    func adminPlayerView(_ name: String) -> AdminPlayerView? {
        guard let slot = playerSlotByName[name] else { return nil }
        let record = players[slot]
        func budget(_ label: String, _ bucket: TokenBucket) -> (name: String, available: Int64?, burst: Int64, perSecond: Double) {
            (label, bucket.available(now: now), TokenBucket.wholeTokens(bucket.capacity), bucket.ratePerSecond)
        }
        return AdminPlayerView(
            player: name, sessions: record.sessions, online: record.isOnline, party: record.party.map { parties[$0].id }, offlineSince: record.offlineSince,
            budgets: [budget("commands", record.commandBucket), budget("chat", record.chatBucket), budget("signals", record.signalBucket)])
    }

    func snapshot(_ partySlot: Int) -> PartySnapshot { partySnapshot(partySlot, asMember: true) }

    /// The party as a player outside it (an invitee) sees it: not the pending invites, join
    /// requests, ready check, loot rolls or quests of a party they are not in. It also keeps
    /// an invitee's `session.ready` small whatever the inviting parties hold.
    func outsiderSnapshot(_ partySlot: Int) -> PartySnapshot { partySnapshot(partySlot, asMember: false) }

    private func partySnapshot(_ partySlot: Int, asMember: Bool) -> PartySnapshot {
        let party = parties[partySlot]
        return PartySnapshot(
            id: party.id, inviteCode: party.inviteCode, leader: players[party.leader].name,
            members: party.members.map { players[$0].name }, maxMembers: party.maxMembers, seq: party.seq,
            createdAt: party.createdAt, updatedAt: party.updatedAt,
            roster: party.members.map {
                PartyMemberSnapshot(
                    player: players[$0].name, role: players[$0].role, online: players[$0].isOnline,
                    joinedAt: players[$0].joinedAt)
            }, lootMode: party.lootMode, masterLooter: party.masterLooter.map { players[$0].name },
            settings: party.settings,
            invites: !asMember ? [] : party.inviteIDs.compactMap { id in
                invites[id].map { PendingInvite(id: $0.id, player: $0.player, by: $0.by, expiresAt: $0.expiresAt) }
            },
            requests: !asMember ? [] : party.requests.map { requestSnapshot($0, of: partySlot) },
            readyCheck: !asMember ? nil : party.readyCheck.map { check in
                ReadyCheckSnapshot(by: check.by, expiresAt: check.expiresAt, answers: readyAnswers(check))
            }, lootThreshold: party.lootThreshold, lootRolls: !asMember ? [] : party.lootRolls.map(lootRollSnapshot),
            quests: !asMember ? [] : party.quests.map(\.snapshot))
    }

    func inviteSnapshot(_ invite: Invite) -> InviteSnapshot {
        InviteSnapshot(
            id: invite.id, party: outsiderSnapshot(invite.partySlot), player: invite.player, by: invite.by,
            expiresAt: invite.expiresAt)
    }

    func requestSnapshot(_ request: JoinRequest, of partySlot: Int) -> JoinRequestSnapshot {
        JoinRequestSnapshot(party: parties[partySlot].id, player: request.player, role: request.role, expiresAt: request.expiresAt)
    }
}

extension PartyError {
    static func rateLimited(_ what: String, retryAfter milliseconds: Int64) -> PartyError {
        PartyError(
            .rateLimited, "\(what) rate limit reached; retry in \(milliseconds) ms", detail: .retryAfter(milliseconds: milliseconds))
    }
}

extension Result where Failure == PartyError {
    /// A failure a retry may not meet: a rate limit or a server fault.
    var isTransientFailure: Bool {
        guard case .failure(let error) = self else { return false }
        return error.code == .rateLimited || error.code == .internalError
    }
}
