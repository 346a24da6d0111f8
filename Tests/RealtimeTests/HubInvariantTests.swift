import Protocol
import TestSupport
import XCTest

@testable import Realtime

/// Drives the hub with thousands of random inputs from many players and checks, after every
/// step, the rules that must always hold: at most `maxMembers` members, exactly one leader who
/// is a member, a player in at most one party, no empty party, unique invite codes, `seq` + 1
/// per event of a party with no gaps, events only to members (and to a leaver, its own
/// `member_left`), and exactly one reply per command with a `rid`. Seeded, so a failure
/// reproduces; the failing step is in the message.
final class HubInvariantTests: XCTestCase {
    private var random = SplitMix64(seed: 0xC0FFEE_2026)
    private var hub = Hub(configuration: {
        var configuration = HubConfiguration()
        configuration.chatRatePerSecond = 50
        configuration.chatBurst = 5
        return configuration
    }())
    private var now: Int64 = 1_800_000_000_000
    private var nextSession: UInt64 = 1
    private var nextParty = 0
    /// The open sessions of each player.
    private var sessions: [String: [SessionID]] = [:]
    private var playerOfSession: [SessionID: String] = [:]
    /// The last seq seen per party id.
    private var lastSeq: [String: UInt64] = [:]
    private var codes: [String] = []

    private let players = (0..<40).map { "player-\($0)" }

    func testRandomInputsKeepEveryPartyRule() {
        for step in 0..<20_000 {
            now += Int64(random.next(below: 200))
            let input = randomInput()
            var outputs: [HubOutput] = []
            let membersBefore = membership()
            hub.apply(input, into: &outputs)
            check(step: step, input: input, outputs: outputs, membersBefore: membersBefore)
            if case .sessionClosed(let session, _) = input, let player = playerOfSession.removeValue(forKey: session) {
                sessions[player]?.removeAll { $0 == session }
            }
        }
        XCTAssertGreaterThan(nextParty, 100, "the random walk should create many parties")
    }

    // MARK: Inputs

    private func randomInput() -> HubInput {
        let player = players[random.next(below: players.count)]
        let own = sessions[player] ?? []
        let choice = random.next(below: 100)
        if own.isEmpty || (choice < 8 && own.count < 2) {
            let session = SessionID(rawValue: nextSession)
            nextSession += 1
            sessions[player, default: []].append(session)
            playerOfSession[session] = player
            return .sessionOpened(session, player: player, now: now)
        }
        let session = own[random.next(below: own.count)]
        if choice < 14 { return .sessionClosed(session, now: now) }
        let rid: Int64? = random.next(below: 3) == 0 ? nil : Int64(random.next(below: 1000))
        let command: PartyCommand
        var seed: PartySeed?
        switch choice {
        case 14..<30:
            command = random.next(below: 4) == 0 ? .create(maxMembers: 2 + random.next(below: 4), lootMode: .masterLooter) : .create()
            nextParty += 1
            var code: String
            repeat {
                code = InviteCode.make(indexes: (0..<InviteCode.length).map { _ in random.next(below: InviteCode.alphabet.count) })
            } while hub.isInviteCodeInUse(code)
            seed = PartySeed(id: "party-\(nextParty)", inviteCode: code)
        case 30..<55:
            let live = hub.allParties.map(\.inviteCode)
            let code = live.isEmpty || random.next(below: 10) == 0 ? "ZZZZZZZZ" : live[random.next(below: live.count)]
            command = .join(inviteCode: code)
        case 55..<66:
            command = .leave
        case 66..<70:
            let others = players.filter { $0 != player }
            let target = random.next(below: 4) == 0 ? player : others[random.next(below: others.count)]
            switch random.next(below: 5) {
            case 0: command = .kick(player: target)
            case 1: command = .promote(player: target)
            case 2: command = .disband
            case 3:
                command = random.next(below: 2) == 0
                    ? .setRole(PartyRole.allCases.randomElement(using: &random))
                    : .setLoot(random.next(below: 2) == 0 ? .masterLooter : .personal, masterLooter: random.next(below: 3) == 0 ? nil : target)
            default: command = .get
            }
        default:
            let lengths = [0, 1, 5, 64, 1024, 1025]
            command = .chat(text: String(repeating: "é", count: lengths[random.next(below: lengths.count)]))
        }
        return .command(session, ClientRequest(rid: rid, command: command), now: now, seed: seed)
    }

    // MARK: Checks

    /// Player -> party id, from the hub's own view.
    private func membership() -> [String: String] {
        var result: [String: String] = [:]
        for party in hub.allParties {
            for member in party.members { result[member] = party.id }
        }
        return result
    }

    private func check(step: Int, input: HubInput, outputs: [HubOutput], membersBefore: [String: String]) {
        let context = "step \(step), input \(input)"
        let parties = hub.allParties
        var seenPlayers = Set<String>()
        var seenCodes = Set<String>()
        for party in parties {
            XCTAssertFalse(party.members.isEmpty, "empty party kept; \(context)")
            XCTAssertLessThanOrEqual(party.members.count, hub.configuration.maxMembers, "too many members; \(context)")
            XCTAssertTrue(party.members.contains(party.leader), "leader is not a member; \(context)")
            XCTAssertEqual(Set(party.members).count, party.members.count, "duplicate member; \(context)")
            XCTAssertEqual(party.roster.map(\.player), party.members, "roster and members disagree; \(context)")
            XCTAssertLessThanOrEqual(party.members.count, party.maxMembers, "more members than seats; \(context)")
            XCTAssertEqual(party.masterLooter != nil, party.lootMode == .masterLooter, "master looter without its mode; \(context)")
            if let looter = party.masterLooter {
                XCTAssertTrue(party.members.contains(looter), "the master looter is not a member; \(context)")
            }
            for member in party.members {
                XCTAssertTrue(seenPlayers.insert(member).inserted, "\(member) is in two parties; \(context)")
            }
            XCTAssertTrue(seenCodes.insert(party.inviteCode).inserted, "invite code shared; \(context)")
            XCTAssertTrue(InviteCode.isWellFormed(party.inviteCode), "malformed invite code; \(context)")
        }
        let membersAfter = membership()
        var replies = 0
        for output in outputs {
            switch output {
            case .reply(let session, let rid, _):
                replies += 1
                guard case .command(let from, let request, _, _) = input else {
                    XCTFail("a reply to something that is not a command; \(context)")
                    continue
                }
                XCTAssertEqual(session, from, "reply to the wrong session; \(context)")
                XCTAssertEqual(rid, request.rid, "reply with the wrong rid; \(context)")
            case .event(let event, let recipients):
                let expected = (lastSeq[event.partyID] ?? 0) + 1
                XCTAssertEqual(event.seq, expected, "seq gap in \(event.partyID); \(context)")
                lastSeq[event.partyID] = event.seq
                var leaver: String?
                if case .memberLeft(let player, _) = event.body { leaver = player }
                // A disbanded party's event goes to those who were its members.
                let disbanded: Bool
                if case .disbanded = event.body { disbanded = true } else { disbanded = false }
                if case .leaderChanged(let leader) = event.body {
                    let party = parties.first(where: { $0.id == event.partyID })
                    XCTAssertEqual(party?.leader, leader, "leader_changed names someone else; \(context)")
                    if case .command(_, let request, _, _) = input, case .promote = request.command {} else {
                        XCTAssertEqual(party?.members.first, leader, "the earliest joiner must lead; \(context)")
                    }
                }
                if disbanded {
                    XCTAssertNil(parties.first(where: { $0.id == event.partyID }), "a disbanded party lives on; \(context)")
                }
                for recipient in recipients {
                    guard let player = playerOfSession[recipient] else {
                        XCTFail("event to an unknown session; \(context)")
                        continue
                    }
                    let isMember = membersAfter[player] == event.partyID || membersBefore[player] == event.partyID
                    XCTAssertTrue(isMember || player == leaver, "\(player) got an event of a party it is not in; \(context)")
                }
                // Every connection of every member hears it.
                for (player, party) in membersAfter where party == event.partyID {
                    for session in sessions[player] ?? [] where !isClosing(session, input) {
                        XCTAssertTrue(recipients.contains(session), "\(player) missed an event; \(context)")
                    }
                }
            case .notice(let message, let recipients):
                if case .sessionReady = message {
                    guard case .sessionOpened(let session, _, _) = input else {
                        XCTFail("session.ready without a session opening; \(context)")
                        continue
                    }
                    XCTAssertEqual(recipients, [session], "session.ready to another session; \(context)")
                }
            }
        }
        for party in parties {
            XCTAssertEqual(party.seq, lastSeq[party.id] ?? 0, "the party's seq is not its last event's; \(context)")
        }
        if case .command(_, let request, _, _) = input {
            XCTAssertEqual(replies, request.rid == nil ? 0 : 1, "replies to a command; \(context)")
        } else {
            XCTAssertEqual(replies, 0, "replies to a session change; \(context)")
        }
    }

    private func isClosing(_ session: SessionID, _ input: HubInput) -> Bool {
        if case .sessionClosed(let closing, _) = input { return closing == session }
        return false
    }
}
