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
/// rebuilt from the events alone and must match the hub's. Loot and quests: every roll id a
/// drop hands out ends exactly once, with one `party.loot_rolled` and one published
/// `party:loot-rolled`, its values the ones its revealed seed gives; the rolls still open are
/// exactly those the hub shows; the events published for other services (`party:created`,
/// `party:member-joined`, ...) tell what the party events of the same input tell, at
/// contiguous offsets stamped with the hub's time; a service event id
/// once taken is a duplicate ever after. Seeded, so a failure reproduces; the failing step is
/// in the message.
final class HubInvariantTests: XCTestCase {
    private static let configuration = HubRandomWalk.configuration
    private static let steps = 20_000

    private let walk = HubRandomWalk(seed: 0xC0FFEE_2026)
    // The walk's state, as the checks below read it.
    private var hub: Hub { walk.hub }
    private var players: [String] { walk.players }
    private var sessions: [String: [SessionID]] { walk.sessions }
    private var playerOfSession: [SessionID: String] { walk.playerOfSession }
    private var parties: [PartySnapshot] { walk.parties }
    private var partyOf: [String: PartySnapshot] { walk.partyOf }
    private var step: Int { walk.step }
    private var input: HubInput { walk.input }

    /// The last stored seq, and every stored event, per party id.
    private var lastSeq: [String: UInt64] = [:]
    private var log: [String: [PartyEvent]] = [:]
    /// The offset of the last event the hub published.
    private var lastPublishedOffset: UInt64 = 0
    /// Roll ids handed out (with the party they are in), those ended, and the commitment each
    /// open roll was started with.
    private var issuedRolls: [String: String] = [:]
    private var endedRolls: Set<String> = []
    private var commitments: [String: String] = [:]
    private var nextRollNumber = 1
    /// Service event ids taken (applied or ignored).
    private var takenEventIDs: Set<String> = []
    /// Every party id a `party.create` has answered with.
    private var createdParties: Set<String> = []
    /// Membership as the events tell it: party id -> members, player -> party id.
    private var eventMembers: [String: Set<String>] = [:]
    private var eventPartyOf: [String: String] = [:]
    /// The first non-transient answer to each player's `idem` key, while the hub holds the player.
    private var firstAnswers: [String: [String: (operation: PartyOperation, reply: Result<ReplyData, PartyError>)]] = [:]
    /// Players with no connection and no party the hub still holds for their `idem` keys, and
    /// the time they went idle: they are forgotten at the first tick a grace later.
    private var idleSince: [String: Int64] = [:]
    /// The hub's time: the latest input time so far.
    private var hubNow: Int64 = 0
    /// What the walk went through, to check that it exercises every rule.
    private var seen = Counts()
    private var wellFormedCodes: Set<String> = []
    private var failures = 0

    /// The hub before the step being checked.
    private var previousHub = Hub()
    /// Group membership as the published group events tell it: group id -> members.
    private var eventGroupMembers: [String: Set<String>] = [:]

    func testRandomInputsKeepEveryPartyRule() {
        previousHub = walk.hub
        walk.run(steps: Self.steps) { _, outputs, result in
            checkOutputs(outputs, result)
            forgetReleasedPlayers()
            checkState()
            checkOrganizations()
            previousHub = walk.hub
            return failures <= 20
        }
        XCTAssertEqual(failures, 0, "see the failures above")
        XCTAssertGreaterThan(walk.nextParty, 100, "the random walk should create many parties")
        let missing = Self.mustSee.union(Self.mustSeeOrganizations).subtracting(seen.counts.keys)
        XCTAssertTrue(missing.isEmpty, "the walk never saw: \(missing.sorted()); it saw \(seen.counts.sorted { $0.key < $1.key })")
    }

    /// Outcomes the walk must reach, so that every rule is exercised.
    private static let mustSee: Set<String> = [
        "invited notice", "invite accepted", "invite declined", "invite expired", "invite cancelled",
        "request filed", "request accepted", "request rejected", "request expired", "request withdrawn", "request full",
        "request disbanded", "code changed", "settings changed", "ready check started", "ready answered",
        "ready result answered", "ready result timeout", "signal", "history", "resume replayed", "resync",
        "idem repeat", "idem clash", "member offline", "member online", "offline with an overlay open", "left on timeout", "hand-over past offline",
        "error already_in_party", "error not_found", "error party_full", "error not_in_party", "error invalid_message",
        "error rate_limited", "error not_leader", "error not_member", "error invalid_target", "error already_invited",
        "error already_requested", "error composition_full", "error ready_check_active", "error no_ready_check",
        "error resync_required", "error internal_error", "error roll_closed", "error not_eligible",
        "error not_master_looter", "error already_shared", "loot threshold", "loot personal", "loot need", "loot greed",
        "loot nobody", "loot assigned", "loot timeout", "loot claimed", "loot disbanded", "loot contest", "loot chosen",
        "quest shared", "quest progress", "quest completed", "quest abandoned", "service applied", "service ignored",
        "service duplicate", "service rejected", "published",
    ]

    // MARK: Organizations

    /// An organization request is answered once, first, to its own session; a code is shown
    /// exactly to those who manage groups; a read changes nothing at all.
    private func checkOrganizationAnswer(_ session: SessionID, _ reply: OrganizationReply, index: Int) {
        guard case .organizationRequest(let asked, let request, _, _) = input else {
            return require(false, "an organization answer to another input")
        }
        require(session == asked && index == 0, "the answer is not first, or to another session")
        let directory = previousHub.organizations
        func manages(_ organizationID: String) -> Bool {
            guard let organization = directory.organizations[organizationID] else { return true }  // created by this request
            return directory.standing(of: request.caller, in: organization).managesGroups
        }
        switch reply {
        case .refused(let error):
            seen.insert("organization error \(error.code.rawValue)")
            require(hub.organizations == directory, "a refused request changed the organizations")
        case .group(let group, _):
            let shown = manages(group.organizationID) || (request.caller.isService)
            require((group.inviteCode != nil) == shown, "the code of \(group.id) shown \(group.inviteCode != nil) to \(request.caller)")
        case .groups(let groups):
            seen.insert("group listed")
            for group in groups {
                require((group.inviteCode != nil) == manages(group.organizationID), "a listed code shown to the wrong caller")
                if !manages(group.organizationID) {
                    require(directory.groups[group.id]?.members[request.caller.user] != nil, "a MEMBER listed a group they are not in")
                }
            }
        default:
            break
        }
        if case .refused = reply {} else {
            switch request.operation {
            case .createOrganization: seen.insert("organization created")
            case .setOrganizationMember(let id, let user, let role):
                seen.insert("member set")
                if role == .owner && directory.organizations[id]?.owner != user { seen.insert("ownership handed over") }
            case .removeOrganizationMember: seen.insert("member removed")
            case .createGroup: seen.insert("group created")
            case .updateGroup: seen.insert("group updated")
            case .deleteGroup: seen.insert("group deleted")
            case .regenerateGroupCode: seen.insert("code regenerated")
            case .joinGroup(let code):
                seen.insert("group joined")
                if code != code.uppercased() { seen.insert("joined in lower case") }
            case .leaveGroup: seen.insert("group left")
            case .removeGroupMember: seen.insert("group member removed")
            case .listGroupMembers: seen.insert("group members listed")
            default: break
            }
        }
        if request.operation.kind.isReadOnly {
            require(hub == previousHub, "a read changed the hub: \(firstDifference(hub, previousHub) ?? "?")")
        }
    }

    /// Follows a group event into the membership the events tell; group events come from
    /// organization requests only, and organization requests publish nothing else.
    private func followGroupEvent(_ kind: PublishedEvent.Kind) {
        let isGroupEvent = kind.type.hasPrefix("group.")
        if case .organizationRequest = input {
            guard isGroupEvent else { return require(false, "\(kind.type) from an organization request") }
        } else {
            guard !isGroupEvent else { return require(false, "\(kind.type) without an organization request") }
            return
        }
        switch kind {
        case .groupCreated(let group, _, _, _):
            require(eventGroupMembers[group] == nil, "\(group) created twice")
            eventGroupMembers[group] = []
        case .groupMemberAdded(let group, _, let user, _):
            require(eventGroupMembers[group]?.insert(user).inserted == true, "\(user) added to \(group) twice, or to no group")
        case .groupMemberRemoved(let group, _, let user, _, let reason):
            if reason == .orgLeft { seen.insert("left with the organization") }
            require(eventGroupMembers[group]?.remove(user) != nil, "\(user) removed from \(group), where they were not")
        case .groupDeleted(let group, _, _):
            require(eventGroupMembers[group]?.isEmpty == true, "\(group) deleted with members left in it")
            eventGroupMembers[group] = nil
        default:
            require(false, "\(kind.type) from an organization request")
        }
    }

    /// The directory fits together, and its groups and members are what the events told.
    private func checkOrganizations() {
        let directory = hub.organizations
        if let broken = directory.firstInconsistency() { require(false, "the organizations: \(broken)") }
        let members = directory.groups.mapValues { Set($0.members.keys) }
        require(members == eventGroupMembers, "the groups are not what the events told")
        for group in directory.groups.values {
            require(InviteCode.isWellFormed(group.inviteCode), "malformed group code \(group.inviteCode)")
        }
    }

    // MARK: Failing

    private func require(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) {
        guard !condition else { return }
        failures += 1
        if failures <= 20 { XCTFail("\(message()); step \(step), input \(input)", line: line) }
    }

    // MARK: Checking the outputs

    private var command: (session: SessionID, request: ClientRequest)? {
        if case .command(let session, let request, _, _) = input { return (session, request) }
        return nil
    }

    private func checkOutputs(_ outputs: [HubOutput], _ result: Result<ReplyData, PartyError>?) {
        var rolled: [PublishedEvent.Kind] = []
        var publishedRolls: [PublishedEvent.Kind] = []
        defer {
            require(rolled == publishedRolls, "the rolls published are not the loot_rolled events: \(publishedRolls) vs \(rolled)")
            checkOpenRolls()
        }
        if case .serviceEvents(let caller, let batch, _, _) = input {
            guard case .serviceResults(caller, let results)? = outputs.first else {
                return require(false, "a service batch not answered first: \(outputs.first.map { "\($0)" } ?? "nothing")")
            }
            require(results.map(\.eventID) == batch.map(\.eventID), "results for other events")
            checkServiceResults(results, of: batch)
        }
        let command = command
        let actor = command.flatMap { playerOfSession[$0.session] }
        var isReplay = false
        if case .resume? = command?.request.command, case .success? = result { isReplay = true }
        var replies = 0
        var replayed: [PartyEvent] = []
        var leaderChanges: [String: String] = [:]
        var published: [PublishedEvent.Kind] = []
        var expectedPublished: [PublishedEvent.Kind] = []
        // A repeated `idem` key answers with the first party again, and publishes nothing.
        if case .create? = command?.request.command, case .success(.party(let party))? = result, let actor,
            createdParties.insert(party.id).inserted
        {
            expectedPublished.append(
                .partyCreated(party: party.id, leader: actor, maxMembers: party.maxMembers, lootMode: party.lootMode))
        }
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
                if case .lootRolled(let outcome) = event.body {
                    rolled.append(
                        .lootRolled(
                            party: event.partyID, roll: outcome.roll, item: outcome.item, winner: outcome.winner,
                            reason: outcome.reason.rawValue))
                }
                expectedPublished += publishedKinds(telling: event)
            case .notice(let message, let recipients):
                checkNotice(message, recipients, isLast: index == outputs.count - 1)
            case .published(let event):
                require(event.offset == lastPublishedOffset + 1, "published offset \(event.offset) after \(lastPublishedOffset)")
                require(event.ts == max(hubNow, input.now), "published at \(event.ts), not the hub's time")
                lastPublishedOffset = event.offset
                published.append(event.kind)
                followGroupEvent(event.kind)
                switch event.kind {
                case .lootRolled: publishedRolls.append(event.kind)
                case .questCompleted(let party, let questID, let members):
                    require(Set(members) == eventMembers[party] ?? [], "\(questID) completed by others than the members")
                default: break
                }
            case .serviceResults:
                require(index == 0, "service results not first")
                if case .serviceEvents = input {} else { require(false, "service results for an input that carried no service events") }
            case .organizationAnswer(let session, let reply):
                checkOrganizationAnswer(session, reply, index: index)
            case .adminDisbanded, .adminParty, .adminPlayer:
                require(false, "an admin answer, but the walk sends no admin input")
            case .sessionEnded(let session, let reason):
                // The walk holds at most two connections per player, under any cap it runs with.
                require(false, "session \(session) ended (\(reason)) below the cap")
            }
        }
        require(replies == (command?.request.rid == nil ? 0 : 1), "\(replies) replies")
        require(lastPublishedOffset == hub.lastPublishedOffset, "the hub's last offset is not the last published")
        let membership = published.filter(\.isMembershipChange)
        require(membership == expectedPublished, "published \(membership), the party events tell \(expectedPublished)")
        if !membership.isEmpty { seen.insert("published") }
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
        if case .sessionOpened(let opened, _, _, _) = input { result.remove(opened) }
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
        checkLootEvent(event)
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

    // MARK: Loot and service events

    /// One result per event: a duplicate exactly when the id was taken before; an applied or
    /// ignored event takes its id; a rejected one does not. A drop's roll ids are the next ones.
    private func checkServiceResults(_ results: [ServiceEventResult], of batch: [IncomingServiceEvent]) {
        for (result, event) in zip(results, batch) {
            let taken = takenEventIDs.contains(event.eventID)
            switch result.status {
            case .duplicate:
                seen.insert("service duplicate")
                require(taken, "\(event.eventID) answered duplicate, never taken")
            case .applied(let rolls):
                seen.insert("service applied")
                require(!taken, "\(event.eventID) applied twice")
                takenEventIDs.insert(event.eventID)
                if case .lootDropped(let party, let items, _) = event.body {
                    require(rolls?.count == items.count, "a roll id per item")
                    for roll in rolls ?? [] {
                        require(roll == "roll_\(nextRollNumber)", "roll id \(roll), expected roll_\(nextRollNumber)")
                        nextRollNumber += 1
                        issuedRolls[roll] = party
                    }
                } else {
                    require(rolls == nil, "rolls for a quest event")
                }
            case .ignored:
                seen.insert("service ignored")
                require(!taken, "\(event.eventID) ignored after being taken")
                takenEventIDs.insert(event.eventID)
            case .rejected:
                seen.insert("service rejected")
                require(!taken, "\(event.eventID) rejected though taken")
            }
        }
    }

    /// A roll starts once, after its id was handed out; it ends once, with its committed seed.
    private func checkLootEvent(_ event: PartyEvent) {
        switch event.body {
        case .lootRollStarted(let roll):
            require(issuedRolls[roll.roll] == event.partyID, "\(roll.roll) started in another party or never handed out")
            require(commitments.updateValue(roll.commitment, forKey: roll.roll) == nil, "\(roll.roll) started twice")
            require(roll.eligible == memberList(event.partyID), "\(roll.roll) eligible \(roll.eligible), not the members")
        case .lootChosen:
            seen.insert("loot chosen")
        case .lootRolled(let outcome):
            seen.insert("loot \(outcome.reason.rawValue)")
            require(issuedRolls[outcome.roll] == event.partyID, "\(outcome.roll) ended in another party or never handed out")
            require(endedRolls.insert(outcome.roll).inserted, "\(outcome.roll) ended twice")
            require(LootFairness.commitment(ofSeed: outcome.seed) == outcome.commitment, "\(outcome.roll)'s seed is not its commitment's")
            if let started = commitments[outcome.roll] { require(started == outcome.commitment, "\(outcome.roll) changed its commitment") }
            if let winner = outcome.winner { require(eventMembers[event.partyID]?.contains(winner) ?? false, "\(winner) wins, not a member") }
            if !outcome.rolls.isEmpty {
                let contest = LootFairness.contest(seed: outcome.seed, roll: outcome.roll, contenders: outcome.rolls.map(\.player))
                require(contest?.winner == outcome.winner && contest?.rolls == outcome.rolls, "\(outcome.roll)'s rolls are not its seed's")
                // Ties are rare here (1 in 100 a round); HubLootTests has one on purpose.
                if outcome.rolls.count > 1 { seen.insert("loot contest") }
                if outcome.rolls.contains(where: { $0.values.count > 1 }) { seen.insert("loot tie") }
            }
            if outcome.reason == .timeout {
                if case .tick = input {} else { require(false, "a master looter's timeout without a tick") }
            }
        case .questShared: seen.insert("quest shared")
        case .questProgress(_, _, let progress, let required, _):
            seen.insert("quest progress")
            require((1...required).contains(progress), "progress \(progress) of \(required)")
        case .questCompleted: seen.insert("quest completed")
        case .questAbandoned: seen.insert("quest abandoned")
        default: break
        }
    }

    /// The members of a party in join order, as the hub holds them after the step (the order
    /// the events cannot tell).
    private func memberList(_ partyID: String) -> [String] {
        parties.first { $0.id == partyID }?.members.filter { eventMembers[partyID]?.contains($0) ?? false } ?? []
    }

    /// The rolls the hub shows open are exactly those handed out, started, and not ended.
    private func checkOpenRolls() {
        let shown = parties.flatMap { party in party.lootRolls.map { ($0.roll, party.id) } }
        let open = issuedRolls.filter { !endedRolls.contains($0.key) }
        require(Dictionary(shown, uniquingKeysWith: { first, _ in first }) == open && shown.count == open.count, "open rolls \(shown) vs \(open)")
        for party in parties {
            require(party.quests.count <= SharedQuestLimits.maxQuestsPerParty, "\(party.quests.count) quests")
            for roll in party.lootRolls {
                require(Set(roll.eligible).isSubset(of: party.members), "\(roll.roll) eligible beyond the members")
                require(roll.choices.allSatisfy { roll.eligible.contains($0.player) }, "a choice by someone not eligible")
            }
        }
    }

    /// What the stream for other services must carry for a party event, once `checkEvent` has
    /// applied it to the membership the events tell: the last member leaving ends the party.
    private func publishedKinds(telling event: PartyEvent) -> [PublishedEvent.Kind] {
        let id = event.partyID
        switch event.body {
        case .memberJoined(let player): return [.memberJoined(party: id, player: player)]
        case .memberLeft(let player, let reason):
            let left = PublishedEvent.Kind.memberLeft(party: id, player: player, reason: reason.rawValue)
            return eventMembers[id] == nil ? [left, .disbanded(party: id, reason: PublishedEvent.DisbandReason.empty)] : [left]
        case .leaderChanged(let leader): return [.leaderChanged(party: id, leader: leader)]
        case .disbanded: return [.disbanded(party: id, reason: PublishedEvent.DisbandReason.leader)]
        default: return []
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
            if !(sessions[player]?.isEmpty ?? true) { seen.insert("offline with an overlay open") }
            require(walk.presentSessions(of: player).isEmpty, "\(player) is offline with a connection that makes them present")
            // At once when the last connection closes with no notice delay; else on a tick
            // once the delay has passed with the member still away.
            switch input {
            case .sessionClosed, .tick: break
            default: require(false, "member_offline without a connection closing or a tick")
            }
        case .memberOnline(let player):
            seen.insert("member online")
            if case .sessionOpened(_, player, false, _) = input {} else { require(false, "member_online without \(player) connecting") }
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
            let online = party.members.first { !walk.presentSessions(of: $0).isEmpty }
            require(leader == online ?? party.members[0], "\(leader) leads, not the earliest-joined online member")
            if online != nil && online != party.members[0] { seen.insert("hand-over past offline") }
        }
    }

    private func checkNotice(_ message: ServerMessage, _ recipients: [SessionID], isLast: Bool) {
        if case .sessionReady(let player, let party, let invites) = message {
            guard case .sessionOpened(let session, player, _, _) = input else {
                return require(false, "session.ready without that player's session opening")
            }
            require(recipients == [session] && isLast, "session.ready to other sessions, or not last")
            require(party == partyOf[player], "session.ready shows another party")
            require(invites == hub.invites(of: player), "session.ready shows other invites")
            return
        }
        // An invite pushed out past the invitee's cap is reported even to nobody (the host counts it).
        if case .notice(.inviteCancelled(_, _, .superseded)) = message, recipients.isEmpty {
            seen.insert("invite superseded")
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
            require(
                reason == .expired || reason == .superseded || hub.seq(ofParty: party) == nil,
                "an invite cancelled while its party lives")
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
                party.roster.allSatisfy { $0.online == !walk.presentSessions(of: $0.player).isEmpty }, "a roster shows presence wrongly")
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
        let held = players.count { !(sessions[$0]?.isEmpty ?? true) || partyOf[$0] != nil || idleSince[$0] != nil }
        require(hub.playerCount == held, "the hub holds \(hub.playerCount) players, not \(held)")
    }

    /// A player with no connection and no party is held for the reconnect grace when they have
    /// `idem` keys (a client retrying after a lost connection gets the first answer), then
    /// forgotten with their keys; without keys they are forgotten at once.
    private func forgetReleasedPlayers() {
        if !input.isReadOnly { hubNow = max(hubNow, input.now) }
        let grace = HubRandomWalk.configuration.reconnectGraceMilliseconds
        var isTick = false
        if case .tick = input { isTick = true }
        for player in Set(firstAnswers.keys).union(idleSince.keys) {
            let idle = (sessions[player]?.isEmpty ?? true) && partyOf[player] == nil
            if !idle {
                idleSince[player] = nil
            } else if let since = idleSince[player] {
                if isTick && hubNow >= since + grace {
                    idleSince[player] = nil
                    firstAnswers[player] = nil
                }
            } else if !(firstAnswers[player]?.isEmpty ?? true) && grace > 0 {
                idleSince[player] = hubNow
            } else {
                firstAnswers[player] = nil
            }
        }
    }
}

// MARK: Organizations

extension HubInvariantTests {
    /// Organization outcomes the walk must reach.
    fileprivate static let mustSeeOrganizations: Set<String> = [
        "organization created", "member set", "ownership handed over", "member removed", "group created", "group listed",
        "group updated", "group deleted", "code regenerated", "group joined", "joined in lower case", "group left",
        "group member removed", "group members listed", "left with the organization",
        "organization error forbidden", "organization error not_found", "organization error not_org_member",
        "organization error already_member", "organization error internal_error", "organization error invalid_request",
    ]
}

extension PublishedEvent.Kind {
    /// The kinds party membership publishes (loot and quests publish the others).
    fileprivate var isMembershipChange: Bool {
        switch self {
        case .partyCreated, .memberJoined, .memberLeft, .leaderChanged, .disbanded: return true
        case .lootRolled, .questCompleted, .groupCreated, .groupMemberAdded, .groupMemberRemoved, .groupDeleted: return false
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
