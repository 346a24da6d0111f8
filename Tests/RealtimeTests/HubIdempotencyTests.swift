import Protocol
import XCTest

@testable import Realtime

/// `idem` keys (a repeated command gets its first answer and has no second effect), signals,
/// and the signal and command rate limits.
final class HubIdempotencyTests: XCTestCase {
    private var hub = HubDriver()

    // MARK: idem

    func testARepeatedKeyGetsTheFirstReplyAndHasNoSecondEffect() {
        let party = hub.partyOfAlice(joiners: 1)
        let first = hub.run(.chat(text: "pull"), from: 1, rid: 1, idem: "k1")
        XCTAssertEqual(events(first).count, 1)
        hub.now += 5
        let again = hub.run(.chat(text: "pull"), from: 1, rid: 2, idem: "k1")
        XCTAssertEqual(again, [.reply(session(1), rid: 2, .success(.empty))], "the reply to the new rid, no event")
        XCTAssertEqual(hub.seq(ofParty: party.id), 2)
        XCTAssertEqual(events(hub.run(.chat(text: "pull"), from: 1, idem: "k2")).count, 1, "another key is another command")
    }

    func testARepeatedCreateGivesTheSamePartyAndCreatesNoOther() {
        hub.open("alice", session: 1)
        hub.open("alice", session: 11)
        let first = hub.run(.create(), from: 1, idem: "make-party")
        XCTAssertEqual(hub.run(.create(), from: 11, rid: 5, idem: "make-party"), [.reply(session(11), rid: 5, replies(first)[0].result)],
            "the key is the player's, on any connection")
        XCTAssertEqual(hub.partyCount, 1)
    }

    func testARepeatedFailureIsAnsweredAgainWithoutARetry() {
        let party = hub.partyOfAlice(joiners: 1, maxMembers: 2)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 3, idem: "j")), .partyFull)
        hub.run(.leave, from: 2)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 3, idem: "j")), .partyFull, "the first answer")
        XCTAssertNil(hub.party(of: "carol"))
        XCTAssertNotNil(replyData(hub.join(party, from: 3)), "without the key it is a new command")
    }

    func testAKeyUsedForAnotherOperationIsInvalidMessage() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.run(.chat(text: "a"), from: 2, idem: "same")
        let error = replyError(hub.run(.leave, from: 2, idem: "same"))
        XCTAssertEqual(error?.code, .invalidMessage)
        XCTAssertTrue(error?.message.contains("party.chat") ?? false, error?.message ?? "")
        XCTAssertNotNil(hub.party(of: "bob"), "the leave did not happen")
        XCTAssertEqual(replyData(hub.run(.chat(text: "a"), from: 2, idem: "same")), .empty, "the key still answers its op")
    }

    func testKeysArePerPlayer() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.chat(text: "a"), from: 1, idem: "same")
        XCTAssertEqual(events(hub.run(.chat(text: "b"), from: 2, idem: "same")).count, 1)
        XCTAssertEqual(hub.seq(ofParty: party.id), 3)
    }

    func testReadOnlyOperationsAreNotRemembered() {
        let party = hub.partyOfAlice(joiners: 1)
        guard case .party(let before)? = replyData(hub.run(.get, from: 2, idem: "r")) else { return XCTFail("no party") }
        hub.run(.chat(text: "news"), from: 1)
        guard case .party(let after)? = replyData(hub.run(.get, from: 2, idem: "r")) else { return XCTFail("no party") }
        XCTAssertEqual(after.seq, before.seq + 1, "the get ran again")
        XCTAssertEqual(historySeqs(hub.run(.history(beforeSeq: nil, limit: 1), from: 2, idem: "r")), [2])
        XCTAssertEqual(replyData(hub.run(.resume(party: party.id, afterSeq: 2), from: 2, idem: "r")), .resumed(replayed: 0, seq: 2))
        // A read never took the key, so a command may.
        XCTAssertEqual(bodies(hub.run(.leave, from: 2, idem: "r")), [.memberLeft(player: "bob", reason: .left)])
    }

    func testARateLimitedReplyIsNotRemembered() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.chatBurst = 1; $0.chatRatePerSecond = 1 })
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.chat(text: "first"), from: 1)
        XCTAssertEqual(errorCode(hub.run(.chat(text: "second"), from: 1, idem: "c")), .rateLimited)
        hub.now += 1000
        XCTAssertEqual(bodies(hub.run(.chat(text: "second"), from: 1, idem: "c")).count, 1, "the retry is carried out")
        XCTAssertEqual(hub.seq(ofParty: party.id), 3)
    }

    func testAnInternalErrorIsNotRememberedEither() {
        let party = hub.partyOfAlice(joiners: 0)
        XCTAssertEqual(errorCode(hub.run(.regenerateCode, from: 1, idem: "r", drawingSeed: false)), .internalError)
        XCTAssertEqual(bodies(hub.run(.regenerateCode, from: 1, idem: "r")).count, 1, "the retry with a seed is carried out")
        XCTAssertNotEqual(hub.party(of: "alice")?.inviteCode, party.inviteCode)
    }

    func testTheOldestKeysAreForgottenBeyondTheConfiguredCount() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.idempotencyKeys = 2 })
        let party = hub.partyOfAlice(joiners: 1)
        for key in ["a", "b", "c"] { hub.run(.chat(text: key), from: 1, idem: key) }
        XCTAssertEqual(bodies(hub.run(.chat(text: "c"), from: 1, idem: "c")).count, 0, "remembered")
        XCTAssertEqual(bodies(hub.run(.chat(text: "a"), from: 1, idem: "a")).count, 1, "forgotten")
        XCTAssertEqual(hub.seq(ofParty: party.id), 5)
    }

    func testAnErrorNeverEchoesALongClientString() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.commandRatePerSecond = 0 })
        _ = hub.partyOfAlice(joiners: 1)
        let name = String(repeating: "x", count: 60_000)
        for number in 0..<64 {
            let error = replyError(hub.run(.kick(player: name), from: 1, idem: "kick-\(number)"))
            XCTAssertEqual(error?.code, .notMember)
            XCTAssertLessThanOrEqual(error?.message.utf8.count ?? .max, 256, "the name is cut short in the message")
        }
        guard let alice = hub.hub.playerSlotByName["alice"] else { return XCTFail("alice is gone") }
        let remembered = hub.hub.players[alice].recentRequests.entries
        XCTAssertEqual(remembered.count, 64)
        XCTAssertLessThan(remembered.map(\.reply.estimatedBytes).reduce(0, +), 64 * 1024, "no 64 KiB client string is pinned")
    }

    // MARK: Signals

    func testASignalGoesToTheOtherMembersWithTheCurrentSeqAndIsNotStored() {
        let party = hub.partyOfAlice(joiners: 2)  // seq 2
        hub.open("alice", session: 11)
        let outputs = hub.run(.signal(kind: "ping", data: #"{"x":1}"#), from: 1, rid: 3)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(1), rid: 3, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 2, body: .signal(from: "alice", kind: "ping", data: #"{"x":1}"#)),
                    recipients: [session(2), session(3)]),
            ], "not to the sender's connections")
        XCTAssertEqual(hub.seq(ofParty: party.id), 2)
        XCTAssertEqual(historySeqs(hub.run(.history(beforeSeq: nil, limit: nil), from: 2)), [1, 2], "signals are not in the history")
        XCTAssertEqual(events(hub.run(.chat(text: "x"), from: 2)).map(\.event.seq), [3], "the next event is 3")
    }

    func testASignalWithNobodyElseSaysNothingAndOutsideAPartyIsNotInParty() {
        _ = hub.partyOfAlice(joiners: 0)
        XCTAssertEqual(hub.run(.signal(kind: "k", data: "null"), from: 1, rid: 1), [.reply(session(1), rid: 1, .success(.empty))])
        XCTAssertEqual(errorCode(hub.run(.signal(kind: "k", data: "1"), from: 2)), .notInParty)
    }

    func testSignalsFasterThanTheRateAreRateLimitedWithRetryAfter() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.signalBurst = 2; $0.signalRatePerSecond = 4 })
        _ = hub.partyOfAlice(joiners: 1)
        for _ in 0..<2 { XCTAssertEqual(events(hub.run(.signal(kind: "k", data: "1"), from: 1)).count, 1) }
        let error = replyError(hub.run(.signal(kind: "k", data: "1"), from: 1))
        XCTAssertEqual(error?.code, .rateLimited)
        XCTAssertEqual(error?.detail, .retryAfter(milliseconds: 250))
        XCTAssertEqual(events(hub.run(.chat(text: "chat has its own limit"), from: 1)).count, 1)
        hub.now += 250
        XCTAssertEqual(events(hub.run(.signal(kind: "k", data: "1"), from: 1)).count, 1)
    }

    // MARK: Command rate limit

    func testCommandsFasterThanTheRateAreRateLimitedWithRetryAfter() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.commandBurst = 3; $0.commandRatePerSecond = 2 })
        _ = hub.partyOfAlice(joiners: 1)  // alice's create took one token
        hub.run(.get, from: 1)
        hub.run(.setRole(.tank), from: 1)
        let error = replyError(hub.run(.get, from: 1))
        XCTAssertEqual(error?.code, .rateLimited)
        XCTAssertEqual(error?.detail, .retryAfter(milliseconds: 500))
        XCTAssertEqual(events(hub.run(.chat(text: "chat is not a command here"), from: 1)).count, 1)
        XCTAssertEqual(events(hub.run(.signal(kind: "k", data: "1"), from: 1)).count, 1)
        XCTAssertNotNil(replyData(hub.run(.get, from: 2)), "the limit is per player")
        hub.now += 500
        XCTAssertNotNil(replyData(hub.run(.get, from: 1)))
    }
}
