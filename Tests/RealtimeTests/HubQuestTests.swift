import Protocol
import XCTest

@testable import Realtime

/// Shared quests: sharing and abandoning, objectives completed by the gameplay service adding
/// up to their `required`, the quest completing and leaving the list, and events about
/// nothing the hub holds being ignored.
final class HubQuestTests: XCTestCase {
    private var hub = HubDriver()

    private let wolves = [QuestObjective(objectiveID: "wolves", required: 5), QuestObjective(objectiveID: "pelts", required: 2)]

    private func progress(_ wolves: Int, _ pelts: Int) -> [QuestObjectiveProgress] {
        [
            QuestObjectiveProgress(objectiveID: "wolves", required: 5, progress: wolves),
            QuestObjectiveProgress(objectiveID: "pelts", required: 2, progress: pelts),
        ]
    }

    func testAMemberSharesAQuestWithTheParty() {
        let party = hub.partyOfAlice(joiners: 2)
        let outputs = hub.run(.shareQuest(questID: "q-wolves", objectives: wolves), from: 2, rid: 4)
        let shared = SharedQuestSnapshot(questID: "q-wolves", by: "bob", objectives: progress(0, 0))
        XCTAssertEqual(
            outputs,
            [
                .reply(session(2), rid: 4, .success(.empty)),
                .event(PartyEvent(partyID: party.id, seq: 3, body: .questShared(shared)), recipients: [session(1), session(2), session(3)]),
            ])
        XCTAssertEqual(hub.party(of: "carol")?.quests, [shared])
        XCTAssertEqual(errorCode(hub.run(.shareQuest(questID: "q-wolves", objectives: wolves), from: 3)), .alreadyShared)
        XCTAssertEqual(errorCode(hub.run(.shareQuest(questID: "q-2", objectives: wolves), from: 4)), .notInParty)
    }

    func testAPartySharesAtMost25Quests() {
        _ = hub.partyOfAlice(joiners: 1)
        for number in 1...SharedQuestLimits.maxQuestsPerParty {
            XCTAssertNotNil(replyData(hub.run(.shareQuest(questID: "q-\(number)", objectives: wolves), from: 1)))
        }
        let refused = hub.run(.shareQuest(questID: "q-26", objectives: wolves), from: 2)
        XCTAssertEqual(errorCode(refused), .partyFull)
        XCTAssertEqual(hub.party(of: "alice")?.quests.count, 25)
    }

    /// The decoder refuses these already; the hub checks them again (a command from the log).
    func testAQuestOutsideTheLimitsIsRefused() {
        _ = hub.partyOfAlice(joiners: 0)
        let tooMany = (0...SharedQuestLimits.maxObjectives).map { QuestObjective(objectiveID: "o\($0)", required: 1) }
        let refusals: [[QuestObjective]] = [
            [], tooMany, [QuestObjective(objectiveID: "o", required: 0)],
            [QuestObjective(objectiveID: "o", required: 1_000_001)], [QuestObjective(objectiveID: "", required: 1)],
            [QuestObjective(objectiveID: String(repeating: "o", count: 65), required: 1)],
            [QuestObjective(objectiveID: "o", required: 1), QuestObjective(objectiveID: "o", required: 2)],
        ]
        for objectives in refusals {
            XCTAssertEqual(errorCode(hub.run(.shareQuest(questID: "q", objectives: objectives), from: 1)), .invalidMessage, "\(objectives)")
        }
        XCTAssertEqual(errorCode(hub.run(.shareQuest(questID: "", objectives: wolves), from: 1)), .invalidMessage)
        XCTAssertEqual(hub.party(of: "alice")?.quests, [])
    }

    func testObjectivesAddUpToTheirRequiredAndTheCompleteQuestLeavesTheList() throws {
        let party = hub.partyOfAlice(joiners: 2)
        hub.run(.shareQuest(questID: "q-wolves", objectives: wolves), from: 1)
        var outputs = hub.complete("wolves", of: "q-wolves", by: "bob", count: 3)
        XCTAssertEqual(serviceResults(outputs), [.applied(rolls: nil)])
        XCTAssertEqual(
            bodies(outputs), [.questProgress(questID: "q-wolves", objectiveID: "wolves", progress: 3, required: 5, by: "bob")])
        XCTAssertEqual(hub.party(of: "alice")?.quests.first?.objectives, progress(3, 0))
        // Capped at required.
        outputs = hub.complete("wolves", of: "q-wolves", by: "carol", count: 10)
        XCTAssertEqual(
            bodies(outputs), [.questProgress(questID: "q-wolves", objectiveID: "wolves", progress: 5, required: 5, by: "carol")])
        // An objective already complete adds nothing.
        outputs = hub.complete("wolves", of: "q-wolves", by: "carol")
        guard case .ignored(let reason)? = serviceResults(outputs).first else { return XCTFail("\(outputs)") }
        XCTAssertEqual(reason, "objective wolves of quest q-wolves is already complete")
        XCTAssertEqual(outputs.count, 1)
        hub.complete("pelts", of: "q-wolves", by: "alice")
        // The last objective: the progress, then the completion, which is published.
        outputs = hub.complete("pelts", of: "q-wolves", by: "alice")
        XCTAssertEqual(
            bodies(outputs),
            [
                .questProgress(questID: "q-wolves", objectiveID: "pelts", progress: 2, required: 2, by: "alice"),
                .questCompleted(questID: "q-wolves", members: ["alice", "bob", "carol"]),
            ])
        XCTAssertEqual(
            hub.lastPublished.map(\.kind), [.questCompleted(party: party.id, questID: "q-wolves", members: ["alice", "bob", "carol"])])
        XCTAssertEqual(hub.party(of: "alice")?.quests, [])
        // Gone from the list: it may be shared again, and progress on it is ignored meanwhile.
        guard case .ignored? = serviceResults(hub.complete("pelts", of: "q-wolves", by: "alice")).first else {
            return XCTFail("progress on a completed quest is ignored")
        }
        XCTAssertNotNil(replyData(hub.run(.shareQuest(questID: "q-wolves", objectives: wolves), from: 2)))
    }

    func testProgressAboutNothingTheHubHoldsIsIgnoredWithTheReason() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.run(.shareQuest(questID: "q-wolves", objectives: wolves), from: 1)
        let cases: [(player: String, quest: String, objective: String, reason: String)] = [
            ("carol", "q-wolves", "wolves", "carol is in no party"),
            ("zed", "q-wolves", "wolves", "zed is in no party"),
            ("bob", "q-bears", "wolves", "the party of bob does not share quest q-bears"),
            ("bob", "q-wolves", "bears", "quest q-wolves has no objective bears"),
        ]
        for (player, quest, objective, reason) in cases {
            let outputs = hub.complete(objective, of: quest, by: player)
            XCTAssertEqual(serviceResults(outputs), [.ignored(reason: reason)])
            XCTAssertEqual(outputs.count, 1, "nothing else happens")
        }
        XCTAssertEqual(hub.party(of: "alice")?.quests.first?.objectives, progress(0, 0))
    }

    func testTheSharerOrTheLeaderAbandonsAQuest() {
        let party = hub.partyOfAlice(joiners: 2)
        hub.run(.shareQuest(questID: "q-bob", objectives: wolves), from: 2)
        hub.run(.shareQuest(questID: "q-carol", objectives: wolves), from: 3)
        XCTAssertEqual(errorCode(hub.run(.abandonQuest(questID: "q-carol"), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.abandonQuest(questID: "q-none"), from: 2)), .notFound)
        XCTAssertEqual(errorCode(hub.run(.abandonQuest(questID: "q-bob"), from: 4)), .notInParty)
        XCTAssertEqual(
            hub.run(.abandonQuest(questID: "q-bob"), from: 2),
            [
                .reply(session(2), rid: 1, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 5, body: .questAbandoned(questID: "q-bob", by: "bob")),
                    recipients: [session(1), session(2), session(3)]),
            ])
        // Carol leaves; her quest stays shared, and the leader may abandon it.
        hub.run(.leave, from: 3)
        XCTAssertEqual(hub.party(of: "alice")?.quests.map(\.questID), ["q-carol"])
        XCTAssertEqual(bodies(hub.run(.abandonQuest(questID: "q-carol"), from: 1)), [.questAbandoned(questID: "q-carol", by: "alice")])
        XCTAssertEqual(hub.party(of: "alice")?.quests, [])
    }

    func testSharedQuestsSurviveARestart() throws {
        _ = hub.partyOfAlice(joiners: 1)
        hub.run(.shareQuest(questID: "q-wolves", objectives: wolves), from: 2)
        hub.complete("wolves", of: "q-wolves", by: "alice", count: 4)
        let restored = try decoded(encoded { hub.hub.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }
        XCTAssertEqual(restored, hub.hub)
        XCTAssertEqual(restored.party(of: "bob")?.quests.first?.objectives, progress(4, 0))
    }
}
