import Protocol
import XCTest

@testable import Realtime

/// Closed parties: a join by code files a request the leader accepts or rejects; requests
/// are capped at the free seats and expire after the invite TTL.
final class HubJoinRequestTests: XCTestCase {
    private var hub = HubDriver()
    private var ttl: Int64 { hub.configuration.inviteTTLMilliseconds }

    /// Alice's party with the first `joiners` of bob, carol, ... seated, then closed.
    private func closedPartyOfAlice(joiners: Int, maxMembers: Int? = nil) -> PartySnapshot {
        let party = hub.partyOfAlice(joiners: joiners, maxMembers: maxMembers)
        XCTAssertNotNil(replyData(hub.run(.setOpen(false), from: 1)))
        return party
    }

    /// Files a join request from a session (asserting that it was filed).
    @discardableResult
    private func request(
        _ party: PartySnapshot, from number: UInt64, role: PartyRole? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) -> JoinRequestSnapshot? {
        let outputs = hub.run(.join(inviteCode: party.inviteCode, role: role), from: number)
        guard case .joinRequest(let request)? = replyData(outputs) else {
            XCTFail("no join request filed: \(outputs)", file: file, line: line)
            return nil
        }
        return request
    }

    func testAJoinByCodeToAClosedPartyFilesARequestForTheMembers() {
        let party = closedPartyOfAlice(joiners: 1)  // seq 2: member_joined, settings_changed
        let outputs = hub.run(.join(inviteCode: party.inviteCode, role: .dps), from: 3, rid: 5)
        let request = JoinRequestSnapshot(party: party.id, player: "carol", role: .dps, expiresAt: hub.now + ttl)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(3), rid: 5, .success(.joinRequest(request))),
                .event(PartyEvent(partyID: party.id, seq: 3, body: .joinRequested(request)), recipients: [session(1), session(2)]),
            ])
        XCTAssertNil(hub.party(of: "carol"), "a request is not a seat")
        XCTAssertEqual(hub.party(of: "alice")?.requests, [request])
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "bob"])
    }

    func testASecondRequestToTheSamePartyIsAlreadyRequested() {
        let party = closedPartyOfAlice(joiners: 0)
        request(party, from: 2)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 2)), .alreadyRequested)
        XCTAssertEqual(hub.party(of: "alice")?.requests.count, 1)
    }

    func testRequestsAreCappedAtTheFreeSeats() {
        let party = closedPartyOfAlice(joiners: 1, maxMembers: 4)  // two free seats
        request(party, from: 3)
        request(party, from: 4)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 5)), .partyFull)
        XCTAssertEqual(hub.party(of: "alice")?.requests.map(\.player), ["carol", "dave"])
    }

    func testAFullClosedPartyTakesNoRequest() {
        let party = closedPartyOfAlice(joiners: 1, maxMembers: 2)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 3)), .partyFull)
    }

    func testTheLeaderAcceptsARequestAndTheRequesterIsSeatedWithItsRole() {
        let party = closedPartyOfAlice(joiners: 1)
        request(party, from: 3, role: .tank)
        let outputs = hub.run(.requestAccept(player: "carol"), from: 1, rid: 9)
        guard case .reply(session(1), 9, .success(.empty))? = outputs.first else { return XCTFail("no reply first: \(outputs)") }
        XCTAssertEqual(bodies(outputs), [.memberJoined(player: "carol"), .roleChanged(player: "carol", role: .tank)])
        XCTAssertEqual(events(outputs).first?.recipients, [session(1), session(2), session(3)])
        XCTAssertEqual(hub.party(of: "carol")?.id, party.id)
        XCTAssertEqual(hub.party(of: "carol")?.requests, [])
        XCTAssertEqual(hub.tick(after: ttl), [], "the request's deadline says nothing once it is answered")
    }

    func testTheLeaderRejectsARequestAndTheRequesterIsTold() {
        let party = closedPartyOfAlice(joiners: 1)
        request(party, from: 3)
        hub.open("carol", session: 13)
        let outputs = hub.run(.requestReject(player: "carol"), from: 1, rid: 2)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(1), rid: 2, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 4, body: .joinRejected(player: "carol", reason: .rejected)),
                    recipients: [session(1), session(2), session(3), session(13)]),
            ])
        XCTAssertNil(hub.party(of: "carol"))
        XCTAssertEqual(hub.party(of: "alice")?.requests, [])
        XCTAssertNotNil(request(party, from: 3), "rejected, the player may ask again")
    }

    func testOnlyTheLeaderAnswersRequestsAndOnlyPendingOnes() {
        let party = closedPartyOfAlice(joiners: 1)
        request(party, from: 3)
        XCTAssertEqual(errorCode(hub.run(.requestAccept(player: "carol"), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.requestReject(player: "carol"), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.requestAccept(player: "dave"), from: 1)), .notFound)
        XCTAssertEqual(errorCode(hub.run(.requestReject(player: "dave"), from: 1)), .notFound)
        XCTAssertEqual(errorCode(hub.run(.requestAccept(player: "carol"), from: 4)), .notInParty)
        XCTAssertEqual(hub.party(of: "alice")?.requests.map(\.player), ["carol"])
    }

    func testARequestExpiresOnATickAfterTheTTLAndTheRequesterIsTold() {
        let party = closedPartyOfAlice(joiners: 0)
        guard let filed = request(party, from: 2) else { return }
        XCTAssertEqual(hub.nextDeadline, filed.expiresAt)
        XCTAssertEqual(hub.tick(after: ttl - 1), [])
        XCTAssertEqual(
            hub.tick(after: 1),
            [
                .event(
                    PartyEvent(partyID: party.id, seq: 3, body: .joinRejected(player: "bob", reason: .expired)),
                    recipients: [session(1), session(2)])
            ])
        XCTAssertEqual(hub.party(of: "alice")?.requests, [])
        XCTAssertEqual(errorCode(hub.run(.requestAccept(player: "bob"), from: 1)), .notFound)
    }

    func testARequestFiledAgainOutlivesTheFirstOnesDeadline() {
        let party = closedPartyOfAlice(joiners: 0)
        request(party, from: 2)
        hub.now += ttl / 2
        hub.run(.requestReject(player: "bob"), from: 1)
        guard let again = request(party, from: 2) else { return }
        XCTAssertEqual(hub.tick(after: ttl / 2), [], "the first request's deadline is not the second's")
        XCTAssertEqual(hub.party(of: "alice")?.requests, [again])
    }

    func testARequesterWhoLeftOrJoinedElsewhereIsWithdrawnOnAccept() {
        let party = closedPartyOfAlice(joiners: 0)
        request(party, from: 2)
        request(party, from: 3)
        hub.run(.create(maxMembers: nil), from: 2)  // withdraws Bob's request (see the test below)
        let outputs = hub.run(.requestAccept(player: "bob"), from: 1)
        XCTAssertEqual(replyError(outputs)?.code, .notFound)
        XCTAssertEqual(bodies(outputs), [])
        XCTAssertEqual(hub.party(of: "bob")?.members, ["bob"])
        // Carol's last connection closes: she cannot be seated.
        hub.close(session: 3)
        XCTAssertEqual(replyError(hub.run(.requestAccept(player: "carol"), from: 1))?.code, .notFound)
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice"])
        XCTAssertEqual(hub.party(of: "alice")?.requests, [])
    }

    func testADisbandedPartyTellsItsRequesters() {
        let party = closedPartyOfAlice(joiners: 0)
        request(party, from: 2)
        let outputs = hub.run(.disband, from: 1)
        XCTAssertEqual(
            notices(outputs).map(\.message), [.notice(.joinRejected(party: party.id, reason: .partyGone))])
        XCTAssertEqual(notices(outputs).first?.recipients, [session(2)])
        XCTAssertEqual(hub.tick(after: ttl), [], "the request died with its party")
    }

    func testAnInviteAcceptedIntoAClosedPartyKeepsTheRequestsWithinTheFreeSeats() {
        let party = closedPartyOfAlice(joiners: 0, maxMembers: 3)  // two free seats
        request(party, from: 2)
        request(party, from: 3)
        guard let invite = hub.invite("dave", from: 1) else { return }
        let outputs = hub.run(.inviteAccept(invite: invite.id), from: 4)
        XCTAssertNotNil(replyData(outputs))
        let seated = hub.party(of: "alice")
        XCTAssertEqual(seated?.members, ["alice", "dave"])
        XCTAssertEqual(seated?.requests.map(\.player), ["bob"], "one free seat, one request")
        XCTAssertEqual(
            bodies(outputs), [.memberJoined(player: "dave"), .joinRejected(player: "carol", reason: .full)],
            "the newest request is turned down")
        XCTAssertTrue(events(outputs).last?.recipients.contains(session(3)) ?? false, "carol is told")
    }

    func testReopeningAndFillingThePartyTurnsDownTheRequestsBeyondTheSeats() {
        let party = closedPartyOfAlice(joiners: 0, maxMembers: 2)
        request(party, from: 2)
        hub.run(.setOpen(true), from: 1)
        XCTAssertEqual(
            bodies(hub.join(party, from: 3)), [.memberJoined(player: "carol"), .joinRejected(player: "bob", reason: .full)])
        XCTAssertEqual(hub.party(of: "alice")?.requests, [])
    }

    func testTheRequesterHearsNothingOfThePartyButItsOwnRequest() {
        let party = closedPartyOfAlice(joiners: 1)
        request(party, from: 3)
        for outputs in [hub.run(.chat(text: "who is carol?"), from: 2), hub.run(.promote(player: "bob"), from: 1)] {
            for (_, recipients) in events(outputs) { XCTAssertFalse(recipients.contains(session(3))) }
        }
    }

    func testCreatingAPartyWithdrawsTheCreatorsPendingRequests() {
        let party = closedPartyOfAlice(joiners: 0)
        request(party, from: 2)
        let outputs = hub.run(.create(maxMembers: nil), from: 2)
        guard case .party(let own)? = replyData(outputs) else { return XCTFail("party.create failed: \(outputs)") }
        XCTAssertEqual(own.members, ["bob"])
        let withdrawn = events(outputs).filter { $0.event.partyID == party.id }
        XCTAssertEqual(withdrawn.map(\.event.body), [.joinRejected(player: "bob", reason: .withdrawn)])
        XCTAssertEqual(withdrawn.first?.recipients, [session(1), session(2)], "the members and Bob hear of it")
        XCTAssertEqual(hub.party(of: "alice")?.requests, [], "the seat it held is free again")
    }
}
