import Protocol
import XCTest

@testable import Realtime

/// The values only a hub's state holds (stored events, `idem` answers, the deadline heap, the
/// slot tables) come back equal, the encoding is deterministic, and a state whose parts do not
/// fit together is refused rather than restored.
final class HubStateCodecTests: XCTestCase {
    private static let party = PartySnapshot(
        id: "party-1", inviteCode: "ABCDEFGH", leader: "alice", members: ["alice", "bob"], maxMembers: 5, seq: 9,
        createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_500,
        roster: [
            PartyMemberSnapshot(player: "alice", role: .tank, online: true, joinedAt: 1_700_000_000_000),
            PartyMemberSnapshot(player: "bob", role: nil, online: false, joinedAt: 1_700_000_000_100),
        ], lootMode: .masterLooter, masterLooter: "bob",
        settings: PartySettings(
            open: false, invitePolicy: .leader, composition: Composition(tank: 1, healer: 1, dps: 3)),
        invites: [PendingInvite(id: "inv_1", player: "carol", by: "alice", expiresAt: 1_700_000_060_000)],
        requests: [JoinRequestSnapshot(party: "party-1", player: "dave", role: .healer, expiresAt: 1_700_000_060_000)],
        readyCheck: ReadyCheckSnapshot(
            by: "alice", expiresAt: 1_700_000_030_000,
            answers: [ReadyAnswer(player: "alice", ready: true), ReadyAnswer(player: "bob", ready: nil)]))

    private static let report = CompositionReport(
        slots: Composition(tank: 1, healer: 1, dps: 3), filled: Composition(tank: 1, healer: 0, dps: 0), unassigned: 1)

    /// Every event body, each nested enum case among them.
    static let allEventBodies: [PartyEventBody] =
        [
            .memberJoined(player: "bob"), .leaderChanged(leader: "bob"),
            .chat(from: "alice", text: "héllo 👋", timestampMs: 1_700_000_000_000), .disbanded(by: "alice"),
            .roleChanged(player: "bob", role: nil), .lootChanged(mode: .masterLooter, masterLooter: "bob"),
            .lootChanged(mode: .freeForAll, masterLooter: nil),
            .inviteSent(invite: "inv_1", player: "carol", by: "alice", expiresAt: 1_700_000_060_000),
            .inviteDeclined(invite: "inv_1", player: "carol", by: "alice"),
            .inviteExpired(invite: "inv_2", player: "carol", by: "bob"),
            .joinRequested(JoinRequestSnapshot(party: "party-1", player: "dave", role: nil, expiresAt: 5)),
            .codeChanged(inviteCode: "HGFEDCBA"), .settingsChanged(PartySettings()),
            .settingsChanged(
                PartySettings(open: false, invitePolicy: .leader, composition: Composition(tank: 0, healer: 2, dps: 1))),
            .signal(from: "bob", kind: "pos", data: #"{"x":1}"#),
            .readyCheckStarted(by: "alice", expiresAt: 9, composition: report),
            .readyCheckStarted(
                by: "alice", expiresAt: 9,
                composition: CompositionReport(
                    slots: nil, filled: Composition(tank: 0, healer: 0, dps: 2), unassigned: 0)),
            .readyAnswered(player: "bob", ready: false),
            .readyCheckResult(
                ReadyCheckResult(
                    answers: [ReadyAnswer(player: "bob", ready: true)], allReady: true, reason: .answered,
                    composition: report)),
            .readyCheckResult(
                ReadyCheckResult(
                    answers: [ReadyAnswer(player: "bob", ready: nil)], allReady: false, reason: .timeout,
                    composition: report)),
            .memberOffline(player: "bob"), .memberOnline(player: "bob"),
        ] + [PartyLeaveReason.left, .kicked, .timeout].map { .memberLeft(player: "bob", reason: $0) }
        + [JoinRejectReason.rejected, .expired, .withdrawn, .partyGone, .full].map {
            .joinRejected(player: "dave", reason: $0)
        }
        + PartyRole.allCases.map { .roleChanged(player: "bob", role: $0) }
        + ItemQuality.allCases.map { .lootChanged(mode: .needGreed, masterLooter: nil, threshold: $0) }
        + lootAndQuestEventBodies

    static let seed = String(repeating: "5e", count: 32)
    static let openRoll = LootRollSnapshot(
        roll: "roll_2", item: DroppedItem(itemID: "crown", name: "Crown 👑", quality: .legendary), mode: .masterLooter,
        eligible: ["alice", "bob"], expiresAt: 1_700_000_030_000, commitment: LootFairness.commitment(ofSeed: seed),
        choices: [PlayerLootChoice(player: "bob", choice: .greed)])
    static let quest = SharedQuestSnapshot(
        questID: "q-wolves", by: "bob",
        objectives: [
            QuestObjectiveProgress(objectiveID: "wolves", required: 5, progress: 5),
            QuestObjectiveProgress(objectiveID: "pelts", required: 1_000_000, progress: 0),
        ])

    /// The loot and quest events, every reason and choice among them.
    static let lootAndQuestEventBodies: [PartyEventBody] =
        [
            .lootRollStarted(openRoll), .lootRollStarted(LootRollSnapshot(
                roll: "roll_3", item: DroppedItem(itemID: "i", name: "", quality: .poor), mode: .freeForAll, eligible: [],
                expiresAt: -5, commitment: "")),
            .questShared(quest), .questShared(SharedQuestSnapshot(questID: "", by: "", objectives: [])),
            .questAbandoned(questID: "q-wolves", by: "alice"),
            .questProgress(questID: "q-wolves", objectiveID: "wolves", progress: 5, required: 5, by: "carol"),
            .questCompleted(questID: "q-wolves", members: ["alice", "bob"]), .questCompleted(questID: "q", members: []),
        ] + LootChoice.allCases.map { .lootChosen(roll: "roll_2", player: "bob", choice: $0) }
        + LootRollReason.allCases.map { reason in
            .lootRolled(
                LootRollOutcome(
                    roll: "roll_1", item: DroppedItem(itemID: "crown", name: "Crown", quality: .epic), mode: .needGreed,
                    winner: reason == .nobody ? nil : "alice", reason: reason,
                    choices: [PlayerLootChoice(player: "alice", choice: .need), PlayerLootChoice(player: "bob", choice: .pass)],
                    rolls: [ContenderRolls(player: "alice", values: [59, 89]), ContenderRolls(player: "carol", values: [])],
                    seed: seed, commitment: LootFairness.commitment(ofSeed: seed)))
        }

    func testEveryEventRoundTripsByValue() throws {
        for (index, body) in Self.allEventBodies.enumerated() {
            let event = PartyEvent(partyID: "party-\(index)", seq: UInt64(index) << 40, body: body)
            let back = try roundTripped(event)
            XCTAssertFalse(back === event)
            XCTAssertEqual(back, event)
        }
        XCTAssertEqual(
            Set(Self.allEventBodies.map { body in encoded { body.encode(into: &$0) }[0] }), Set(1...27),
            "every event tag")
    }

    func testEveryStoredAnswerRoundTrips() throws {
        let invite = InviteSnapshot(id: "inv_1", party: Self.party, player: "carol", by: "alice", expiresAt: 7)
        let events = Self.allEventBodies.prefix(5).enumerated().map {
            PartyEvent(partyID: "party-1", seq: UInt64($0.offset + 1), body: $0.element)
        }
        let answers: [Result<ReplyData, PartyError>] = [
            .success(.empty), .success(.party(Self.party)),
            .success(.party(PartySnapshot(id: "", inviteCode: "", leader: "", members: [], maxMembers: 0))),
            .success(.invite(invite)), .success(.joinRequest(Self.party.requests[0])),
            .success(.inviteCode("ABCDEFGH")),
            .success(.events(events)), .success(.events([])), .success(.resumed(replayed: 3, seq: 12)),
            .failure(PartyError(.rateLimited, "slow down", detail: .retryAfter(milliseconds: 250))),
            .failure(PartyError(.resyncRequired, "resync", detail: .resync(party: Self.party))),
            .failure(PartyError(.resyncRequired, "resync", detail: .resync(party: nil))),
            .failure(PartyError(PartyErrorCode(rawValue: "future_code"), "a code this build does not know")),
            .success(
                .party(
                    PartySnapshot(
                        id: "party-2", inviteCode: "ZZZZZZZZ", leader: "bob", members: ["bob"], maxMembers: 2,
                        lootThreshold: .poor, lootRolls: [Self.openRoll], quests: [Self.quest]))),
        ]
        for answer in answers { XCTAssertEqual(try roundTripped(answer), answer) }
        let codes: [PartyErrorCode] = [
            .alreadyInParty, .notFound, .partyFull, .notInParty, .invalidMessage, .rateLimited, .unknownOp, .notLeader,
            .notMember, .invalidTarget, .alreadyInvited, .alreadyRequested, .compositionFull, .readyCheckActive,
            .noReadyCheck, .resyncRequired, .internalError, .rollClosed, .notEligible, .notMasterLooter, .alreadyShared,
        ]
        XCTAssertEqual(
            codes.map { code in encoded { code.encode(into: &$0) } }, (1...21).map { [UInt8($0)] }, "pinned code tags")
        XCTAssertEqual(encoded { PartyErrorCode(rawValue: "x").encode(into: &$0) }, [255, 1, 0x78])
        for code in codes { XCTAssertEqual(try roundTripped(code), code) }
    }

    func testTheConfigurationRoundTripsEveryField() throws {
        var configuration = HubConfiguration()
        configuration.maxMembers = 7
        configuration.maxPartySize = 80
        configuration.maxChatScalars = 2048
        configuration.chatRatePerSecond = 0.25
        configuration.chatBurst = 3
        configuration.signalRatePerSecond = 0
        configuration.signalBurst = 1e9
        configuration.commandRatePerSecond = 33.5
        configuration.commandBurst = 41
        configuration.inviteTTLMilliseconds = 1
        configuration.reconnectGraceMilliseconds = 0
        configuration.readyCheckMilliseconds = .max
        configuration.historySize = 1
        configuration.idempotencyKeys = -1
        configuration.lootRollTimeoutMilliseconds = 1
        configuration.maxPendingInvitesPerPlayer = 3
        configuration.maxSessionsPerPlayer = 0
        configuration.offlineNoticeDelayMilliseconds = 0
        XCTAssertEqual(try roundTripped(configuration), configuration)
        XCTAssertEqual(try roundTripped(HubConfiguration()), HubConfiguration())
    }

    func testPinnedStateOfVersion2IsReadWithTheDefaultsOfTheNewerRules() throws {
        var configuration = HubConfiguration()
        configuration.chatBurst = 3
        let current = PinnedState(epoch: 7, configuration: configuration).bytes
        XCTAssertEqual(current.first, 4)
        // Version 3 ended with the offline notice delay: the party creation rate and burst (two
        // doubles) were not there.
        var bytes = current
        bytes[0] = 3
        bytes.removeLast(16)
        XCTAssertEqual(try PinnedState(decoding: bytes), PinnedState(epoch: 7, configuration: configuration))
        // Version 2 ended with the loot roll timeout: nor were the two caps (one byte each here)
        // and the offline notice delay (two).
        bytes[0] = 2
        bytes.removeLast(4)
        XCTAssertEqual(try PinnedState(decoding: bytes), PinnedState(epoch: 7, configuration: configuration))
    }

    func testTheStateStartsWithItsVersionAndAnotherVersionIsRefused() {
        var bytes = encoded { Hub().encodeState(into: &$0) }
        let version = Hub.stateFormatVersion
        XCTAssertEqual(bytes.first, version)
        XCTAssertEqual(try decoded(bytes) { try Hub(decodingState: &$0) }, Hub())
        bytes[0] = version &+ 1
        XCTAssertThrowsError(try decoded(bytes) { try Hub(decodingState: &$0) }) { error in
            XCTAssertEqual(error as? BinaryDecodingError, .unsupportedVersion(version &+ 1, expected: version, at: 0))
        }
    }

    func testTheSameStateGivesTheSameBytesWhateverItsDictionariesHistory() {
        let hub = BinaryCodecTests.smallHub()
        var rebuilt = hub
        // The same entries in other dictionaries (another capacity, so another iteration order).
        var byName: [String: Int] = [:]
        byName.reserveCapacity(1000)
        for (name, slot) in hub.playerSlotByName.sorted(by: { $0.key > $1.key }) { byName[name] = slot }
        rebuilt.playerSlotByName = byName
        var bySession: [SessionID: Int] = [:]
        bySession.reserveCapacity(500)
        for (session, slot) in hub.playerSlotBySession.sorted(by: { $0.key > $1.key }) { bySession[session] = slot }
        rebuilt.playerSlotBySession = bySession
        XCTAssertNotEqual(Array(byName.keys), Array(hub.playerSlotByName.keys), "the iteration orders differ")
        XCTAssertEqual(rebuilt, hub)
        XCTAssertEqual(encoded { rebuilt.encodeState(into: &$0) }, encoded { hub.encodeState(into: &$0) })
    }

    func testSlotsAndFreeListsAreRestoredExactly() throws {
        let driver = HubDriver()
        _ = driver.partyOfAlice(joiners: 2)
        // Erin and Dave, in no party, are forgotten as they close: their slots are freed in that order.
        driver.close(session: 5)
        driver.close(session: 4)
        let hub = driver.hub
        XCTAssertEqual(hub.players.freeList, [4, 3])
        let restored = try decoded(encoded { hub.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }
        XCTAssertEqual(restored.players.freeList, [4, 3])
        XCTAssertEqual(restored.playerSlotByName, hub.playerSlotByName)
        // The next player takes the same slot in both.
        var outputs: [HubOutput] = []
        var live = hub
        var replayed = restored
        live.apply(.sessionOpened(SessionID(rawValue: 9), player: "zed", now: driver.now), into: &outputs)
        replayed.apply(.sessionOpened(SessionID(rawValue: 9), player: "zed", now: driver.now), into: &outputs)
        XCTAssertEqual(replayed.playerSlotByName["zed"], 3)
        XCTAssertEqual(replayed, live)
        // A free list in another order is another state.
        var reordered = hub
        reordered.players = try XCTUnwrap(
            SlotTable(slots: (0..<5).map { $0 < 3 ? hub.players[$0] : nil }, freeList: [3, 4]))
        XCTAssertNotEqual(reordered, hub)
    }

    func testAFreeListThatIsNotTheFreeSlotsIsRefused() {
        let element = PlayerRecord.vacant
        XCTAssertNotNil(SlotTable(slots: [element, nil, nil], freeList: [2, 1]))
        XCTAssertNotNil(SlotTable<PlayerRecord>(slots: [], freeList: []))
        XCTAssertNil(SlotTable(slots: [element, nil, nil], freeList: [1]), "a free slot missing")
        XCTAssertNil(SlotTable(slots: [element, nil, nil], freeList: [1, 1]), "a slot twice")
        XCTAssertNil(SlotTable(slots: [element, nil, nil], freeList: [0, 1]), "an occupied slot")
        XCTAssertNil(SlotTable(slots: [element, nil, nil], freeList: [1, 3]), "no such slot")
        XCTAssertNil(SlotTable(slots: [element, nil, nil], freeList: [1, -1]), "a negative slot")
    }

    func testADeadlineHeapOutOfOrderIsRefused() {
        let first = DeadlineQueue.Entry(at: 10, order: 0, action: .expireInvite(id: "inv_1"))
        let second = DeadlineQueue.Entry(at: 10, order: 1, action: .endGrace(player: "bob", offlineSince: 3))
        XCTAssertNotNil(DeadlineQueue(heap: [first, second], nextOrder: 2))
        XCTAssertNil(DeadlineQueue(heap: [second, first], nextOrder: 2), "a child before its parent")
        XCTAssertNil(DeadlineQueue(heap: [first, second], nextOrder: 1), "an entry numbered after next_order")
        var queue = DeadlineQueue()
        queue.schedule(.endReadyCheck(partyID: "party-1", number: 2), at: 30)
        queue.schedule(.expireRequest(partyID: "party-1", player: "dave"), at: 20)
        queue.schedule(.expireInvite(id: "inv_3"), at: 20)
        queue.schedule(.endLootRoll(partyID: "party-1", roll: "roll_9"), at: 25)
        XCTAssertEqual(try roundTripped(queue), queue)
    }

    func testAStateNamingAnEmptySlotIsRefused() throws {
        let hub = BinaryCodecTests.smallHub()
        let emptyPlayerSlot = hub.players.slotCount + 3
        var broken = [hub, hub, hub, hub, hub]
        broken[0].parties[hub.players[hub.playerSlotByName["alice"]!].party!].leader = emptyPlayerSlot
        broken[1].playerSlotByName["ghost"] = emptyPlayerSlot
        broken[2].partySlotByCode["ZZZZZZZZ"] = 99
        broken[3].players[hub.playerSlotByName["alice"]!].party = -1
        // Dave (signed in, in no party) leads Alice's party.
        broken[4].parties[hub.players[hub.playerSlotByName["alice"]!].party!].leader = hub.playerSlotByName["dave"]!
        for (index, state) in broken.enumerated() {
            XCTAssertThrowsError(
                try decoded(encoded { state.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }, "case \(index)"
            ) { error in
                XCTAssertTrue("\(error)".contains("inconsistent state"), "\(error)")
            }
        }
    }

    func testReadOnlySessionsRoundTripAndOneOfNoPlayerIsRefused() throws {
        let driver = HubDriver()
        _ = driver.partyOfAlice(joiners: 1)
        driver.open("bob", session: 12, readOnly: true)
        driver.open("bob", session: 22)
        driver.open("zed", session: 30, readOnly: true)
        let hub = driver.hub
        let restored = try decoded(encoded { hub.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }
        XCTAssertEqual(restored, hub)
        XCTAssertEqual(restored.players[try XCTUnwrap(restored.playerSlotByName["bob"])].readOnlySessions, [session(12)])
        // A read-only session no player holds: the list names a session the indexes do not know.
        var broken = hub
        broken.players[try XCTUnwrap(hub.playerSlotByName["zed"])].readOnlySessions = [session(30), session(31)]
        XCTAssertThrowsError(try decoded(encoded { broken.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }) { error in
            XCTAssertTrue("\(error)".contains("inconsistent state"), "\(error)")
        }
    }

    /// A hub with loot rolls of every mode open (with choices), rolls decided, a shared quest
    /// part done, a round-robin turn, and service event ids taken.
    static func hubWithLootAndQuests() -> Hub {
        let driver = HubDriver()
        let party = driver.partyOfAlice(joiners: 2)
        driver.run(.shareQuest(questID: "q-wolves", objectives: [QuestObjective(objectiveID: "wolves", required: 5)]), from: 2)
        driver.complete("wolves", of: "q-wolves", by: "carol", count: 2)
        driver.drop([DroppedItem(itemID: "junk", name: "Junk", quality: .poor)], in: party.id)
        driver.drop([DroppedItem(itemID: "crown", name: "Crown", quality: .epic)], in: party.id)
        driver.run(.chooseLoot(roll: "roll_2", choice: .greed), from: 3)
        driver.run(.setLoot(.masterLooter, masterLooter: "bob", threshold: .rare), from: 1)
        driver.drop([DroppedItem(itemID: "orb", name: "Orb", quality: .epic)], in: party.id)
        driver.run(.setLoot(.freeForAll, masterLooter: nil), from: 1)
        driver.drop(Array(repeating: DroppedItem(itemID: "ring", name: "Ring", quality: .legendary), count: 2), in: party.id)
        driver.run(.claimLoot(roll: "roll_5"), from: 2)
        return driver.hub
    }

    func testOpenRollsQuestsAndTakenEventIdsRoundTrip() throws {
        let hub = Self.hubWithLootAndQuests()
        let party = try XCTUnwrap(hub.party(of: "alice"))
        XCTAssertEqual(party.lootRolls.map(\.roll), ["roll_2", "roll_3", "roll_4"])
        XCTAssertEqual(party.lootRolls.map(\.mode), [.needGreed, .masterLooter, .freeForAll])
        XCTAssertEqual(party.quests.first?.objectives.first?.progress, 2)
        XCTAssertEqual(hub.serviceEventLedger.count, 5)
        let restored = try decoded(encoded { hub.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }
        XCTAssertEqual(restored, hub)
        XCTAssertEqual(restored.parties[0].decidedRollIDs, ["roll_1", "roll_5"])
        XCTAssertEqual(restored.parties[0].lootTurn, 1)
        XCTAssertEqual(restored.nextRollNumber, 6)
        XCTAssertEqual(restored.party(of: "bob"), party)
        XCTAssertEqual(encoded { restored.encodeState(into: &$0) }, encoded { hub.encodeState(into: &$0) })
    }

    func testLootAndQuestStateThatDoesNotFitIsRefused() {
        let hub = Self.hubWithLootAndQuests()
        var broken = [hub, hub, hub, hub]
        broken[0].parties[0].lootRolls[0].eligible.append(hub.players.slotCount + 2)
        broken[0].parties[0].lootRolls[0].choices.append(nil)
        broken[1].parties[0].lootRolls[1].choices.removeLast()
        broken[2].parties[0].lootTurn = -1
        broken[3].parties[0].quests[0].objectives[0].progress = 6
        for (index, state) in broken.enumerated() {
            XCTAssertThrowsError(
                try decoded(encoded { state.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }, "case \(index)"
            ) { error in
                XCTAssertTrue("\(error)".contains("inconsistent state"), "\(error)")
            }
        }
    }

    func testNaNRatesAreRefused() {
        var configuration = HubConfiguration()
        configuration.signalBurst = .nan
        XCTAssertThrowsError(try roundTripped(configuration))
        let bucket = TokenBucket(ratePerSecond: 1, capacity: 2, tokens: -.nan, updatedAt: 0)
        XCTAssertThrowsError(try roundTripped(bucket))
        let infinite = TokenBucket(ratePerSecond: .infinity, capacity: .infinity, tokens: 0, updatedAt: 0)
        XCTAssertEqual(try roundTripped(infinite), infinite)
    }

    func testEventsOfAnotherPartyInAHistoryKeepTheirID() throws {
        var history = EventHistory(capacity: 3)
        for seq: UInt64 in 1...4 {
            history.append(
                PartyEvent(partyID: seq == 3 ? "other" : "party-1", seq: seq, body: .memberOnline(player: "bob")))
        }
        var writer = BinaryWriter()
        history.encode(into: &writer, partyID: "party-1")
        let back = try decoded(writer.bytes) { try EventHistory(decoding: &$0, partyID: "party-1") }
        XCTAssertEqual(back, history)
        XCTAssertEqual(back.start, 1)
        XCTAssertEqual(back.events().map(\.partyID), ["party-1", "other", "party-1"])
    }
}
