import Protocol
import XCTest

/// The loot and quest commands, and `party.set_loot`'s threshold, decode from their JSON; a
/// field missing, of the wrong type or out of range is `invalid_message` with a message that
/// says what the command needs, and the `rid` is kept.
final class LootAndQuestDecoderTests: XCTestCase {
    private func decode(_ text: String) -> ClientMessageDecoder.Result { ClientMessageDecoder.decode(Array(text.utf8)) }

    private func assertRequest(_ text: String, _ command: PartyCommand, idem: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(decode(text), .request(ClientRequest(rid: 3, command: command, idem: idem)), text, file: file, line: line)
    }

    private func assertRefused(_ text: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(decode(text), .failure(rid: 3, PartyError(.invalidMessage, message)), text, file: file, line: line)
    }

    func testSetLootTakesAnOptionalThreshold() {
        assertRequest(
            #"{"op":"party.set_loot","loot_mode":"NEED_GREED","threshold":"epic","rid":3}"#,
            .setLoot(.needGreed, masterLooter: nil, threshold: .epic))
        assertRequest(#"{"op":"party.set_loot","loot_mode":"PERSONAL","threshold":null,"rid":3}"#, .setLoot(.personal, masterLooter: nil))
        for quality in ItemQuality.allCases {
            assertRequest(
                #"{"op":"party.set_loot","loot_mode":"MASTER_LOOTER","master_looter":"bob","threshold":"\#(quality.rawValue)","rid":3}"#,
                .setLoot(.masterLooter, masterLooter: "bob", threshold: quality))
        }
        let needs =
            "party.set_loot needs loot_mode (NEED_GREED, PERSONAL, MASTER_LOOTER, FREE_FOR_ALL), an optional master_looter and an optional threshold (poor, common, uncommon, rare, epic, legendary)"
        assertRefused(#"{"op":"party.set_loot","loot_mode":"NEED_GREED","threshold":"Epic","rid":3}"#, needs)
        assertRefused(#"{"op":"party.set_loot","loot_mode":"NEED_GREED","threshold":3,"rid":3}"#, needs)
    }

    func testLootChooseNeedsARollAndAChoice() {
        for choice in LootChoice.allCases {
            assertRequest(
                #"{"op":"loot.choose","roll":"roll_1","choice":"\#(choice.rawValue)","rid":3}"#, .chooseLoot(roll: "roll_1", choice: choice))
        }
        assertRequest(
            #"{"idem":"k","choice":"need","rid":3,"roll":"roll_\u0032","op":"loot.choose"}"#, .chooseLoot(roll: "roll_2", choice: .need),
            idem: "k")
        let needs = "loot.choose needs roll (a string) and choice (need, greed or pass)"
        for text in [
            #"{"op":"loot.choose","choice":"need","rid":3}"#, #"{"op":"loot.choose","roll":"roll_1","rid":3}"#,
            #"{"op":"loot.choose","roll":"roll_1","choice":"NEED","rid":3}"#, #"{"op":"loot.choose","roll":1,"choice":"need","rid":3}"#,
            #"{"op":"loot.choose","roll":null,"choice":"need","rid":3}"#, #"{"op":"loot.choose","roll":"roll_1","choice":true,"rid":3}"#,
        ] {
            assertRefused(text, needs)
        }
    }

    func testLootAssignNeedsARollAndAPlayerAndLootClaimARoll() {
        assertRequest(#"{"op":"loot.assign","roll":"roll_4","player":"carol","rid":3}"#, .assignLoot(roll: "roll_4", player: "carol"))
        assertRefused(#"{"op":"loot.assign","roll":"roll_4","rid":3}"#, "loot.assign needs roll (a string) and player (a string)")
        assertRefused(#"{"op":"loot.assign","player":"carol","rid":3}"#, "loot.assign needs roll (a string) and player (a string)")
        assertRequest(#"{"op":"loot.claim","roll":"roll_5","rid":3}"#, .claimLoot(roll: "roll_5"))
        assertRefused(#"{"op":"loot.claim","roll":["roll_5"],"rid":3}"#, "loot.claim needs roll (a string)")
        assertRefused(#"{"op":"loot.claim","rid":3}"#, "loot.claim needs roll (a string)")
    }

    func testQuestShareTakesItsObjectives() {
        assertRequest(
            #"{"op":"quest.share","quest_id":"q-wolves","objectives":[{"objective_id":"wolves","required":10},{"required":1,"note":{"x":[1]},"objective_id":"pelts"}],"rid":3}"#,
            .shareQuest(
                questID: "q-wolves",
                objectives: [QuestObjective(objectiveID: "wolves", required: 10), QuestObjective(objectiveID: "pelts", required: 1)]))
        let twenty = (1...20).map { #"{"objective_id":"o\#($0)","required":1000000}"# }.joined(separator: ",")
        guard case .request(let request) = decode(#"{"op":"quest.share","quest_id":"q","objectives":[\#(twenty)],"rid":3}"#),
            case .shareQuest(_, let objectives) = request.command
        else { return XCTFail("twenty objectives are allowed") }
        XCTAssertEqual(objectives.count, 20)
    }

    func testQuestShareOutsideItsShapeOrLimitsIsRefused() {
        let shape = #"quest.share needs quest_id (a string) and objectives: 1-20 of {"objective_id":"...","required":N}"#
        for text in [
            #"{"op":"quest.share","objectives":[{"objective_id":"o","required":1}],"rid":3}"#,
            #"{"op":"quest.share","quest_id":"q","rid":3}"#, #"{"op":"quest.share","quest_id":"q","objectives":null,"rid":3}"#,
            #"{"op":"quest.share","quest_id":"q","objectives":{"objective_id":"o","required":1},"rid":3}"#,
            #"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":"o"}],"rid":3}"#,
            #"{"op":"quest.share","quest_id":"q","objectives":[{"required":1}],"rid":3}"#,
            #"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":1,"required":1}],"rid":3}"#,
            #"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":"o","required":"1"}],"rid":3}"#,
            #"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":"o","required":1.5}],"rid":3}"#,
            #"{"op":"quest.share","quest_id":"q","objectives":["o"],"rid":3}"#,
        ] {
            assertRefused(text, shape)
        }
        let many = (1...21).map { #"{"objective_id":"o\#($0)","required":1}"# }.joined(separator: ",")
        let long = String(repeating: "é", count: 65)
        let cases: [(String, String)] = [
            (#"{"op":"quest.share","quest_id":"q","objectives":[],"rid":3}"#, "a quest needs 1-20 objectives"),
            (#"{"op":"quest.share","quest_id":"q","objectives":[\#(many)],"rid":3}"#, "a quest needs 1-20 objectives"),
            (#"{"op":"quest.share","quest_id":"","objectives":[{"objective_id":"o","required":1}],"rid":3}"#, "quest_id must be 1-64 characters"),
            (#"{"op":"quest.share","quest_id":"\#(long)","objectives":[{"objective_id":"o","required":1}],"rid":3}"#, "quest_id must be 1-64 characters"),
            (#"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":"","required":1}],"rid":3}"#, "objective_id must be 1-64 characters"),
            (#"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":"o","required":0}],"rid":3}"#, "required must be 1-1000000"),
            (#"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":"o","required":1000001}],"rid":3}"#, "required must be 1-1000000"),
            (
                #"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":"o","required":99999999999999999999}],"rid":3}"#,
                #"quest.share needs quest_id (a string) and objectives: 1-20 of {"objective_id":"...","required":N}"#
            ),
            (
                #"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":"o","required":1},{"objective_id":"o","required":2}],"rid":3}"#,
                #"objective_id "o" is repeated"#
            ),
        ]
        for (text, problem) in cases {
            let message = problem.hasPrefix("quest.share") ? problem : "quest.share: \(problem)"
            assertRefused(text, message)
        }
        // 64 scalars of 2 bytes each is fine.
        let sixtyFour = String(repeating: "é", count: 64)
        assertRequest(
            #"{"op":"quest.share","quest_id":"\#(sixtyFour)","objectives":[{"objective_id":"o","required":1}],"rid":3}"#,
            .shareQuest(questID: sixtyFour, objectives: [QuestObjective(objectiveID: "o", required: 1)]))
    }

    func testQuestAbandonNeedsAQuestID() {
        assertRequest(#"{"op":"quest.abandon","quest_id":"q-wolves","rid":3}"#, .abandonQuest(questID: "q-wolves"))
        assertRefused(#"{"op":"quest.abandon","rid":3}"#, "quest.abandon needs quest_id (a string)")
        assertRefused(#"{"op":"quest.abandon","quest_id":7,"rid":3}"#, "quest.abandon needs quest_id (a string)")
    }

    func testMalformedJSONInsideObjectivesIsMalformedJSON() {
        guard case .failure(nil, let error) = decode(#"{"op":"quest.share","quest_id":"q","objectives":[{"objective_id":"o",}],"rid":3}"#)
        else { return XCTFail("accepted") }
        XCTAssertEqual(error.code, .invalidMessage)
        XCTAssertTrue(error.message.hasPrefix("malformed JSON"), error.message)
    }
}
