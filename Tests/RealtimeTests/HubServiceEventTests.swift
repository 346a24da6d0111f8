import Protocol
import XCTest

@testable import Realtime

/// Service events in the hub: one result per event, in order, answered before anything the
/// events caused; an id taken (applied or ignored) is a duplicate ever after, within a batch
/// too; a rejected event's id is not taken, so a corrected retry applies; nothing malformed,
/// however long or out of range, is applied.
final class HubServiceEventTests: XCTestCase {
    private var hub = HubDriver()

    private func drop(_ party: String, _ itemCount: Int = 1, id: String) -> IncomingServiceEvent {
        let items = (0..<itemCount).map { DroppedItem(itemID: "i\($0)", name: "Gem", quality: .poor) }
        return IncomingServiceEvent(eventID: id, body: .lootDropped(party: party, items: items, source: "boss"))
    }

    private func objective(_ player: String, id: String, count: Int = 1) -> IncomingServiceEvent {
        IncomingServiceEvent(eventID: id, body: .objectiveCompleted(player: player, questID: "q", objectiveID: "o", count: count))
    }

    func testABatchIsAnsweredFirstWithOneResultPerEventInOrder() {
        let party = hub.partyOfAlice(joiners: 1)
        let outputs = hub.deliver([
            drop(party.id, 2, id: "e1"), objective("alice", id: "e2"), drop("no-such-party", id: "e3"),
            IncomingServiceEvent(eventID: "e4", body: .invalid(PartyError(.invalidMessage, "unknown type \"combat:x\""))),
            drop(party.id, id: "e1"),
        ])
        guard case .serviceResults(let caller, let results)? = outputs.first else { return XCTFail("\(outputs)") }
        XCTAssertEqual(caller, HubDriver.serviceCaller)
        XCTAssertEqual(results.map(\.eventID), ["e1", "e2", "e3", "e4", "e1"])
        XCTAssertEqual(
            results.map(\.status),
            [
                .applied(rolls: ["roll_1", "roll_2"]), .ignored(reason: "the party of alice does not share quest q"),
                .rejected(PartyError(.notFound, "no party no-such-party")),
                .rejected(PartyError(.invalidMessage, "unknown type \"combat:x\"")), .duplicate,
            ])
        XCTAssertEqual(lootOutcomes(outputs).count, 2, "the duplicate dropped nothing")
    }

    func testAnIdTakenIsADuplicateEverAfterAndDoesNothing() {
        let party = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(serviceResults(hub.deliver([drop(party.id, id: "kill-1")])), [.applied(rolls: ["roll_1"])])
        XCTAssertEqual(serviceResults(hub.deliver([objective("zed", id: "obj-1")])), [.ignored(reason: "zed is in no party")])
        let seqBefore = hub.seq(ofParty: party.id)
        let outputs = hub.deliver([drop(party.id, id: "kill-1"), objective("zed", id: "obj-1")])
        XCTAssertEqual(outputs, [.serviceResults(HubDriver.serviceCaller, [
            ServiceEventResult(eventID: "kill-1", status: .duplicate), ServiceEventResult(eventID: "obj-1", status: .duplicate),
        ])])
        XCTAssertEqual(hub.seq(ofParty: party.id), seqBefore)
        XCTAssertEqual(hub.serviceEventLedger.count, 2)
    }

    func testARejectedEventsIdIsNotTakenSoACorrectedRetryApplies() {
        let party = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(
            serviceResults(hub.deliver([drop("party-404", id: "kill-7")])), [.rejected(PartyError(.notFound, "no party party-404"))])
        XCTAssertEqual(serviceResults(hub.deliver([objective("bob", id: "kill-8", count: 0)])), [.rejected(PartyError(.invalidMessage, "count must be 1-1000000"))])
        XCTAssertEqual(hub.serviceEventLedger.count, 0)
        XCTAssertEqual(serviceResults(hub.deliver([drop(party.id, id: "kill-7")])), [.applied(rolls: ["roll_1"])])
    }

    func testMalformedEventsAreRejectedWithWhatIsWrong() {
        let party = hub.partyOfAlice(joiners: 1)
        let long = String(repeating: "x", count: 129)
        let gem = DroppedItem(itemID: "gem", name: "Gem", quality: .rare)
        let cases: [(IncomingServiceEvent, String)] = [
            (drop(party.id, id: ""), "event_id must be 1-128 characters"),
            (drop(party.id, id: long), "event_id must be 1-128 characters"),
            (drop(party.id, 0, id: "a"), "items must hold 1-100 items"),
            (drop(party.id, 101, id: "b"), "items must hold 1-100 items"),
            (drop("", id: "c"), "party must be 1-64 characters"),
            (
                IncomingServiceEvent(
                    eventID: "d", body: .lootDropped(party: party.id, items: [DroppedItem(itemID: "", name: "Gem", quality: .rare)], source: "")),
                "item_id must be 1-64 characters"
            ),
            (
                IncomingServiceEvent(
                    eventID: "e", body: .lootDropped(party: party.id, items: [DroppedItem(itemID: "gem", name: long, quality: .rare)], source: "")),
                "name must be 1-128 characters"
            ),
            (
                IncomingServiceEvent(eventID: "f", body: .lootDropped(party: party.id, items: [gem], source: long)),
                "source must be at most 128 characters"
            ),
            (objective("", id: "g"), "player must be 1-64 characters"),
            (objective("bob", id: "h", count: -5), "count must be 1-1000000"),
            (objective("bob", id: "i", count: .max), "count must be 1-1000000"),
            (
                IncomingServiceEvent(eventID: "j", body: .objectiveCompleted(player: "bob", questID: long, objectiveID: "o", count: 1)),
                "quest_id must be 1-64 characters"
            ),
            (
                IncomingServiceEvent(eventID: "k", body: .objectiveCompleted(player: "bob", questID: "q", objectiveID: "", count: 1)),
                "objective_id must be 1-64 characters"
            ),
        ]
        for (event, message) in cases {
            let outputs = hub.deliver([event])
            XCTAssertEqual(serviceResults(outputs), [.rejected(PartyError(.invalidMessage, message))], "\(event)")
            XCTAssertEqual(outputs.count, 1)
        }
        XCTAssertEqual(hub.serviceEventLedger.count, 0)
    }

    func testEachDroppedItemTakesItsSeedInBatchOrderWhateverBecomesOfItsEvent() {
        let party = hub.partyOfAlice(joiners: 1)
        let seeds = (1...4).map(HubDriver.lootSeed)
        // The first event (2 items) is rejected, the second a duplicate of itself: the third's
        // item takes the fourth seed.
        let outputs = hub.deliver(
            [drop("gone", 2, id: "a"), drop(party.id, id: "b"), drop(party.id, id: "b")], lootSeeds: seeds)
        XCTAssertEqual(lootOutcomes(outputs).map(\.seed), [seeds[2]])
        XCTAssertEqual(serviceResults(outputs).last, .duplicate)
    }

    func testADropWithoutAWellFormedSeedPerItemIsRefusedAndItsIdLeftUntaken() {
        let party = hub.partyOfAlice(joiners: 1)
        let refused = ServiceEventResult.Status.rejected(PartyError(.internalError, "no loot seed was drawn for every item"))
        XCTAssertEqual(serviceResults(hub.deliver([drop(party.id, 2, id: "a")], lootSeeds: [HubDriver.lootSeed(1)])), [refused])
        XCTAssertEqual(serviceResults(hub.deliver([drop(party.id, id: "a")], lootSeeds: ["ABCD"])), [refused])
        XCTAssertEqual(
            serviceResults(hub.deliver([drop(party.id, id: "a")], lootSeeds: [String(repeating: "A", count: 64)])), [refused],
            "uppercase hex is not a seed")
        XCTAssertEqual(serviceResults(hub.deliver([drop(party.id, id: "a")])), [.applied(rolls: ["roll_1"])])
    }

    func testServiceEventsAreReplayedToTheSameHub() throws {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.shareQuest(questID: "q", objectives: [QuestObjective(objectiveID: "o", required: 2)]), from: 1)
        let input = HubInput.serviceEvents(
            HubDriver.serviceCaller, [drop(party.id, 3, id: "x"), objective("bob", id: "y")], now: hub.now,
            lootSeeds: (1...3).map(HubDriver.lootSeed))
        var replayed = try decoded(encoded { hub.hub.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }
        let decodedInput = try roundTripped(input)
        var outputs: [HubOutput] = []
        replayed.apply(decodedInput, into: &outputs)
        XCTAssertEqual(outputs.filter { !$0.isPublished }, hub.apply(input))
        XCTAssertEqual(replayed, hub.hub)
    }
}

/// The ledger keeps at least the last 100,000 ids or the last 24 hours of them, whichever is
/// more, and forgets the oldest first.
final class ServiceEventLedgerTests: XCTestCase {
    private let day = ServiceEventLedger.minimumAgeMilliseconds
    private let kept = ServiceEventLedger.minimumCount

    func testIdsYoungerThanADayAreKeptHoweverMany() {
        var ledger = ServiceEventLedger()
        for index in 0..<(kept + 500) { ledger.take("id-\(index)", at: 1_000) }
        XCTAssertEqual(ledger.count, kept + 500)
        ledger.take("late", at: 1_000 + day - 1)
        XCTAssertEqual(ledger.count, kept + 501, "nothing is a day old yet")
        XCTAssertTrue(ledger.contains("id-0"))
        // A day after the first ones: the oldest are forgotten down to the count, no further.
        ledger.take("later", at: 1_000 + day)
        XCTAssertEqual(ledger.count, kept)
        XCTAssertFalse(ledger.contains("id-0"))
        XCTAssertFalse(ledger.contains("id-501"))
        XCTAssertTrue(ledger.contains("id-502"))
        XCTAssertTrue(ledger.contains("later"))
        XCTAssertEqual(ledger.oldestFirst.first?.id, "id-502")
        XCTAssertEqual(ledger.oldestFirst.count, kept)
    }

    func testTheLast100000IdsAreKeptHoweverOld() {
        var ledger = ServiceEventLedger()
        for index in 0..<kept { ledger.take("id-\(index)", at: Int64(index)) }
        ledger.take("a week later", at: 7 * day)
        XCTAssertEqual(ledger.count, kept, "the oldest one goes, as the count passed")
        XCTAssertFalse(ledger.contains("id-0"))
        XCTAssertTrue(ledger.contains("id-1"))
    }

    func testTakingAnIdTwiceKeepsOneAndATimeNearTheMinimumDoesNotOverflow() {
        var ledger = ServiceEventLedger()
        ledger.take("a", at: .min)
        ledger.take("a", at: .min)
        XCTAssertEqual(ledger.count, 1)
        XCTAssertEqual(ledger.oldestFirst.map(\.takenAt), [.min])
    }

    func testTheLedgerRoundTripsAndRefusesRepeatedIdsOrTimesGoingBack() throws {
        var ledger = ServiceEventLedger()
        for index in 0..<5000 { ledger.take("evt-\(index)", at: 10 + Int64(index / 10)) }
        XCTAssertEqual(try roundTripped(ledger), ledger)
        XCTAssertEqual(try roundTripped(ServiceEventLedger()), ServiceEventLedger())
        XCTAssertNil(ServiceEventLedger(oldestFirst: [.init(id: "a", takenAt: 1), .init(id: "a", takenAt: 2)]))
        XCTAssertNil(ServiceEventLedger(oldestFirst: [.init(id: "a", takenAt: 2), .init(id: "b", takenAt: 1)]))
        var writer = BinaryWriter()
        writer.writeCount(2)
        for id in ["a", "a"] {
            writer.writeString(id)
            writer.writeVarInt(1)
        }
        XCTAssertThrowsError(try decoded(writer.bytes) { try ServiceEventLedger(decoding: &$0) }) { error in
            XCTAssertTrue("\(error)".contains("inconsistent state"), "\(error)")
        }
    }

    /// Compaction of forgotten entries is not state: a ledger that forgot many equals one
    /// restored with only what it holds.
    func testALedgerEqualsItsRestoredCopyAfterForgetting() throws {
        var ledger = ServiceEventLedger()
        for index in 0..<(kept + 5000) { ledger.take("id-\(index)", at: 0) }
        ledger.take("now", at: day)
        XCTAssertEqual(ledger.count, kept)
        let restored = try XCTUnwrap(ServiceEventLedger(oldestFirst: Array(ledger.oldestFirst)))
        XCTAssertEqual(restored, ledger)
        XCTAssertEqual(encoded { restored.encode(into: &$0) }, encoded { ledger.encode(into: &$0) })
    }
}
