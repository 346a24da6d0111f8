import Protocol
import TestSupport
import XCTest

@testable import Realtime

/// Drives the hub with thousands of random inputs from many players (every command, with
/// real and bogus targets, `idem` keys that repeat, connections that drop and come back, and
/// ticks that jump past every deadline) and checks, after every step, the rules that must
/// always hold: seats, one leader who is a member, one party per player, no empty party,
/// unique invite codes, invites and requests that fit their party, `seq` + 1 per stored event
/// (signals repeat the current one), events to exactly the members at the time (with the
/// designated exceptions), and one reply per command with a `rid`, first. Membership is also
/// rebuilt from the events alone and must match the hub's. Seeded, so a failure reproduces;
/// the failing step is in the message.
final class HubInvariantTests: XCTestCase {
    private static let configuration = HubDriver.configuration {
        $0.chatRatePerSecond = 50
        $0.chatBurst = 5
        $0.signalRatePerSecond = 0.5
        $0.signalBurst = 2
        $0.inviteTTLMilliseconds = 8_000
        $0.reconnectGraceMilliseconds = 5_000
        $0.readyCheckMilliseconds = 2_000
        $0.historySize = 16
    }
    private static let steps = 20_000

    private var random = SplitMix64(seed: 0xC0FFEE_2026)
    private var hub = Hub(configuration: configuration)
    private var now: Int64 = 1_800_000_000_000
    private var nextSession: UInt64 = 1
    private var nextParty = 0
    private let players = (0..<40).map { "player-\($0)" }
    private let idemKeys = (0..<6).map { "key-\($0)" }

    /// The open sessions of each player.
    private var sessions: [String: [SessionID]] = [:]
    private var playerOfSession: [SessionID: String] = [:]
    /// The parties after the last step, and each member's.
    private var parties: [PartySnapshot] = []
    private var partyOf: [String: PartySnapshot] = [:]
    /// The last stored seq, and every stored event, per party id.
    private var lastSeq: [String: UInt64] = [:]
    private var log: [String: [PartyEvent]] = [:]
    /// Membership as the events tell it: party id -> members, player -> party id.
    private var eventMembers: [String: Set<String>] = [:]
    private var eventPartyOf: [String: String] = [:]
    /// The first non-transient answer to each player's `idem` key, while the hub holds the player.
    private var firstAnswers: [String: [String: (operation: PartyOperation, reply: Result<ReplyData, PartyError>)]] = [:]
    /// What the walk went through, to check that it exercises every rule.
    private var seen = Counts()
    private var wellFormedCodes: Set<String> = []

    private var step = 0
    private var input = HubInput.tick(now: 0)
    private var failures = 0

    func testRandomInputsKeepEveryPartyRule() {
        for index in 0..<Self.steps {
            step = index
            now += Int64(random.next(below: 200))
            input = randomInput()
            var outputs: [HubOutput] = []
            let result = hub.apply(input, into: &outputs)
            if case .sessionClosed(let session, _) = input, let player = playerOfSession.removeValue(forKey: session) {
                sessions[player]?.removeAll { $0 == session }
            }
            parties = hub.allParties
            partyOf = [:]
            for party in parties { for member in party.members { partyOf[member] = party } }
            checkOutputs(outputs, result)
            checkState()
            forgetReleasedPlayers()
            if failures > 20 { break }
        }
        XCTAssertEqual(failures, 0, "see the failures above")
        XCTAssertGreaterThan(nextParty, 100, "the random walk should create many parties")
        let missing = Self.mustSee.subtracting(seen.counts.keys)
        XCTAssertTrue(missing.isEmpty, "the walk never saw: \(missing.sorted()); it saw \(seen.counts.sorted { $0.key < $1.key })")
    }

    /// Outcomes the walk must reach, so that every rule is exercised.
    private static let mustSee: Set<String> = [
        "invited notice", "invite accepted", "invite declined", "invite expired", "invite cancelled",
        "request filed", "request accepted", "request rejected", "request expired", "request withdrawn", "request full",
        "request disbanded", "code changed", "settings changed", "ready check started", "ready answered",
        "ready result answered", "ready result timeout", "signal", "history", "resume replayed", "resync",
        "idem repeat", "idem clash", "member offline", "member online", "left on timeout", "hand-over past offline",
        "error already_in_party", "error not_found", "error party_full", "error not_in_party", "error invalid_message",
        "error rate_limited", "error not_leader", "error not_member", "error invalid_target", "error already_invited",
        "error already_requested", "error composition_full", "error ready_check_active", "error no_ready_check",
        "error resync_required", "error internal_error",
    ]

    // MARK: Failing

    private func require(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) {
        guard !condition else { return }
        failures += 1
        if failures <= 20 { XCTFail("\(message()); step \(step), input \(input)", line: line) }
    }

    // MARK: Inputs

    private func pick<Element>(_ elements: [Element]) -> Element { elements[random.next(below: elements.count)] }
    private func chance(_ percent: Int) -> Bool { random.next(below: 100) < percent }

    private func randomInput() -> HubInput {
        let choice = random.next(below: 100)
        if choice < 5 {
            // Time passes, sometimes far past every invite, grace and ready-check deadline.
            if chance(30) { now += Int64(random.next(below: 20_000)) }
            return .tick(now: now)
        }
        // The same command again at once (a client retrying, or spamming): idem repeats, rate limits.
        if case .command(let session, let request, _, _) = input, playerOfSession[session] != nil,
            choice < 9 || (request.command.operation == .signal && choice < 60)
        {
            var seed: PartySeed?
            if case .create = request.command { seed = freshSeed() } else if case .regenerateCode = request.command { seed = freshSeed() }
            return .command(session, request, now: now, seed: seed)
        }
        let player = pick(players)
        let own = sessions[player] ?? []
        if own.isEmpty || (choice < 12 && own.count < 2) {
            let session = SessionID(rawValue: nextSession)
            nextSession += 1
            sessions[player, default: []].append(session)
            playerOfSession[session] = player
            return .sessionOpened(session, player: player, now: now)
        }
        let session = pick(own)
        if choice < 20 { return .sessionClosed(session, now: now) }
        let (command, seed) = randomCommand(for: player)
        let rid: Int64? = chance(33) ? nil : Int64(random.next(below: 1000))
        let idem = chance(20) ? pick(idemKeys) : nil
        return .command(session, ClientRequest(rid: rid, command: command, idem: idem), now: now, seed: seed)
    }

    private func freshSeed() -> PartySeed {
        nextParty += 1
        var code: String
        repeat {
            code = InviteCode.make(indexes: (0..<InviteCode.length).map { _ in random.next(below: InviteCode.alphabet.count) })
        } while hub.isInviteCodeInUse(code)
        return PartySeed(id: "party-\(nextParty)", inviteCode: code)
    }

    private func randomRole() -> PartyRole? { chance(40) ? nil : pick(PartyRole.allCases) }

    /// A player to name: usually one of the walk's, sometimes the caller, sometimes no player id at all.
    private func randomTarget(_ player: String, in party: PartySnapshot?) -> String {
        switch random.next(below: 10) {
        case 0: return player
        case 1: return "not a player!"
        case 2, 3, 4: if let party { return pick(party.members) }
        default: break
        }
        return pick(players)
    }

    private func randomCommand(for player: String) -> (PartyCommand, PartySeed?) {
        let party = partyOf[player]
        // A leader with requests waiting often answers one.
        if let party, party.leader == player, !party.requests.isEmpty, chance(40) {
            let target = pick(party.requests).player
            return (chance(60) ? .requestAccept(player: target) : .requestReject(player: target), nil)
        }
        // A closed party with requests waiting takes players in by other ways too (the requests
        // beyond the free seats are then turned down).
        if let party, !party.settings.open, !party.requests.isEmpty, chance(50) {
            if party.leader == player && chance(30) { return (.setOpen(true), nil) }
            let outsiders = players.filter { name in
                partyOf[name] == nil && !(sessions[name]?.isEmpty ?? true) && !party.requests.contains { $0.player == name }
            }
            if !outsiders.isEmpty { return (.invite(player: pick(outsiders)), nil) }
        }
        // A leader sometimes asks for a ready check while one runs.
        if let party, party.leader == player, party.readyCheck != nil, chance(10) { return (.readyCheck, nil) }
        // Leaders close their parties now and then, so that joins file requests.
        if let party, party.leader == player, party.settings.open, chance(10) { return (.setOpen(false), nil) }
        // A leader whose earliest-joined member is offline sometimes leaves: the lead passes to
        // the earliest-joined online member.
        if let party, party.leader == player, party.members.count > 2, sessions[party.members[1]]?.isEmpty ?? true, chance(30) {
            return (.leave, nil)
        }
        // A member asked in a ready check often answers.
        if let check = party?.readyCheck, check.answers.contains(where: { $0.player == player && $0.ready == nil }), chance(50) {
            return (.ready(chance(80)), nil)
        }
        // A player in no party mostly looks for one.
        if party == nil {
            let invites = hub.invites(of: player)
            switch random.next(below: 100) {
            case 0..<15: return mixedCommand(0, for: player)
            case 15..<40: return mixedCommand(9, for: player)
            case 40..<75 where !invites.isEmpty:
                // Invites from parties with requests waiting first: a seat that goes that way
                // turns down the requests beyond the free seats.
                let contested = invites.filter { !$0.party.requests.isEmpty }
                let id = pick(contested.isEmpty ? invites : contested).id
                return (chance(80) ? .inviteAccept(invite: id, role: randomRole()) : .inviteDecline(invite: id), nil)
            case 40..<75: return mixedCommand(9, for: player)
            default: break
            }
        }
        return mixedCommand(random.next(below: 100), for: player)
    }

    /// Command number `choice` (0-99) of the general mix.
    private func mixedCommand(_ choice: Int, for player: String) -> (PartyCommand, PartySeed?) {
        let party = partyOf[player]
        let live = parties
        switch choice {
        case 0..<9:
            let maxMembers: Int? = chance(50) ? nil : 2 + random.next(below: 5)
            let lootMode: LootMode? = chance(70) ? nil : pick(LootMode.allCases)
            return (.create(maxMembers: maxMembers, lootMode: lootMode), freshSeed())
        case 9..<22:
            let asked = live.filter { $0.requests.contains { $0.player == player } || ($0.settings.open && !$0.requests.isEmpty) }
            let code = live.isEmpty || chance(8) ? "ZZZZZZZZ" : pick(asked.isEmpty || chance(60) ? live : asked).inviteCode
            return (.join(inviteCode: code, role: randomRole()), nil)
        case 22..<27:
            return (.leave, nil)
        case 27..<33:
            let target = randomTarget(player, in: party)
            switch random.next(below: 6) {
            case 0: return (.kick(player: target), nil)
            case 1: return (.promote(player: target), nil)
            case 2: return (chance(50) ? .disband : .get, nil)
            case 3: return (.setRole(randomRole()), nil)
            case 4: return (.setLoot(pick(LootMode.allCases), masterLooter: chance(30) ? nil : target), nil)
            default: return (.setInvitePolicy(pick(InvitePolicy.allCases)), nil)
            }
        case 33..<40:
            let invited = party?.invites.map(\.player) ?? []
            let free = players.filter { partyOf[$0] == nil && !(sessions[$0]?.isEmpty ?? true) }
            switch random.next(below: 10) {
            case 0..<5 where !free.isEmpty: return (.invite(player: pick(free)), nil)
            case 5...6 where !invited.isEmpty: return (.invite(player: pick(invited)), nil)
            default: return (.invite(player: randomTarget(player, in: party)), nil)
            }
        case 40..<47:
            var ids = hub.invites(of: player).map(\.id)
            if ids.isEmpty || chance(25) { ids = hub.invites(of: pick(players)).map(\.id) + ["inv_0"] }
            let id = pick(ids)
            return (chance(75) ? .inviteAccept(invite: id, role: randomRole()) : .inviteDecline(invite: id), nil)
        case 47..<50:
            return (.setOpen(chance(40)), nil)
        case 50..<55:
            let requesters = party?.requests.map(\.player) ?? []
            let target = requesters.isEmpty || chance(20) ? pick(players) : pick(requesters)
            return (chance(70) ? .requestAccept(player: target) : .requestReject(player: target), nil)
        case 55..<58:
            switch random.next(below: 6) {
            case 0: return (.regenerateCode, nil)
            case 1: return (.regenerateCode, PartySeed(id: "unused", inviteCode: live.isEmpty ? "ZZZZZZZZ" : pick(live).inviteCode))
            default: return (.regenerateCode, freshSeed())
            }
        case 58..<61:
            let composition = Composition(tank: random.next(below: 3), healer: random.next(below: 3), dps: random.next(below: 4))
            return (.setComposition(chance(25) ? nil : composition), nil)
        case 61..<65:
            return (.readyCheck, nil)
        case 65..<71:
            return (.ready(chance(80)), nil)
        case 71..<76:
            return (.signal(kind: "pos", data: #"{"x":1}"#), nil)
        case 76..<79:
            let before: UInt64? = chance(50) ? nil : UInt64(random.next(below: Int(party?.seq ?? 0) + 2))
            return (.history(beforeSeq: before, limit: chance(50) ? nil : 1 + random.next(below: 20)), nil)
        case 79..<84:
            let id = party.flatMap { chance(80) ? $0.id : nil } ?? (live.isEmpty ? "gone" : pick(live).id)
            let seq = party?.seq ?? 0
            let afterSeq = seq > 20 && chance(50) ? seq - 20 + UInt64(random.next(below: 23)) : UInt64(random.next(below: Int(seq) + 3))
            return (.resume(party: id, afterSeq: afterSeq), nil)
        default:
            let lengths = [0, 1, 5, 64, 1024, 1025]
            return (.chat(text: String(repeating: "é", count: pick(lengths))), nil)
        }
    }

    // MARK: Checking the outputs

    private var command: (session: SessionID, request: ClientRequest)? {
        if case .command(let session, let request, _, _) = input { return (session, request) }
        return nil
    }

    private func checkOutputs(_ outputs: [HubOutput], _ result: Result<ReplyData, PartyError>?) {
        let command = command
        let actor = command.flatMap { playerOfSession[$0.session] }
        var isReplay = false
        if case .resume? = command?.request.command, case .success? = result { isReplay = true }
        var replies = 0
        var replayed: [PartyEvent] = []
        var leaderChanges: [String: String] = [:]
        for (index, output) in outputs.enumerated() {
            switch output {
            case .reply(let session, let rid, let reply):
                replies += 1
                require(session == command?.session && rid == command?.request.rid, "a reply to the wrong session or rid")
                require(index == 0, "the reply is not the first output")
                require(reply == result, "the reply is not the command's result")
            case .event(let event, let recipients) where isReplay:
                require(recipients == [command!.session], "a replayed event went beyond the resuming session")
                replayed.append(event)
            case .event(let event, let recipients):
                checkEvent(event, recipients, actor: actor)
                if case .leaderChanged(let leader) = event.body { leaderChanges[event.partyID] = leader }
            case .notice(let message, let recipients):
                checkNotice(message, recipients, isLast: index == outputs.count - 1)
            }
        }
        require(replies == (command?.request.rid == nil ? 0 : 1), "\(replies) replies")
        checkLeaderChanges(leaderChanges)
        if let command, let result, let actor {
            checkResult(result, of: command.request, by: actor, outputs: outputs, replayed: replayed)
        } else {
            require(result == nil, "a result for an input that is not a command")
        }
    }

    /// The sessions of the members of a party at this point of the step (as the events tell it).
    private func memberSessions(_ partyID: String, except excluded: String? = nil) -> Set<SessionID> {
        var result = Set<SessionID>()
        for member in eventMembers[partyID] ?? [] where member != excluded { result.formUnion(sessions[member] ?? []) }
        if case .sessionOpened(let opened, _, _) = input { result.remove(opened) }
        return result
    }

    private func checkEvent(_ event: PartyEvent, _ recipients: [SessionID], actor: String?) {
        let id = event.partyID
        let current = lastSeq[id] ?? 0
        require(Set(recipients).count == recipients.count, "an event to a session twice")
        if case .signal(let from, _, _) = event.body {
            seen.insert("signal")
            require(event.seq == current, "a signal with seq \(event.seq), not the current \(current)")
            require(from == actor, "a signal from someone else")
            require(Set(recipients) == memberSessions(id, except: from), "a signal to other than the other members")
            return
        }
        require(event.seq == current + 1, "seq gap in \(id): \(current) then \(event.seq)")
        lastSeq[id] = event.seq
        log[id, default: []].append(event)
        var expected: Set<SessionID>
        switch event.body {
        case .memberJoined(let player):
            require(eventPartyOf[player] == nil, "\(player) joined while in a party")
            eventPartyOf[player] = id
            eventMembers[id, default: []].insert(player)
            expected = memberSessions(id)
        case .joinRejected(let player, let reason):
            seen.insert("request \(reason.rawValue)")
            expected = memberSessions(id).union(sessions[player] ?? [])
        default:
            expected = memberSessions(id)
        }
        require(Set(recipients) == expected, "\(event.body) to \(recipients.sorted()), not the members' \(expected.sorted())")
        checkCause(of: event)
        switch event.body {
        case .memberLeft(let player, _):
            require(eventPartyOf[player] == id, "\(player) left a party it was not in")
            eventPartyOf[player] = nil
            eventMembers[id]?.remove(player)
        case .disbanded:
            for member in eventMembers[id] ?? [] { eventPartyOf[member] = nil }
            eventMembers[id] = []
        default: break
        }
        if eventMembers[id]?.isEmpty == true {
            eventMembers[id] = nil
            require(hub.seq(ofParty: id) == nil, "a party with no members lives on")
        }
    }

    /// Events that only time, or only a connection change, may cause.
    private func checkCause(of event: PartyEvent) {
        var isTick = false
        if case .tick = input { isTick = true }
        switch event.body {
        case .inviteExpired:
            seen.insert("invite expired")
            // An accept that comes after the expiry but before the sweep expires it at once.
            var isLateAccept = false
            if case .command(_, let request, _, _) = input, case .inviteAccept = request.command { isLateAccept = true }
            require(isTick || isLateAccept, "an invite expired without a tick or a late accept")
        case .joinRejected(_, .expired):
            require(isTick, "a request expired without a tick")
        case .memberLeft(_, .timeout):
            seen.insert("left on timeout")
            require(isTick, "a timeout without a tick, with a grace")
        case .memberOffline(let player):
            seen.insert("member offline")
            require(sessions[player]?.isEmpty ?? true, "\(player) is offline with a connection")
            if case .sessionClosed = input {} else { require(false, "member_offline without a connection closing") }
        case .memberOnline(let player):
            seen.insert("member online")
            if case .sessionOpened(_, player, _) = input {} else { require(false, "member_online without \(player) connecting") }
        case .readyCheckResult(let result):
            seen.insert(result.reason == .timeout ? "ready result timeout" : "ready result answered")
            require(isTick || result.reason != .timeout, "a ready check timed out without a tick")
            require(result.allReady == result.answers.allSatisfy { $0.ready == true }, "all_ready disagrees with the answers")
        case .inviteDeclined: seen.insert("invite declined")
        case .joinRequested: seen.insert("request filed")
        case .codeChanged: seen.insert("code changed")
        case .settingsChanged: seen.insert("settings changed")
        case .readyCheckStarted: seen.insert("ready check started")
        case .readyAnswered: seen.insert("ready answered")
        default: break
        }
    }

    /// The last leader change of each party in the step names its leader now: the promoted
    /// member, or the earliest-joined online member (the earliest joiner when none is online).
    private func checkLeaderChanges(_ changes: [String: String]) {
        for (id, leader) in changes {
            guard let party = parties.first(where: { $0.id == id }) else { continue }
            require(party.leader == leader, "leader_changed names \(leader), the leader is \(party.leader)")
            if case .promote(leader)? = command?.request.command { continue }
            let online = party.members.first { !(sessions[$0]?.isEmpty ?? true) }
            require(leader == online ?? party.members[0], "\(leader) leads, not the earliest-joined online member")
            if online != nil && online != party.members[0] { seen.insert("hand-over past offline") }
        }
    }

    private func checkNotice(_ message: ServerMessage, _ recipients: [SessionID], isLast: Bool) {
        if case .sessionReady(let player, let party, let invites) = message {
            guard case .sessionOpened(let session, player, _) = input else {
                return require(false, "session.ready without that player's session opening")
            }
            require(recipients == [session] && isLast, "session.ready to other sessions, or not last")
            require(party == partyOf[player], "session.ready shows another party")
            require(invites == hub.invites(of: player), "session.ready shows other invites")
            return
        }
        // The other notices are for one player, on all of its connections.
        let player = recipients.first.flatMap { playerOfSession[$0] }
        require(player != nil && Set(recipients) == Set(sessions[player!] ?? []), "a notice to other than one player's sessions")
        switch message {
        case .notice(.invited(let invite)):
            seen.insert("invited notice")
            require(invite.player == player, "party.invited to someone else")
            require(partyOf[invite.player] == nil, "an invite to a player in a party")
            if case .invite(invite.player)? = command?.request.command {} else { require(false, "party.invited without an invite") }
        case .notice(.inviteCancelled(_, let party, let reason)):
            seen.insert("invite cancelled")
            require(reason == .expired || hub.seq(ofParty: party) == nil, "an invite cancelled while its party lives")
        case .notice(.joinAccepted(let party)):
            seen.insert("join accepted notice")
            require(partyOf[player ?? ""]?.id == party.id, "party.join_accepted to someone not in that party")
        case .notice(.joinRejected(let party, _)):
            seen.insert("request disbanded")
            require(hub.seq(ofParty: party) == nil, "a request dropped as disbanded while its party lives")
        default:
            require(false, "an unexpected notice \(message)")
        }
    }

    // MARK: Checking a command's result

    /// The `seq` of the player's own join to the party (1 for its creator): history and resume
    /// start there.
    private func joinSeq(of player: String, in partyID: String) -> UInt64 {
        for event in (log[partyID] ?? []).reversed() {
            if case .memberJoined(player) = event.body { return event.seq }
        }
        return 1
    }

    private func checkResult(
        _ result: Result<ReplyData, PartyError>, of request: ClientRequest, by player: String, outputs: [HubOutput],
        replayed: [PartyEvent]
    ) {
        let operation = request.command.operation
        let onlyTheReply = outputs.allSatisfy { if case .reply = $0 { return true } else { return false } }
        if case .failure(let error) = result {
            seen.insert("error \(error.code.rawValue)")
            if error.code == .rateLimited {
                guard case .retryAfter(let wait)? = error.detail else { return require(false, "rate_limited without retry_after_ms") }
                require(wait > 0, "retry_after_ms \(wait)")
            }
            if error.code == .resyncRequired { require(error.detail == .resync(party: partyOf[player]), "resync_required shows another party") }
            // A failed command changes nothing, but a request found stale on accept is dropped,
            // and an invite accepted after its expiry (before the sweep) expires then.
            if case .requestAccept = request.command, error.code == .notFound {
            } else if case .inviteAccept = request.command, error.code == .notFound {
            } else {
                require(onlyTheReply, "a failed command had effects")
            }
        }
        if let key = request.idem, !operation.isReadOnly {
            if let first = firstAnswers[player]?[key] {
                if first.operation == operation {
                    seen.insert("idem repeat")
                    require(result == first.reply && onlyTheReply, "a repeated idem key was carried out again")
                } else {
                    seen.insert("idem clash")
                    require(result.failureCode == .invalidMessage && onlyTheReply, "idem reused for another op")
                }
                return
            }
            if result.failureCode != .rateLimited && result.failureCode != .internalError {
                firstAnswers[player, default: [:]][key] = (operation, result)
            }
        }
        if case .resume(let id, let afterSeq) = request.command, result.failureCode == .resyncRequired {
            seen.insert("resync")
            let held = (log[id] ?? []).suffix(Self.configuration.historySize)
            let canReplay =
                partyOf[player]?.id == id && afterSeq <= lastSeq[id] ?? 0 && afterSeq + 1 >= held.first?.seq ?? afterSeq + 1
                && afterSeq + 1 >= joinSeq(of: player, in: id)
            require(!canReplay, "resync_required though the events are held")
        }
        guard case .success(let data) = result else { return }
        switch request.command {
        case .create:
            // The one change no event tells: the creator is the first member.
            guard case .party(let party) = data else { return require(false, "party.create replied \(data)") }
            eventMembers[party.id] = [player]
            eventPartyOf[player] = party.id
        case .inviteAccept: seen.insert("invite accepted")
        case .requestAccept: seen.insert("request accepted")
        case .invite(let invitee):
            let sent = outputs.contains {
                guard case .event(let event, _) = $0, case .inviteSent(_, invitee, player, _) = event.body else { return false }
                return true
            }
            require(sent, "an invite without party.invite_sent")
            let told = outputs.contains {
                guard case .notice(.notice(.invited), _) = $0 else { return false }
                return true
            }
            require(told == !(sessions[invitee]?.isEmpty ?? true), "a connected invitee not told, or a notice to nobody")
        case .history(let before, let limit):
            seen.insert("history")
            let id = partyOf[player]?.id ?? ""
            let held = (log[id] ?? []).suffix(Self.configuration.historySize)
            let joined = joinSeq(of: player, in: id)
            let expected = held.filter { $0.seq < before ?? .max && $0.seq >= joined }.suffix(min(limit ?? 50, Self.configuration.historySize))
            require(data == .events(Array(expected)), "party.history returned other events")
        case .resume(let id, let afterSeq):
            let held = (log[id] ?? []).suffix(Self.configuration.historySize)
            let expected = held.filter { $0.seq > afterSeq }
            require(
                partyOf[player]?.id == id && afterSeq + 1 >= held.first?.seq ?? afterSeq + 1
                    && afterSeq + 1 >= joinSeq(of: player, in: id), "resumed what it could not")
            require(replayed == Array(expected), "session.resume replayed other events")
            require(data == .resumed(replayed: expected.count, seq: lastSeq[id] ?? 0), "session.resume replied \(data)")
            if !expected.isEmpty { seen.insert("resume replayed") }
        default: break
        }
    }

    // MARK: Checking the state

    private func checkState() {
        var codes = Set<String>(), inviteIDs = Set<String>(), invites = 0, members = 0
        for party in parties {
            let name = party.id
            let memberSet = Set(party.members)
            members += party.members.count
            require(!party.members.isEmpty, "empty party \(name) kept")
            require(memberSet.count == party.members.count, "a duplicate member in \(name)")
            require(party.members.count <= party.maxMembers, "more members than seats in \(name)")
            require((2...Self.configuration.maxPartySize).contains(party.maxMembers), "\(party.maxMembers) seats")
            require(memberSet.contains(party.leader), "the leader of \(name) is not a member")
            require(party.roster.map(\.player) == party.members, "roster and members disagree in \(name)")
            require(
                party.roster.allSatisfy { $0.online == !(sessions[$0.player]?.isEmpty ?? true) }, "a roster shows presence wrongly")
            require((party.masterLooter != nil) == (party.lootMode == .masterLooter), "a master looter without its mode")
            require(party.masterLooter.map(memberSet.contains) ?? true, "the master looter is not a member")
            require(codes.insert(party.inviteCode).inserted, "code \(party.inviteCode) shared")
            if wellFormedCodes.insert(party.inviteCode).inserted {
                require(InviteCode.isWellFormed(party.inviteCode), "malformed code \(party.inviteCode)")
            }
            require(party.seq == lastSeq[name] ?? 0, "the seq of \(name) is not its last event's")
            require(eventMembers[name] == memberSet, "the events of \(name) tell other members")
            // Invites and requests fit the party.
            invites += party.invites.count
            require(party.invites.count <= party.maxMembers, "more invites than seats")
            require(Set(party.invites.map(\.player)).count == party.invites.count, "two invites to one player")
            require(party.invites.allSatisfy { !memberSet.contains($0.player) }, "an invite to a member")
            require(party.invites.allSatisfy { inviteIDs.insert($0.id).inserted }, "an invite id shared")
            require(party.requests.count <= party.maxMembers - party.members.count, "more requests than free seats in \(name)")

            require(Set(party.requests.map(\.player)).count == party.requests.count, "two requests from one player")
            require(party.requests.allSatisfy { !memberSet.contains($0.player) && $0.party == name }, "a request from a member")
            if let slots = party.settings.composition {
                require((1...party.maxMembers).contains(slots.total), "a composition of \(slots.total) slots")
                for role in PartyRole.allCases {
                    require(party.roster.count { $0.role == role } <= slots.slots(for: role), "more \(role) than the composition allows")
                }
            }
            if let check = party.readyCheck {
                let asked = check.answers.map(\.player)
                require(Set(asked).count == asked.count && asked.allSatisfy(memberSet.contains), "a ready check asks non-members")
            }
        }
        require(partyOf.count == members, "a player in two parties")
        require(eventPartyOf.count == members, "the events tell of other members")
        require(hub.partyCount == parties.count && hub.inviteCount == invites, "invites outside the live parties")
        if let actor = command.flatMap({ playerOfSession[$0.session] }) {
            let own = hub.invites(of: actor)
            require(own.allSatisfy { inviteIDs.contains($0.id) && $0.player == actor }, "an invite naming a gone party")
        }
        let held = players.count { !(sessions[$0]?.isEmpty ?? true) || partyOf[$0] != nil }
        require(hub.playerCount == held, "the hub holds \(hub.playerCount) players, not \(held)")
    }

    /// A player the hub no longer holds has lost its `idem` keys.
    private func forgetReleasedPlayers() {
        for player in firstAnswers.keys where (sessions[player]?.isEmpty ?? true) && partyOf[player] == nil {
            firstAnswers[player] = nil
        }
    }
}

/// How often the walk saw each outcome.
private struct Counts {
    var counts: [String: Int] = [:]
    mutating func insert(_ label: String) { counts[label, default: 0] += 1 }
}

extension Result where Failure == PartyError {
    fileprivate var failureCode: PartyErrorCode? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}
