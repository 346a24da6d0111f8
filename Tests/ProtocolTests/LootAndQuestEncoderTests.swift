import Protocol
import XCTest

/// The loot and quest events and the PARTY's `loot_threshold`, `loot_rolls` and `quests`, as
/// exact JSON (field order included), and escaped where their text needs it.
final class LootAndQuestEncoderTests: XCTestCase {
    private func json(_ body: PartyEventBody) -> String {
        ServerMessageEncoder.json(.event(PartyEvent(partyID: "p", seq: 9, body: body)))
    }

    private let crown = DroppedItem(itemID: "crown-1", name: "Crown of \"Kings\"", quality: .epic)
    private let seed = "265c52a09c9a0141e04eea869810ab4d7ae14be86f3d7ae8deca5a03da86d241"
    private let commitment = "80e728ea2d008573d5cfa5ecbd1bfd67c9a65e03fb23d83da5ab304c6fa0e041"

    func testLootEvents() {
        let roll = LootRollSnapshot(
            roll: "roll_7", item: crown, mode: .needGreed, eligible: ["alice", "bob"], expiresAt: 1_763_758_900_000,
            commitment: commitment)
        XCTAssertEqual(
            json(.lootRollStarted(roll)),
            #"{"ev":"party.loot_roll_started","party":"p","seq":9,"roll":"roll_7","item":{"item_id":"crown-1","name":"Crown of \"Kings\"","quality":"epic"},"mode":"NEED_GREED","eligible":["alice","bob"],"expires_at":1763758900000,"commitment":"80e728ea2d008573d5cfa5ecbd1bfd67c9a65e03fb23d83da5ab304c6fa0e041"}"#
        )
        XCTAssertEqual(
            json(.lootChosen(roll: "roll_7", player: "bob", choice: .greed)),
            #"{"ev":"party.loot_chosen","party":"p","seq":9,"roll":"roll_7","player":"bob","choice":"greed"}"#)
        let rolled = LootRollOutcome(
            roll: "roll_7", item: crown, mode: .needGreed, winner: "alice", reason: .need,
            choices: [PlayerLootChoice(player: "alice", choice: .need), PlayerLootChoice(player: "bob", choice: .need)],
            rolls: [ContenderRolls(player: "alice", values: [59, 89]), ContenderRolls(player: "bob", values: [59, 4])], seed: seed,
            commitment: commitment)
        XCTAssertEqual(
            json(.lootRolled(rolled)),
            #"{"ev":"party.loot_rolled","party":"p","seq":9,"roll":"roll_7","item":{"item_id":"crown-1","name":"Crown of \"Kings\"","quality":"epic"},"mode":"NEED_GREED","winner":"alice","reason":"need","choices":{"alice":"need","bob":"need"},"rolls":{"alice":[59,89],"bob":[59,4]},"seed":"265c52a09c9a0141e04eea869810ab4d7ae14be86f3d7ae8deca5a03da86d241","commitment":"80e728ea2d008573d5cfa5ecbd1bfd67c9a65e03fb23d83da5ab304c6fa0e041"}"#
        )
        let nobody = LootRollOutcome(
            roll: "roll_8", item: crown, mode: .freeForAll, winner: nil, reason: .disbanded, seed: seed, commitment: commitment)
        XCTAssertEqual(
            json(.lootRolled(nobody)),
            #"{"ev":"party.loot_rolled","party":"p","seq":9,"roll":"roll_8","item":{"item_id":"crown-1","name":"Crown of \"Kings\"","quality":"epic"},"mode":"FREE_FOR_ALL","winner":null,"reason":"disbanded","choices":{},"rolls":{},"seed":"265c52a09c9a0141e04eea869810ab4d7ae14be86f3d7ae8deca5a03da86d241","commitment":"80e728ea2d008573d5cfa5ecbd1bfd67c9a65e03fb23d83da5ab304c6fa0e041"}"#
        )
        XCTAssertEqual(
            json(.lootChanged(mode: .needGreed, masterLooter: nil, threshold: .rare)),
            #"{"ev":"party.loot_changed","party":"p","seq":9,"loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"rare"}"#)
    }

    func testQuestEvents() {
        let quest = SharedQuestSnapshot(
            questID: "q-wolves", by: "bob",
            objectives: [
                QuestObjectiveProgress(objectiveID: "wolves", required: 5, progress: 0),
                QuestObjectiveProgress(objectiveID: "pelts", required: 2, progress: 0),
            ])
        XCTAssertEqual(
            json(.questShared(quest)),
            #"{"ev":"party.quest_shared","party":"p","seq":9,"quest_id":"q-wolves","by":"bob","objectives":[{"objective_id":"wolves","required":5,"progress":0},{"objective_id":"pelts","required":2,"progress":0}]}"#
        )
        XCTAssertEqual(
            json(.questAbandoned(questID: "q-wolves", by: "alice")),
            #"{"ev":"party.quest_abandoned","party":"p","seq":9,"quest_id":"q-wolves","by":"alice"}"#)
        XCTAssertEqual(
            json(.questProgress(questID: "q-wolves", objectiveID: "wolves", progress: 3, required: 5, by: "carol")),
            #"{"ev":"party.quest_progress","party":"p","seq":9,"quest_id":"q-wolves","objective_id":"wolves","progress":3,"required":5,"by":"carol"}"#
        )
        XCTAssertEqual(
            json(.questCompleted(questID: "q-wolves", members: ["alice", "bob"])),
            #"{"ev":"party.quest_completed","party":"p","seq":9,"quest_id":"q-wolves","members":["alice","bob"]}"#)
    }

    func testAPartyWithOpenRollsAndSharedQuests() {
        let party = PartySnapshot(
            id: "p", inviteCode: "C", leader: "a", members: ["a", "b"], maxMembers: 5, lootThreshold: .legendary,
            lootRolls: [
                LootRollSnapshot(
                    roll: "roll_2", item: DroppedItem(itemID: "i", name: "Ring", quality: .legendary), mode: .needGreed,
                    eligible: ["a", "b"], expiresAt: 70, commitment: "c0", choices: [PlayerLootChoice(player: "b", choice: .pass)]),
                LootRollSnapshot(
                    roll: "roll_3", item: DroppedItem(itemID: "j", name: "Orb", quality: .legendary), mode: .freeForAll,
                    eligible: ["a"], expiresAt: 80, commitment: "c1"),
            ],
            quests: [
                SharedQuestSnapshot(
                    questID: "q", by: "a", objectives: [QuestObjectiveProgress(objectiveID: "o", required: 3, progress: 1)])
            ])
        XCTAssertEqual(
            ServerMessageEncoder.json(.reply(rid: 1, .success(.party(party)))),
            #"{"rid":1,"ok":true,"data":{"party":{"id":"p","invite_code":"C","leader":"a","members":["a","b"],"max_members":5,"seq":0,"created_at":0,"updated_at":0,"status":"forming","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"legendary","open":true,"invite_policy":"members","composition":null,"invites":[],"requests":[],"ready_check":null,"roster":[],"loot_rolls":[{"roll":"roll_2","item":{"item_id":"i","name":"Ring","quality":"legendary"},"mode":"NEED_GREED","eligible":["a","b"],"expires_at":70,"commitment":"c0","choices":{"b":"pass"}},{"roll":"roll_3","item":{"item_id":"j","name":"Orb","quality":"legendary"},"mode":"FREE_FOR_ALL","eligible":["a"],"expires_at":80,"commitment":"c1","choices":{}}],"quests":[{"quest_id":"q","by":"a","objectives":[{"objective_id":"o","required":3,"progress":1}]}]}}}"#
        )
    }

    func testEveryNewEventParsesAsJSONWithHostileText() throws {
        let nasty = "\"\\\u{0}\u{1F}é😀</script>"
        let item = DroppedItem(itemID: nasty, name: nasty, quality: .poor)
        let bodies: [PartyEventBody] = [
            .lootRollStarted(LootRollSnapshot(roll: nasty, item: item, mode: .masterLooter, eligible: [nasty], expiresAt: -1, commitment: nasty)),
            .lootChosen(roll: nasty, player: nasty, choice: .pass),
            .lootRolled(
                LootRollOutcome(
                    roll: nasty, item: item, mode: .personal, winner: nasty, reason: .personal,
                    choices: [PlayerLootChoice(player: nasty, choice: .need)], rolls: [ContenderRolls(player: nasty, values: [1, 100])],
                    seed: nasty, commitment: nasty)),
            .questShared(SharedQuestSnapshot(questID: nasty, by: nasty, objectives: [QuestObjectiveProgress(objectiveID: nasty, required: 1, progress: 0)])),
            .questAbandoned(questID: nasty, by: nasty), .questProgress(questID: nasty, objectiveID: nasty, progress: 1, required: 1, by: nasty),
            .questCompleted(questID: nasty, members: [nasty, nasty]),
        ]
        for body in bodies {
            let text = json(body)
            let value = try JSONParser.parse(Array(text.utf8))
            guard case .object(let members) = value else { return XCTFail(text) }
            XCTAssertEqual(members.first?.0, "ev", text)
        }
    }
}
