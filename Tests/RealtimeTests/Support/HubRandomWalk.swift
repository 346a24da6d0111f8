import Protocol
import TestSupport

@testable import Realtime

/// A seeded random walk through the hub: thousands of inputs from many players (every
/// command, with real and bogus targets, `idem` keys that repeat, connections that drop and
/// come back, ticks that jump past every deadline), from the game's services (loot drops, quest
/// objectives, with repeated and malformed events) and from the organizations API, applied one
/// by one to a live hub.
/// `HubInvariantTests` checks every rule after each step; `HubReplayTests` records each
/// input to replay it. The same seed always gives the same walk.
final class HubRandomWalk {
    /// The walk's rules: tight rate limits, short expiries and a small history, so that every
    /// limit and deadline is reached often.
    static let configuration = HubDriver.configuration {
        $0.chatRatePerSecond = 50
        $0.chatBurst = 5
        $0.signalRatePerSecond = 0.5
        $0.signalBurst = 2
        $0.inviteTTLMilliseconds = 8_000
        $0.reconnectGraceMilliseconds = 5_000
        $0.readyCheckMilliseconds = 2_000
        $0.historySize = 16
        $0.lootRollTimeoutMilliseconds = 8_000
    }

    /// The hub the walk drives.
    private(set) var hub: Hub
    /// The players the walk signs in.
    let players = (0..<40).map { "player-\($0)" }
    /// The open sessions of each player.
    private(set) var sessions: [String: [SessionID]] = [:]
    private(set) var playerOfSession: [SessionID: String] = [:]
    /// Those of `sessions` a read-only token opened (an overlay): they never send a command,
    /// and do not make their player present.
    private(set) var readOnlySessions: Set<SessionID> = []
    /// The parties after the last step, and each member's.
    private(set) var parties: [PartySnapshot] = []
    private(set) var partyOf: [String: PartySnapshot] = [:]
    /// The number of the step being applied, and its input.
    private(set) var step = 0
    private(set) var input = HubInput.tick(now: 0)
    /// How many parties the walk's seeds have made.
    private(set) var nextParty = 0

    var random: SplitMix64
    private var now: Int64 = 1_800_000_000_000
    private var nextSession: UInt64 = 1
    /// How many organization seeds the walk has drawn.
    var organizationSeeds = 0
    private let idemKeys = (0..<6).map { "key-\($0)" }
    private let questIDs = (0..<4).map { "q-\($0)" }
    /// The service events' ids so far, newest last, that a later batch may repeat.
    private var eventIDs: [String] = []
    /// The connection service events arrive on.
    static let serviceCaller = SessionID(rawValue: 1 << 50)

    init(seed: UInt64, configuration: HubConfiguration = HubRandomWalk.configuration) {
        random = SplitMix64(seed: seed)
        hub = Hub(configuration: configuration)
    }

    /// Applies `steps` random inputs. After each, once the walk's own view (sessions, parties)
    /// is updated, `applied` sees the input, its outputs and its result; returning false stops
    /// the walk.
    func run(
        steps: Int, applied: (_ input: HubInput, _ outputs: [HubOutput], _ result: Result<ReplyData, PartyError>?) -> Bool
    ) {
        for index in 0..<steps {
            step = index
            now += Int64(random.next(below: 200))
            input = randomInput()
            var outputs: [HubOutput] = []
            let result = hub.apply(input, into: &outputs)
            if case .sessionClosed(let session, _) = input, let player = playerOfSession.removeValue(forKey: session) {
                sessions[player]?.removeAll { $0 == session }
                readOnlySessions.remove(session)
            }
            parties = hub.allParties
            partyOf = [:]
            for party in parties { for member in party.members { partyOf[member] = party } }
            if !applied(input, outputs, result) { break }
        }
    }

    // MARK: Inputs

    func pick<Element>(_ elements: [Element]) -> Element { elements[random.next(below: elements.count)] }
    func chance(_ percent: Int) -> Bool { random.next(below: 100) < percent }

    private func randomInput() -> HubInput {
        let choice = random.next(below: 100)
        if choice < 5 {
            // Time passes, sometimes far past every invite, grace, ready-check and loot deadline.
            if chance(30) { now += Int64(random.next(below: 20_000)) }
            return .tick(now: now)
        }
        if choice >= 93 { return randomServiceEvents() }
        // The same command again at once (a client retrying, or spamming): idem repeats, rate limits.
        if case .command(let session, let request, _, _) = input, playerOfSession[session] != nil,
            choice < 9 || (request.command.operation == .signal && choice < 60)
        {
            var seed: PartySeed?
            if case .create = request.command { seed = freshSeed() } else if case .regenerateCode = request.command { seed = freshSeed() }
            return .command(session, request, now: now, seed: seed)
        }
        // Now and then a request of the organizations API, from an HTTP connection (a session
        // the hub never saw open).
        if choice >= 84 {
            let session = SessionID(rawValue: nextSession)
            nextSession += 1
            let (request, seed) = randomOrganizationRequest()
            return .organizationRequest(session, request, now: now, seed: seed)
        }
        let player = pick(players)
        let all = sessions[player] ?? []
        let own = presentSessions(of: player)
        if own.isEmpty || (choice < 12 && own.count < 2) {
            let session = SessionID(rawValue: nextSession)
            nextSession += 1
            sessions[player, default: []].append(session)
            playerOfSession[session] = player
            let readOnly = all.count < 3 && chance(20)
            if readOnly { readOnlySessions.insert(session) }
            return .sessionOpened(session, player: player, readOnly: readOnly, now: now)
        }
        if choice < 20 { return .sessionClosed(pick(all), now: now) }
        let session = pick(own)
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

    // MARK: Service events

    /// A batch of one to four events: loot drops (to live parties, mostly), objectives
    /// completed (by members, of quests their party shares, mostly), repeats of earlier ids,
    /// and malformed ones; one seed per dropped item, now and then one short.
    private func randomServiceEvents() -> HubInput {
        var events: [IncomingServiceEvent] = []
        var itemCount = 0
        for _ in 0..<(1 + random.next(below: 4)) {
            let id: String
            if !eventIDs.isEmpty && chance(15) {
                id = pick(Array(eventIDs.suffix(20)))
            } else {
                id = chance(2) ? "" : "evt-\(eventIDs.count)"
                eventIDs.append(id)
            }
            let body: IncomingServiceEvent.Body
            switch random.next(below: 100) {
            case 0..<55:
                let party = parties.isEmpty || chance(8) ? "gone" : pick(parties).id
                let items = (0..<(chance(3) ? 0 : 1 + random.next(below: 3))).map { index in
                    DroppedItem(itemID: "item-\(index)", name: "Loot \(index)", quality: pick(ItemQuality.allCases))
                }
                itemCount += items.count
                body = .lootDropped(party: party, items: items, source: "boss")
            case 55..<95:
                let member = partyOf.keys.sorted()
                let player = member.isEmpty || chance(10) ? pick(players) : pick(member)
                let shared = partyOf[player]?.quests ?? []
                let quest = shared.isEmpty || chance(10) ? pick(questIDs) : pick(shared).questID
                let objective = shared.first { $0.questID == quest }.map { pick($0.objectives).objectiveID } ?? "o-0"
                body = .objectiveCompleted(
                    player: player, questID: quest, objectiveID: chance(5) ? "o-9" : objective, count: chance(5) ? 0 : 1 + random.next(below: 3))
            default:
                body = .invalid(PartyError(.invalidMessage, "unknown type \"combat:x\""))
            }
            events.append(IncomingServiceEvent(eventID: id, body: body))
        }
        var seeds = (0..<itemCount).map { _ in (0..<4).map { _ in hex(random.next()) }.joined() }
        if !seeds.isEmpty && chance(3) { seeds.removeLast() }
        return .serviceEvents(Self.serviceCaller, events, now: now, lootSeeds: seeds)
    }

    /// 16 lowercase hex digits.
    private func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// A loot command on one of the party's open rolls (or a bogus one): usually the one its
    /// mode takes, by whoever the walk picked.
    private func lootCommand(for player: String, in party: PartySnapshot) -> PartyCommand {
        guard let roll = party.lootRolls.isEmpty ? nil : pick(party.lootRolls), !chance(10) else {
            return .claimLoot(roll: chance(50) ? "roll_0" : "roll_\(random.next(below: 50))")
        }
        var mode = roll.mode
        if chance(10) { mode = pick([.needGreed, .masterLooter, .freeForAll]) }
        switch mode {
        case .needGreed: return .chooseLoot(roll: roll.roll, choice: pick([.need, .need, .need, .greed, .greed, .pass]))
        case .masterLooter: return .assignLoot(roll: roll.roll, player: chance(80) && !roll.eligible.isEmpty ? pick(roll.eligible) : pick(players))
        default: return .claimLoot(roll: roll.roll)
        }
    }

    private func questCommand(for player: String, in party: PartySnapshot?) -> PartyCommand {
        let quest = pick(questIDs)
        if chance(40), let shared = party?.quests, !shared.isEmpty { return .abandonQuest(questID: pick(shared).questID) }
        if chance(15) { return .abandonQuest(questID: quest) }
        let objectives = (0..<(1 + random.next(below: 3))).map { QuestObjective(objectiveID: "o-\($0)", required: 1 + random.next(below: 4)) }
        return .shareQuest(questID: quest, objectives: chance(5) ? [] : objectives)
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
        if let party, party.leader == player, party.members.count > 2, presentSessions(of: party.members[1]).isEmpty, chance(30) {
            return (.leave, nil)
        }
        // Members with loot up for a roll often act on it.
        if let party, !party.lootRolls.isEmpty, chance(60) { return (lootCommand(for: player, in: party), nil) }
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
            case 4:
                let threshold: ItemQuality? = chance(50) ? nil : pick(ItemQuality.allCases)
                return (.setLoot(pick(LootMode.allCases), masterLooter: chance(30) ? nil : target, threshold: threshold), nil)
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
        case 84..<90:
            return (chance(25) && party != nil ? lootCommand(for: player, in: party!) : questCommand(for: player, in: party), nil)
        default:
            let lengths = [0, 1, 5, 64, 1024, 1025]
            return (.chat(text: String(repeating: "é", count: pick(lengths))), nil)
        }
    }

    /// The sessions of `player` that make them present: every one but the read-only.
    func presentSessions(of player: String) -> [SessionID] {
        (sessions[player] ?? []).filter { !readOnlySessions.contains($0) }
    }
}
