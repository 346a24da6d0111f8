import Protocol
import XCTest

@testable import Realtime

/// Every `HubInput`, and every `PartyCommand` with its optional fields set and unset, comes
/// back equal from its bytes; the tag numbers are pinned, so a reordered declaration cannot
/// silently change what an old log means.
final class HubInputCodecTests: XCTestCase {
    /// Every command, each optional field both nil and set, every nested enum case.
    static let allCommands: [PartyCommand] =
        [
            .create(), .create(maxMembers: 40, lootMode: nil), .create(maxMembers: nil, lootMode: .personal),
            .join(inviteCode: "ABCDEFGH"), .leave, .chat(text: ""), .chat(text: "héllo 🎉"), .get,
            .kick(player: "bob"), .promote(player: "carol"), .disband, .setRole(nil),
            .setLoot(.masterLooter, masterLooter: "bob"), .setLoot(.needGreed, masterLooter: nil),
            .invite(player: "dave"), .inviteAccept(invite: "inv_1"), .inviteDecline(invite: "inv_2"), .regenerateCode,
            .setOpen(true), .setOpen(false), .setComposition(nil),
            .setComposition(Composition(tank: 1, healer: 0, dps: 100)),
            .requestAccept(player: "erin"), .requestReject(player: "frank"),
            .signal(kind: "pos", data: #"{"x":[1,2]}"#),
            .readyCheck, .ready(true), .ready(false), .history(beforeSeq: nil, limit: nil),
            .history(beforeSeq: .max, limit: 0), .history(beforeSeq: 0, limit: -1),
            .resume(party: "party-1", afterSeq: 0),
            .resume(party: "", afterSeq: .max),
        ] + LootMode.allCases.map { .create(maxMembers: 5, lootMode: $0) }
        + PartyRole.allCases.flatMap {
            [.join(inviteCode: "ZZZZZZZZ", role: $0), .setRole($0), .inviteAccept(invite: "inv_3", role: $0)]
        }
        + InvitePolicy.allCases.map { .setInvitePolicy($0) }
        + ItemQuality.allCases.map { .setLoot(.needGreed, masterLooter: nil, threshold: $0) }
        + LootChoice.allCases.map { .chooseLoot(roll: "roll_1", choice: $0) }
        + [
            .setLoot(.masterLooter, masterLooter: "bob", threshold: .legendary), .assignLoot(roll: "roll_2", player: "bob"),
            .claimLoot(roll: "roll_3"), .claimLoot(roll: ""), .abandonQuest(questID: "q-1"),
            .shareQuest(questID: "q-1", objectives: [QuestObjective(objectiveID: "wolves", required: 10)]),
            .shareQuest(
                questID: "quête ⚔️",
                objectives: [
                    QuestObjective(objectiveID: "a", required: 1), QuestObjective(objectiveID: "b", required: 1_000_000),
                ]),
            .shareQuest(questID: "", objectives: []),
        ]

    func testTheCommandListCoversEveryOperation() {
        XCTAssertEqual(Set(Self.allCommands.map(\.operation)), Set(PartyOperation.allCases))
    }

    func testEveryCommandRoundTripsWithAndWithoutRidAndIdem() throws {
        for command in Self.allCommands {
            for (rid, idem) in [(nil, nil), (Int64(0), "k"), (Int64.min, ""), (Int64.max, "idem-é")]
                as [(Int64?, String?)]
            {
                let request = ClientRequest(rid: rid, command: command, idem: idem)
                XCTAssertEqual(try roundTripped(request), request)
            }
        }
    }

    func testEveryInputRoundTrips() throws {
        let seed = PartySeed(id: "7f0c2b5e-1d1e-4c44-9a55-0d6a2b6f1e11", inviteCode: "ABCDEFGH")
        var inputs: [HubInput] = [
            .sessionOpened(SessionID(rawValue: 0), player: "", now: 0),
            .sessionOpened(SessionID(rawValue: .max), player: "plàyer 🎮", now: 1_800_000_000_000),
            .sessionOpened(SessionID(rawValue: 7), player: "overlay", readOnly: true, now: 1_800_000_000_000),
            .sessionClosed(SessionID(rawValue: 1 << 40), now: -1),
            .tick(now: .min), .tick(now: .max),
            .adminDisband(SessionID(rawValue: 5), party: "p-1", reason: "chéating 🎮", by: "ops", now: 1_800_000_000_000),
            .adminDisband(SessionID(rawValue: 0), party: "", reason: "", by: "", now: -1),
            .adminReadParty(SessionID(rawValue: 3), party: "p-2", now: 7),
            .adminReadPlayer(SessionID(rawValue: 4), player: "plàyer", now: 8),
        ]
        for (index, command) in Self.allCommands.enumerated() {
            let request = ClientRequest(
                rid: index % 2 == 0 ? Int64(index) : nil, command: command, idem: index % 3 == 0 ? "key-\(index)" : nil)
            inputs.append(
                .command(
                    SessionID(rawValue: UInt64(index)), request, now: Int64(index) * 1000,
                    seed: index % 2 == 0 ? seed : nil))
        }
        inputs += Self.serviceEventInputs
        for input in inputs { XCTAssertEqual(try roundTripped(input), input) }
    }

    /// Service event batches: every body, every quality, empty batches and seed lists.
    static let serviceEventInputs: [HubInput] = [
        .serviceEvents(SessionID(rawValue: 9), [], now: 0, lootSeeds: []),
        .serviceEvents(
            SessionID(rawValue: .max),
            [
                IncomingServiceEvent(
                    eventID: "evt-1",
                    body: .lootDropped(
                        party: "party-1",
                        items: ItemQuality.allCases.map { DroppedItem(itemID: "i-\($0.rawValue)", name: "Blade ⚔️", quality: $0) },
                        source: "boss:ragnaros")),
                IncomingServiceEvent(eventID: "evt-2", body: .lootDropped(party: "", items: [], source: "")),
                IncomingServiceEvent(
                    eventID: "evt-3", body: .objectiveCompleted(player: "bob", questID: "q-1", objectiveID: "wolves", count: 3)),
                IncomingServiceEvent(
                    eventID: "", body: .objectiveCompleted(player: "", questID: "", objectiveID: "", count: -1)),
                IncomingServiceEvent(eventID: "evt-4", body: .invalid(PartyError(.invalidMessage, "unknown type \"x\""))),
            ], now: 1_800_000_000_000, lootSeeds: [String(repeating: "ab", count: 32), "", "not hex"]),
    ]

    func testSetLootAndLootChoicesHaveTheirPinnedBytes() {
        // Tag 10, mode, master looter absent, threshold present (rare is tag 4).
        XCTAssertEqual(
            encoded { PartyCommand.setLoot(.needGreed, masterLooter: nil, threshold: .rare).encode(into: &$0) }, [10, 1, 0, 1, 4])
        XCTAssertEqual(encoded { PartyCommand.setLoot(.personal, masterLooter: nil).encode(into: &$0) }, [10, 2, 0, 0])
        // Tag 25, the roll id, the choice (greed is tag 2).
        XCTAssertEqual(
            encoded { PartyCommand.chooseLoot(roll: "r", choice: .greed).encode(into: &$0) }, [25, 1, UInt8(ascii: "r"), 2])
        XCTAssertEqual(LootChoice.allCases.map { value in encoded { value.encode(into: &$0) } }, [[1], [2], [3]])
        XCTAssertEqual(
            ItemQuality.allCases.map { value in encoded { value.encode(into: &$0) } }, [[1], [2], [3], [4], [5], [6]])
    }

    func testInputsHaveTheirPinnedBytes() {
        XCTAssertEqual(encoded { HubInput.tick(now: 1).encode(into: &$0) }, [4, 2])
        XCTAssertEqual(
            encoded { HubInput.sessionClosed(SessionID(rawValue: 300), now: -1).encode(into: &$0) }, [2, 0xAC, 0x02, 1])
        XCTAssertEqual(
            encoded { HubInput.sessionOpened(SessionID(rawValue: 1), player: "é", now: 0).encode(into: &$0) },
            [1, 1, 2, 0xC3, 0xA9, 0])
        let chat = HubInput.command(
            SessionID(rawValue: 7), ClientRequest(rid: 1, command: .chat(text: "hi"), idem: nil), now: 0, seed: nil)
        // tag, session, rid present + zigzag 1, command tag + text, idem absent, now, seed absent.
        XCTAssertEqual(encoded { chat.encode(into: &$0) }, [3, 7, 1, 2, 4, 2, 0x68, 0x69, 0, 0, 0])
        // tag 7, session, party, reason, by (each a length and bytes), now.
        XCTAssertEqual(
            encoded { HubInput.adminDisband(SessionID(rawValue: 2), party: "p", reason: "r", by: "o", now: 1).encode(into: &$0) },
            [7, 2, 1, 0x70, 1, 0x72, 1, 0x6F, 2])
    }

    func testCommandTagsAreTheirFixedNumbers() {
        let expected: [PartyOperation: UInt8] = [
            .create: 1, .join: 2, .leave: 3, .chat: 4, .get: 5, .kick: 6, .promote: 7, .disband: 8, .setRole: 9,
            .setLoot: 10, .invite: 11, .inviteAccept: 12, .inviteDecline: 13, .regenerateCode: 14, .setOpen: 15,
            .setInvitePolicy: 16, .setComposition: 17, .requestAccept: 18, .requestReject: 19, .signal: 20,
            .readyCheck: 21, .ready: 22, .history: 23, .resume: 24, .chooseLoot: 25, .assignLoot: 26, .claimLoot: 27,
            .shareQuest: 28, .abandonQuest: 29,
        ]
        for command in Self.allCommands {
            XCTAssertEqual(encoded { command.encode(into: &$0) }.first, expected[command.operation], "\(command)")
            XCTAssertEqual(
                encoded { command.operation.encode(into: &$0) }, [expected[command.operation]!], "\(command.operation)")
        }
        XCTAssertEqual(LootMode.allCases.map { value in encoded { value.encode(into: &$0) } }, [[1], [2], [3], [4]])
        XCTAssertEqual(PartyRole.allCases.map { value in encoded { value.encode(into: &$0) } }, [[1], [2], [3]])
        XCTAssertEqual(InvitePolicy.allCases.map { value in encoded { value.encode(into: &$0) } }, [[1], [2]])
    }

    func testUnknownCommandTagsAreErrors() {
        for tag: UInt8 in [0, 30, 200, 255] {
            XCTAssertThrowsError(try decoded([3, 1, 0, tag, 0, 0, 0]) { try HubInput(decoding: &$0) }) { error in
                XCTAssertEqual(error as? BinaryDecodingError, .unknownTag(tag, of: "PartyOperationTag", at: 3))
            }
        }
        XCTAssertEqual(try decoded([1]) { try PartyRole(decoding: &$0) }, .tank)
        XCTAssertThrowsError(try decoded([4]) { try PartyRole(decoding: &$0) })
    }
}
