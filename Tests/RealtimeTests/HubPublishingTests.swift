import Protocol
import XCTest

@testable import Realtime

/// What the hub publishes for other services (docs/PROTOCOL.md, "Events out"): one event per
/// membership change, in the order of the party events, at offsets 1, 2, 3, ... stamped with
/// the hub's time; nothing for what changes no membership. Pure: no sockets, no clock.
final class HubPublishingTests: XCTestCase {
    private var hub = HubDriver()

    func testCreatingAPartyPublishesItsLeaderSeatsAndLootMode() {
        hub.open("alice", session: 1)
        hub.run(.create(maxMembers: 4, lootMode: .personal), from: 1)
        XCTAssertEqual(
            hub.published,
            [
                PublishedEvent(
                    offset: 1, ts: hub.now, kind: .partyCreated(party: "party-1", leader: "alice", maxMembers: 4, lootMode: .personal))
            ])
    }

    func testJoiningLeavingAndKickingArePublishedWithTheirReasons() {
        let party = hub.partyOfAlice(joiners: 3)
        XCTAssertEqual(
            hub.publishedKinds(since: 0),
            [
                .partyCreated(party: party.id, leader: "alice", maxMembers: 5, lootMode: .needGreed),
                .memberJoined(party: party.id, player: "bob"), .memberJoined(party: party.id, player: "carol"),
                .memberJoined(party: party.id, player: "dave"),
            ])
        let before = hub.published.count
        hub.run(.leave, from: 2)
        hub.run(.kick(player: "carol"), from: 1)
        XCTAssertEqual(
            hub.publishedKinds(since: before),
            [
                .memberLeft(party: party.id, player: "bob", reason: "left"),
                .memberLeft(party: party.id, player: "carol", reason: "kicked"),
            ])
        XCTAssertEqual(hub.published.map(\.offset), Array(1...6), "offsets run on without a gap")
    }

    func testTheGraceRunningOutPublishesATimeoutAndTheLeadersHandOver() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.close(session: 1)
        let before = hub.published.count
        XCTAssertEqual(before, 2, "going offline is no membership change")
        hub.tick(after: hub.configuration.reconnectGraceMilliseconds)
        XCTAssertEqual(
            hub.publishedKinds(since: before),
            [.memberLeft(party: party.id, player: "alice", reason: "timeout"), .leaderChanged(party: party.id, leader: "bob")])
        XCTAssertEqual(hub.published.last?.ts, hub.now)
    }

    func testPromotingPublishesTheNewLeader() {
        let party = hub.partyOfAlice(joiners: 1)
        let before = hub.published.count
        hub.run(.promote(player: "bob"), from: 1)
        XCTAssertEqual(hub.publishedKinds(since: before), [.leaderChanged(party: party.id, leader: "bob")])
    }

    func testDisbandingPublishesOneEventWithReasonLeader() {
        let party = hub.partyOfAlice(joiners: 2)
        let before = hub.published.count
        hub.run(.disband, from: 1)
        XCTAssertEqual(hub.publishedKinds(since: before), [.disbanded(party: party.id, reason: "leader")])
    }

    func testTheLastMemberLeavingPublishesTheLeaveThenTheEndWithReasonEmpty() {
        let party = hub.partyOfAlice(joiners: 0)
        let before = hub.published.count
        hub.run(.leave, from: 1)
        XCTAssertEqual(
            hub.publishedKinds(since: before),
            [.memberLeft(party: party.id, player: "alice", reason: "left"), .disbanded(party: party.id, reason: "empty")])
    }

    func testWhatChangesNoMembershipPublishesNothing() {
        _ = hub.partyOfAlice(joiners: 1)
        let before = hub.published.count
        hub.run(.chat(text: "hi"), from: 1)
        hub.run(.setRole(.tank), from: 2)
        hub.run(.setLoot(.freeForAll, masterLooter: nil), from: 1)
        hub.run(.readyCheck, from: 1)
        hub.close(session: 2)
        hub.open("bob", session: 6)
        XCTAssertEqual(hub.published.count, before)
    }

    func testARepeatedIdemKeyAndAFailedCommandPublishNothing() {
        hub.open("alice", session: 1)
        hub.run(.create(), from: 1, idem: "k")
        hub.run(.create(), from: 1, idem: "k")
        hub.run(.create(), from: 1)
        hub.run(.kick(player: "nobody"), from: 1)
        XCTAssertEqual(hub.published.count, 1)
    }

    func testTheNextOffsetSurvivesASnapshotOfTheState() throws {
        _ = hub.partyOfAlice(joiners: 2)
        var writer = BinaryWriter()
        hub.hub.encodeState(into: &writer)
        var restored = try writer.bytes.decodeBinary { (reader) throws(BinaryDecodingError) in try Hub(decodingState: &reader) }
        var outputs: [HubOutput] = []
        restored.apply(.command(session(2), ClientRequest(rid: 1, command: .leave), now: hub.now, seed: nil), into: &outputs)
        let offsets = outputs.compactMap { output -> UInt64? in
            if case .published(let event) = output { return event.offset }
            return nil
        }
        XCTAssertEqual(offsets, [4])
    }
}
