import Protocol
import XCTest

@testable import Realtime

/// Loot end to end in the hub: items below the threshold and PERSONAL items go round-robin;
/// NEED_GREED, MASTER_LOOTER and FREE_FOR_ALL rolls open, are decided by their commands, their
/// deadline, members leaving or the party ending; every item ends with exactly one
/// `party.loot_rolled` and one published `party:loot-rolled`, and the values are the ones the
/// revealed seed gives.
final class HubLootTests: XCTestCase {
    private var hub = HubDriver()
    private var timeout: Int64 { hub.configuration.lootRollTimeoutMilliseconds }

    private func item(_ quality: ItemQuality, _ id: String = "sword") -> DroppedItem {
        DroppedItem(itemID: id, name: "Sword of \(quality.rawValue)", quality: quality)
    }

    /// Alice leads, Bob and Carol joined (sessions 1-3); Dave and Erin are signed in (4, 5).
    private func partyOfThree(mode: LootMode = .needGreed, masterLooter: String? = nil) -> PartySnapshot {
        let party = hub.partyOfAlice(joiners: 2)
        if mode != .needGreed { hub.run(.setLoot(mode, masterLooter: masterLooter), from: 1) }
        return party
    }

    /// Drops one item that opens a roll and returns the roll as started.
    private func openRoll(in party: PartySnapshot, _ quality: ItemQuality = .epic, file: StaticString = #filePath, line: UInt = #line)
        -> LootRollSnapshot?
    {
        let started = startedRolls(hub.drop([item(quality)], in: party.id))
        XCTAssertEqual(started.count, 1, "one roll opened", file: file, line: line)
        return started.first
    }

    /// Checks an outcome against its roll: the seed is the one committed to, and the values
    /// and the winner are the ones the seed gives.
    private func assertFair(_ outcome: LootRollOutcome, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(LootFairness.commitment(ofSeed: outcome.seed), outcome.commitment, file: file, line: line)
        XCTAssertTrue(LootFairness.isWellFormedSeed(outcome.seed), file: file, line: line)
        for contender in outcome.rolls {
            for (round, value) in contender.values.enumerated() {
                XCTAssertEqual(
                    value, LootFairness.value(seed: outcome.seed, roll: outcome.roll, player: contender.player, round: round),
                    "\(contender.player) round \(round)", file: file, line: line)
            }
        }
        if !outcome.rolls.isEmpty {
            let contest = LootFairness.contest(seed: outcome.seed, roll: outcome.roll, contenders: outcome.rolls.map(\.player))
            XCTAssertEqual(contest?.winner, outcome.winner, file: file, line: line)
            XCTAssertEqual(contest?.rolls, outcome.rolls, file: file, line: line)
        }
    }

    // MARK: Round robin

    func testItemsBelowTheThresholdGoRoundRobinInJoinOrder() {
        let party = partyOfThree()
        let outputs = hub.drop([item(.poor, "a"), item(.common, "b"), item(.common, "c"), item(.poor, "d")], in: party.id)
        XCTAssertEqual(serviceResults(outputs), [.applied(rolls: ["roll_1", "roll_2", "roll_3", "roll_4"])])
        let outcomes = lootOutcomes(outputs)
        XCTAssertEqual(outcomes.map(\.winner), ["alice", "bob", "carol", "alice"])
        XCTAssertEqual(outcomes.map(\.item.itemID), ["a", "b", "c", "d"])
        XCTAssertEqual(Set(outcomes.map(\.reason)), [.threshold])
        XCTAssertEqual(Set(outcomes.map(\.mode)), [.needGreed])
        XCTAssertTrue(startedRolls(outputs).isEmpty, "nothing below the threshold is rolled for")
        for (index, outcome) in outcomes.enumerated() {
            XCTAssertEqual(outcome.seed, HubDriver.lootSeed(index + 1))
            XCTAssertTrue(outcome.choices.isEmpty && outcome.rolls.isEmpty)
            assertFair(outcome)
        }
        // Each also goes to the outgoing stream, in order.
        XCTAssertEqual(
            hub.lastPublished.map(\.kind),
            outcomes.map { .lootRolled(party: party.id, roll: $0.roll, item: $0.item, winner: $0.winner, reason: "threshold") })
        // At the offsets after the party's own (created, and its members joining).
        let offsets = hub.lastPublished.map(\.offset)
        XCTAssertEqual(offsets, offsets.first.map { Array($0..<($0 + 4)) })
        // The turn carries over to the next drop.
        XCTAssertEqual(lootOutcomes(hub.drop([item(.common)], in: party.id)).map(\.winner), ["bob"])
        XCTAssertEqual(hub.party(of: "alice")?.lootRolls, [])
    }

    func testTheTurnStaysWithTheSameMemberWhenOthersLeave() {
        let party = partyOfThree()
        hub.join(party, from: 4)
        XCTAssertEqual(lootOutcomes(hub.drop([item(.poor)], in: party.id)).map(\.winner), ["alice"])
        // Bob's turn: Alice, before him, leaves; it is still Bob's.
        hub.run(.leave, from: 1)
        XCTAssertEqual(lootOutcomes(hub.drop([item(.poor)], in: party.id)).map(\.winner), ["bob"])
        // Carol's turn: Carol herself leaves; it passes to Dave, after her.
        hub.run(.leave, from: 3)
        XCTAssertEqual(lootOutcomes(hub.drop([item(.poor), item(.poor)], in: party.id)).map(\.winner), ["dave", "bob"])
    }

    func testPersonalGivesEveryItemInTurnWhateverItsQuality() {
        let party = partyOfThree(mode: .personal)
        let outcomes = lootOutcomes(hub.drop([item(.legendary), item(.poor), item(.rare)], in: party.id))
        XCTAssertEqual(outcomes.map(\.winner), ["alice", "bob", "carol"])
        XCTAssertEqual(Set(outcomes.map(\.reason)), [.personal])
        XCTAssertEqual(Set(outcomes.map(\.mode)), [.personal])
    }

    func testTheThresholdIsSetWithTheLootModeAndKeptWhenNotGiven() {
        let party = partyOfThree()
        let outputs = hub.run(.setLoot(.needGreed, masterLooter: nil, threshold: .epic), from: 1)
        XCTAssertEqual(bodies(outputs), [.lootChanged(mode: .needGreed, masterLooter: nil, threshold: .epic)])
        XCTAssertEqual(hub.party(of: "bob")?.lootThreshold, .epic)
        XCTAssertEqual(lootOutcomes(hub.drop([item(.rare)], in: party.id)).map(\.reason), [.threshold])
        XCTAssertEqual(startedRolls(hub.drop([item(.epic)], in: party.id)).count, 1, "an item at the threshold is rolled for")
        XCTAssertEqual(
            bodies(hub.run(.setLoot(.freeForAll, masterLooter: nil), from: 1)),
            [.lootChanged(mode: .freeForAll, masterLooter: nil, threshold: .epic)])
        XCTAssertEqual(errorCode(hub.run(.setLoot(.needGreed, masterLooter: nil, threshold: .poor), from: 2)), .notLeader)
    }

    // MARK: NEED_GREED

    func testNeedGreedEndsWhenEveryoneHasChosenAndTheNeedChoosersRoll() throws {
        let party = partyOfThree()
        let outputs = hub.drop([item(.epic)], in: party.id)
        XCTAssertEqual(serviceResults(outputs), [.applied(rolls: ["roll_1"])])
        let seed = HubDriver.lootSeed(1)
        let started = LootRollSnapshot(
            roll: "roll_1", item: item(.epic), mode: .needGreed, eligible: ["alice", "bob", "carol"], expiresAt: hub.now + timeout,
            commitment: LootFairness.commitment(ofSeed: seed))
        XCTAssertEqual(Array(outputs.dropFirst()), [.event(PartyEvent(partyID: party.id, seq: 3, body: .lootRollStarted(started)), recipients: [session(1), session(2), session(3)])])
        XCTAssertEqual(hub.party(of: "alice")?.lootRolls, [started])

        XCTAssertEqual(
            hub.run(.chooseLoot(roll: "roll_1", choice: .need), from: 1, rid: 7),
            [
                .reply(session(1), rid: 7, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 4, body: .lootChosen(roll: "roll_1", player: "alice", choice: .need)),
                    recipients: [session(1), session(2), session(3)]),
            ])
        hub.run(.chooseLoot(roll: "roll_1", choice: .greed), from: 2)
        XCTAssertEqual(
            hub.party(of: "carol")?.lootRolls.first?.choices,
            [PlayerLootChoice(player: "alice", choice: .need), PlayerLootChoice(player: "bob", choice: .greed)])
        let last = hub.run(.chooseLoot(roll: "roll_1", choice: .need), from: 3)
        XCTAssertEqual(bodies(last).count, 2, "carol's choice, then the result")
        let outcome = try XCTUnwrap(lootOutcomes(last).first)
        XCTAssertEqual(outcome.reason, .need)
        XCTAssertEqual(outcome.rolls.map(\.player), ["alice", "carol"], "the need choosers roll; bob's greed does not count")
        XCTAssertEqual(
            outcome.choices,
            [
                PlayerLootChoice(player: "alice", choice: .need), PlayerLootChoice(player: "bob", choice: .greed),
                PlayerLootChoice(player: "carol", choice: .need),
            ])
        XCTAssertEqual(outcome.seed, seed)
        XCTAssertEqual(outcome.commitment, started.commitment)
        assertFair(outcome)
        XCTAssertEqual(
            hub.lastPublished.map(\.kind),
            [.lootRolled(party: party.id, roll: "roll_1", item: item(.epic), winner: outcome.winner, reason: "need")])
        XCTAssertEqual(hub.party(of: "alice")?.lootRolls, [])
        XCTAssertEqual(errorCode(hub.run(.chooseLoot(roll: "roll_1", choice: .pass), from: 1)), .rollClosed)
        // The deadline that was set finds nothing to do.
        XCTAssertEqual(hub.tick(after: timeout), [])
    }

    func testAtTheDeadlineSilenceIsPassAndGreedWinsWithoutNeed() throws {
        let party = partyOfThree()
        let roll = try XCTUnwrap(openRoll(in: party))
        hub.run(.chooseLoot(roll: roll.roll, choice: .greed), from: 2)
        hub.run(.chooseLoot(roll: roll.roll, choice: .pass), from: 3)
        XCTAssertEqual(hub.tick(after: timeout - 1), [], "not before expires_at")
        let outputs = hub.tick(after: 1)
        XCTAssertEqual(hub.now, roll.expiresAt)
        let outcome = try XCTUnwrap(lootOutcomes(outputs).first)
        XCTAssertEqual(outcome.winner, "bob")
        XCTAssertEqual(outcome.reason, .greed)
        XCTAssertEqual(outcome.rolls.map(\.player), ["bob"])
        XCTAssertEqual(outcome.rolls.first?.values.count, 1, "a lone contender still rolls once")
        XCTAssertEqual(
            outcome.choices, [PlayerLootChoice(player: "bob", choice: .greed), PlayerLootChoice(player: "carol", choice: .pass)])
        assertFair(outcome)
        XCTAssertEqual(lootRolledPublished().count, 1)
    }

    func testEveryonePassingEndsWithNobody() throws {
        let party = partyOfThree()
        let roll = try XCTUnwrap(openRoll(in: party))
        hub.run(.chooseLoot(roll: roll.roll, choice: .pass), from: 1)
        hub.run(.chooseLoot(roll: roll.roll, choice: .pass), from: 2)
        let outcome = try XCTUnwrap(lootOutcomes(hub.run(.chooseLoot(roll: roll.roll, choice: .pass), from: 3)).first)
        XCTAssertNil(outcome.winner)
        XCTAssertEqual(outcome.reason, .nobody)
        XCTAssertEqual(outcome.rolls, [])
        XCTAssertEqual(outcome.choices.map(\.choice), [.pass, .pass, .pass])
    }

    func testNobodyChoosingBeforeTheDeadlineEndsWithNobody() throws {
        let party = partyOfThree()
        _ = try XCTUnwrap(openRoll(in: party))
        let outcome = try XCTUnwrap(lootOutcomes(hub.tick(after: timeout)).first)
        XCTAssertNil(outcome.winner)
        XCTAssertEqual(outcome.reason, .nobody)
        XCTAssertEqual(outcome.choices, [])
    }

    /// The seed and commitment of docs/PROTOCOL.md's worked example (ProtocolTests'
    /// `LootFairnessTests` recomputes its every number).
    static let exampleSeed = "265c52a09c9a0141e04eea869810ab4d7ae14be86f3d7ae8deca5a03da86d241"
    static let exampleCommitment = "80e728ea2d008573d5cfa5ecbd1bfd67c9a65e03fb23d83da5ab304c6fa0e041"

    /// The worked example of docs/PROTOCOL.md, through the hub: alice and bob both need
    /// roll_7, tie at 59 and roll again (89 to 4).
    func testTiedContendersRollAgainUntilOneIsAhead() throws {
        let party = hub.partyOfAlice(joiners: 1)
        let seed = Self.exampleSeed
        let items = (1...6).map { item(.poor, "junk-\($0)") } + [item(.epic, "crown")]
        let seeds = (1...6).map(HubDriver.lootSeed) + [seed]
        let outputs = hub.deliver(
            [IncomingServiceEvent(eventID: "boss-kill", body: .lootDropped(party: party.id, items: items, source: "boss"))],
            lootSeeds: seeds)
        XCTAssertEqual(serviceResults(outputs), [.applied(rolls: (1...7).map { "roll_\($0)" })])
        XCTAssertEqual(startedRolls(outputs).map(\.roll), ["roll_7"])
        XCTAssertEqual(startedRolls(outputs).first?.commitment, Self.exampleCommitment)
        hub.run(.chooseLoot(roll: "roll_7", choice: .need), from: 2)
        let outcome = try XCTUnwrap(lootOutcomes(hub.run(.chooseLoot(roll: "roll_7", choice: .need), from: 1)).first)
        XCTAssertEqual(outcome.winner, "alice")
        XCTAssertEqual(outcome.reason, .need)
        XCTAssertEqual(
            outcome.rolls, [ContenderRolls(player: "alice", values: [59, 89]), ContenderRolls(player: "bob", values: [59, 4])])
        XCTAssertEqual(outcome.seed, seed)
        assertFair(outcome)
    }

    func testChoosingIsForEligibleMembersOnceOnAnOpenNeedGreedRoll() throws {
        let party = partyOfThree()
        let roll = try XCTUnwrap(openRoll(in: party))
        // Dave joins after the drop: not eligible.
        hub.join(party, from: 4)
        XCTAssertEqual(replyError(hub.run(.chooseLoot(roll: roll.roll, choice: .need), from: 4))?.code, .notEligible)
        XCTAssertEqual(errorCode(hub.run(.chooseLoot(roll: "roll_99", choice: .need), from: 1)), .notFound)
        XCTAssertEqual(errorCode(hub.run(.chooseLoot(roll: roll.roll, choice: .need), from: 5)), .notInParty)
        XCTAssertEqual(errorCode(hub.run(.claimLoot(roll: roll.roll), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(hub.run(.assignLoot(roll: roll.roll, player: "bob"), from: 1)), .invalidMessage)
        hub.run(.chooseLoot(roll: roll.roll, choice: .greed), from: 1)
        let again = hub.run(.chooseLoot(roll: roll.roll, choice: .need), from: 1)
        XCTAssertEqual(errorCode(again), .invalidMessage)
        XCTAssertEqual(replyError(again)?.message, "you already chose greed for roll_1")
        // A repeat under the same idem key is answered again, and chooses nothing more.
        let first = hub.run(.chooseLoot(roll: roll.roll, choice: .pass), from: 2, idem: "choose-1")
        XCTAssertEqual(bodies(first), [.lootChosen(roll: roll.roll, player: "bob", choice: .pass)])
        XCTAssertEqual(hub.run(.chooseLoot(roll: roll.roll, choice: .pass), from: 2, idem: "choose-1"), [.reply(session(2), rid: 1, .success(.empty))])
    }

    /// Another party's roll is not found in this one.
    func testARollOfAnotherPartyIsNotFound() throws {
        let party = partyOfThree()
        let roll = try XCTUnwrap(openRoll(in: party))
        let other = hub.createParty(from: 4)
        XCTAssertFalse(other.id.isEmpty)
        XCTAssertEqual(errorCode(hub.run(.chooseLoot(roll: roll.roll, choice: .need), from: 4)), .notFound)
    }

    func testAMemberWhoLeavesDropsOutAndARollWaitingOnlyForThemEnds() throws {
        let party = partyOfThree()
        let roll = try XCTUnwrap(openRoll(in: party))
        hub.run(.chooseLoot(roll: roll.roll, choice: .greed), from: 1)
        hub.run(.chooseLoot(roll: roll.roll, choice: .need), from: 3)
        // Carol, the only one who chose need, leaves: she drops out; bob has not chosen yet.
        XCTAssertEqual(bodies(hub.run(.leave, from: 3)), [.memberLeft(player: "carol", reason: .left)])
        XCTAssertEqual(hub.party(of: "alice")?.lootRolls.first?.eligible, ["alice", "bob"])
        // Bob, the last one awaited, leaves: the roll ends after his member_left, alice's greed wins.
        let outputs = hub.run(.leave, from: 2)
        XCTAssertEqual(bodies(outputs).first, .memberLeft(player: "bob", reason: .left))
        let outcome = try XCTUnwrap(lootOutcomes(outputs).first)
        XCTAssertEqual(outcome.winner, "alice")
        XCTAssertEqual(outcome.reason, .greed)
        XCTAssertEqual(outcome.choices, [PlayerLootChoice(player: "alice", choice: .greed)])
        assertFair(outcome)
        XCTAssertEqual(lootRolledPublished().count, 1)
    }

    func testAnOfflineMemberStaysEligibleUntilTheirGraceEnds() throws {
        let party = partyOfThree()
        let roll = try XCTUnwrap(openRoll(in: party))
        hub.close(session: 2)
        XCTAssertEqual(hub.party(of: "alice")?.lootRolls.first?.eligible, ["alice", "bob", "carol"])
        hub.run(.chooseLoot(roll: roll.roll, choice: .pass), from: 1)
        hub.run(.chooseLoot(roll: roll.roll, choice: .pass), from: 3)
        XCTAssertEqual(hub.party(of: "alice")?.lootRolls.count, 1, "still waiting for bob, offline")
    }

    // MARK: MASTER_LOOTER

    func testTheMasterLooterAssignsTheItemToAnEligibleMember() throws {
        let party = partyOfThree(mode: .masterLooter, masterLooter: "bob")
        let roll = try XCTUnwrap(openRoll(in: party))
        XCTAssertEqual(roll.mode, .masterLooter)
        hub.join(party, from: 4)
        XCTAssertEqual(errorCode(hub.run(.assignLoot(roll: roll.roll, player: "carol"), from: 1)), .notMasterLooter)
        XCTAssertEqual(errorCode(hub.run(.assignLoot(roll: roll.roll, player: "dave"), from: 2)), .notEligible)
        XCTAssertEqual(errorCode(hub.run(.assignLoot(roll: roll.roll, player: "nobody at all"), from: 2)), .notEligible)
        XCTAssertEqual(errorCode(hub.run(.chooseLoot(roll: roll.roll, choice: .need), from: 3)), .invalidMessage)
        let outputs = hub.run(.assignLoot(roll: roll.roll, player: "carol"), from: 2)
        let outcome = try XCTUnwrap(lootOutcomes(outputs).first)
        XCTAssertEqual(outcome.winner, "carol")
        XCTAssertEqual(outcome.reason, .assigned)
        XCTAssertEqual(outcome.mode, .masterLooter)
        XCTAssertEqual(outcome.choices, [])
        XCTAssertEqual(outcome.rolls, [])
        assertFair(outcome)
        XCTAssertEqual(errorCode(hub.run(.assignLoot(roll: roll.roll, player: "carol"), from: 2)), .rollClosed)
    }

    func testAtTheDeadlineTheMasterLooterKeepsTheItem() throws {
        let party = partyOfThree(mode: .masterLooter, masterLooter: "bob")
        _ = try XCTUnwrap(openRoll(in: party))
        let outcome = try XCTUnwrap(lootOutcomes(hub.tick(after: timeout)).first)
        XCTAssertEqual(outcome.winner, "bob")
        XCTAssertEqual(outcome.reason, .timeout)
    }

    func testANewMasterLooterInheritsOpenRolls() throws {
        let party = partyOfThree(mode: .masterLooter, masterLooter: "bob")
        let first = try XCTUnwrap(openRoll(in: party))
        let second = try XCTUnwrap(openRoll(in: party))
        // Bob leaves: the leader, alice, becomes the master looter and decides his rolls.
        XCTAssertEqual(
            bodies(hub.run(.leave, from: 2)),
            [.memberLeft(player: "bob", reason: .left), .lootChanged(mode: .masterLooter, masterLooter: "alice")])
        XCTAssertEqual(errorCode(hub.run(.assignLoot(roll: first.roll, player: "bob"), from: 1)), .notEligible, "bob dropped out")
        XCTAssertEqual(lootOutcomes(hub.run(.assignLoot(roll: first.roll, player: "carol"), from: 1)).map(\.winner), ["carol"])
        let outcome = try XCTUnwrap(lootOutcomes(hub.tick(after: timeout)).first)
        XCTAssertEqual(outcome.roll, second.roll)
        XCTAssertEqual(outcome.winner, "alice", "at the deadline the new master looter keeps it")
        XCTAssertEqual(outcome.reason, .timeout)
    }

    func testARollKeepsItsModeAndTheLeaderDecidesItOnceThePartyHasNoMasterLooter() throws {
        let party = partyOfThree(mode: .masterLooter, masterLooter: "bob")
        let roll = try XCTUnwrap(openRoll(in: party))
        hub.run(.setLoot(.needGreed, masterLooter: nil), from: 1)
        XCTAssertEqual(hub.party(of: "alice")?.lootRolls.first?.mode, .masterLooter)
        XCTAssertEqual(errorCode(hub.run(.assignLoot(roll: roll.roll, player: "carol"), from: 2)), .notMasterLooter)
        XCTAssertEqual(lootOutcomes(hub.run(.assignLoot(roll: roll.roll, player: "bob"), from: 1)).map(\.winner), ["bob"])
    }

    // MARK: FREE_FOR_ALL

    func testTheFirstEligibleMemberToClaimWins() throws {
        let party = partyOfThree(mode: .freeForAll)
        let roll = try XCTUnwrap(openRoll(in: party))
        XCTAssertEqual(roll.mode, .freeForAll)
        hub.join(party, from: 4)
        XCTAssertEqual(errorCode(hub.run(.claimLoot(roll: roll.roll), from: 4)), .notEligible)
        let outcome = try XCTUnwrap(lootOutcomes(hub.run(.claimLoot(roll: roll.roll), from: 3)).first)
        XCTAssertEqual(outcome.winner, "carol")
        XCTAssertEqual(outcome.reason, .claimed)
        XCTAssertEqual(errorCode(hub.run(.claimLoot(roll: roll.roll), from: 2)), .rollClosed)
    }

    func testAFreeForAllRollNobodyClaimsEndsWithNobody() throws {
        let party = partyOfThree(mode: .freeForAll)
        _ = try XCTUnwrap(openRoll(in: party))
        let outcome = try XCTUnwrap(lootOutcomes(hub.tick(after: timeout)).first)
        XCTAssertNil(outcome.winner)
        XCTAssertEqual(outcome.reason, .nobody)
    }

    func testAFreeForAllRollNobodyMayClaimAnyMoreEndsThen() throws {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.setLoot(.freeForAll, masterLooter: nil), from: 1)
        _ = try XCTUnwrap(openRoll(in: party))
        hub.join(party, from: 3)
        hub.run(.leave, from: 2)
        // Alice, the last eligible member, leaves; carol (joined after the drop) stays.
        let outputs = hub.run(.leave, from: 1)
        XCTAssertEqual(lootOutcomes(outputs).map(\.reason), [.nobody])
    }

    // MARK: The party ending

    func testDisbandingEndsOpenRollsBeforeTheParty() throws {
        let party = partyOfThree()
        let first = try XCTUnwrap(openRoll(in: party))
        hub.run(.setLoot(.freeForAll, masterLooter: nil), from: 1)
        let second = try XCTUnwrap(openRoll(in: party))
        hub.run(.chooseLoot(roll: first.roll, choice: .need), from: 2)
        let outputs = hub.run(.disband, from: 1)
        let ended = bodies(outputs)
        XCTAssertEqual(ended.count, 3)
        XCTAssertEqual(ended.last, .disbanded(by: "alice"))
        let outcomes = lootOutcomes(outputs)
        XCTAssertEqual(outcomes.map(\.roll), [first.roll, second.roll])
        XCTAssertEqual(outcomes.map(\.winner), [nil, nil])
        XCTAssertEqual(Set(outcomes.map(\.reason)), [.disbanded])
        XCTAssertEqual(outcomes.first?.choices, [PlayerLootChoice(player: "bob", choice: .need)])
        XCTAssertEqual(lootRolledPublished().count, 2)
        // The deadlines find nothing.
        XCTAssertEqual(hub.tick(after: timeout), [])
    }

    func testTheLastMemberLeavingEndsOpenRolls() throws {
        hub.open("alice", session: 1)
        let party = hub.createParty(from: 1)
        _ = try XCTUnwrap(openRoll(in: party))
        let outputs = hub.run(.leave, from: 1, rid: nil)
        XCTAssertEqual(bodies(outputs).first, .memberLeft(player: "alice", reason: .left))
        XCTAssertEqual(lootOutcomes(outputs).map(\.reason), [.disbanded])
        // The leaver got their member_left; what follows goes to nobody.
        XCTAssertEqual(events(outputs).map(\.recipients), [[session(1)], []])
        XCTAssertEqual(lootRolledPublished().count, 1)
        XCTAssertEqual(hub.partyCount, 0)
    }

    // MARK: Restarts

    func testOpenRollsSurviveARestartAndEndAtTheirOriginalDeadline() throws {
        let party = partyOfThree(mode: .freeForAll)
        let roll = try XCTUnwrap(openRoll(in: party))
        hub.tick(after: 1000)
        let restored = try decoded(encoded { hub.hub.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }
        XCTAssertEqual(restored, hub.hub)
        XCTAssertEqual(restored.nextDeadline, roll.expiresAt)
        var outputs: [HubOutput] = []
        var live = restored
        live.apply(.tick(now: roll.expiresAt), into: &outputs)
        XCTAssertEqual(lootOutcomes(outputs).map(\.reason), [.nobody])
        XCTAssertEqual(outputs.filter { !$0.isPublished }, hub.apply(.tick(now: roll.expiresAt)))
    }

    /// The `party:loot-rolled` events the last input published (membership publishes its own).
    private func lootRolledPublished() -> [PublishedEvent] {
        hub.lastPublished.filter { if case .lootRolled = $0.kind { return true } else { return false } }
    }
}
