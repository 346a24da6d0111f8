import Protocol
import XCTest

@testable import Realtime

/// A read-only session (a stream overlay's token) follows its player's party but does not make
/// the player present: an overlay left open on a broadcast must not keep a player who quit
/// the game online, nor hold their seat past the reconnect grace.
final class HubReadOnlyPresenceTests: XCTestCase {
    private var hub = HubDriver(configuration: HubDriver.configuration { $0.offlineNoticeDelayMilliseconds = 0 })
    private var grace: Int64 { hub.configuration.reconnectGraceMilliseconds }

    func testAnOverlayGetsThePartysEventsButTheGameClientClosingStillMakesTheMemberOffline() {
        let party = hub.partyOfAlice(joiners: 2)
        let opened = hub.open("bob", session: 12, readOnly: true)
        XCTAssertEqual(sessionReady(opened)?.party?.id, party.id, "the overlay is greeted with the party")
        XCTAssertTrue(events(opened).isEmpty, "an overlay opening is no news to the party")
        let chat = hub.run(.chat(text: "gg"), from: 1)
        XCTAssertEqual(events(chat).first?.recipients.sorted(), [session(1), session(2), session(3), session(12)])

        let closed = hub.close(session: 2)
        XCTAssertEqual(
            events(closed).map(\.event.body), [.memberOffline(player: "bob")], "bob's game client was his last presence")
        XCTAssertEqual(events(closed).first?.recipients.sorted(), [session(1), session(3), session(12)], "his overlay hears it too")
        XCTAssertEqual(hub.party(of: "alice")?.roster.map(\.online), [true, false, true])

        let timedOut = hub.tick(after: grace)
        XCTAssertEqual(events(timedOut).map(\.event.body), [.memberLeft(player: "bob", reason: .timeout)])
        XCTAssertTrue(events(timedOut).first?.recipients.contains(session(12)) ?? false, "the overlay sees him leave")
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "carol"])
        XCTAssertEqual(hub.hub.sessionCount(of: "bob"), 1, "the overlay is still connected, to a player with no party")
        XCTAssertTrue(events(hub.run(.chat(text: "bye"), from: 1)).allSatisfy { !$0.recipients.contains(session(12)) })
    }

    func testAnOverlayOpeningForAnOfflineMemberNeitherAnnouncesNorKeepsThem() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.close(session: 2)
        let opened = hub.open("bob", session: 12, readOnly: true)
        XCTAssertTrue(events(opened).isEmpty, "no member_online for an overlay")
        XCTAssertEqual(sessionReady(opened)?.party?.roster.map(\.online), [true, false])
        let timedOut = hub.tick(after: grace)
        XCTAssertEqual(events(timedOut).map(\.event.body), [.memberLeft(player: "bob", reason: .timeout)], "the grace runs on")
        XCTAssertEqual(hub.close(session: 12), [], "the overlay leaving is no news either")
        XCTAssertEqual(hub.hub.sessionCount(of: "bob"), 0)
    }

    func testTheGameClientComingBackIsAnnouncedWhileTheOverlayStays() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.open("bob", session: 12, readOnly: true)
        hub.close(session: 2)
        let back = hub.open("bob", session: 22)
        XCTAssertEqual(events(back).map(\.event), [PartyEvent(partyID: party.id, seq: 3, body: .memberOnline(player: "bob"))])
        XCTAssertEqual(hub.close(session: 12), [], "the overlay closing changes nothing while the game is on")
        XCTAssertEqual(hub.party(of: "alice")?.roster.map(\.online), [true, true])
    }

    func testAMemberWithOnlyAnOverlayIsNeitherAskedInAReadyCheckNorHandedTheLead() {
        _ = hub.partyOfAlice(joiners: 2)
        hub.open("bob", session: 12, readOnly: true)
        hub.close(session: 2)
        hub.run(.readyCheck, from: 1)
        XCTAssertEqual(hub.party(of: "alice")?.readyCheck?.answers.map(\.player), ["alice", "carol"])
        let left = hub.run(.leave, from: 1)
        XCTAssertTrue(bodies(left).contains(.leaderChanged(leader: "carol")), "the lead passes over bob: \(bodies(left))")
    }

    func testAnOverlayNeverPushesOutTheLastGameConnectionUnderTheSessionCap() {
        let capped = HubDriver(configuration: HubDriver.configuration { $0.maxSessionsPerPlayer = 1 })
        _ = capped.partyOfAlice(joiners: 1)
        let refused = capped.apply(.sessionOpened(session(12), player: "bob", readOnly: true, now: capped.now))
        XCTAssertEqual(refused, [.sessionEnded(session(12), reason: .tooManySessions)], "the overlay is the one turned away")
        XCTAssertEqual(capped.party(of: "alice")?.roster.map(\.online), [true, true], "bob plays on")
        XCTAssertEqual(capped.hub.sessionCount(of: "bob"), 1)
        XCTAssertEqual(capped.close(session: 12), [], "the refused overlay's close is no news")
    }

    func testUnderTheCapAnOverlayPushesOutTheOldestOverlayNotTheGame() {
        let capped = HubDriver(configuration: HubDriver.configuration { $0.maxSessionsPerPlayer = 2 })
        _ = capped.partyOfAlice(joiners: 1)
        capped.open("bob", session: 12, readOnly: true)
        let outputs = capped.open("bob", session: 13, readOnly: true)
        XCTAssertEqual(outputs.first, .sessionEnded(session(12), reason: .tooManySessions))
        XCTAssertTrue(events(outputs).isEmpty, "bob's presence did not change")
        XCTAssertEqual(capped.party(of: "alice")?.roster.map(\.online), [true, true])
        // A game connection coming makes room among all of them, oldest first: bob stays present.
        let game = capped.open("bob", session: 22)
        XCTAssertEqual(game.first, .sessionEnded(session(2), reason: .tooManySessions))
        XCTAssertTrue(events(game).isEmpty)
    }

    func testLeavingTheGameWithAnOverlayOpenWithdrawsTheJoinRequests() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.setOpen(false), from: 1)
        XCTAssertNotNil(replyData(hub.run(.join(inviteCode: party.inviteCode), from: 3)), "carol asks to join")
        hub.open("carol", session: 13, readOnly: true)
        let closed = hub.close(session: 3)
        XCTAssertEqual(events(closed).map(\.event.body), [.joinRejected(player: "carol", reason: .withdrawn)])
        XCTAssertEqual(replyError(hub.run(.requestAccept(player: "carol"), from: 1))?.code, .notFound)
    }

    func testTheAdminViewCallsAPlayerWithOnlyAnOverlayOffline() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.open("bob", session: 12, readOnly: true)
        XCTAssertEqual(hub.hub.adminPlayerView("bob")?.online, true)
        hub.close(session: 2)
        XCTAssertEqual(hub.hub.adminPlayerView("bob")?.online, false)
        XCTAssertEqual(hub.hub.adminPlayerView("bob")?.sessions, [session(12)])
    }

    func testTheLogDumpMarksAnOverlaysSession() {
        let input = HubInput.sessionOpened(SessionID(rawValue: 7), player: "bob", readOnly: true, now: 1_800_000_000_000)
        XCTAssertTrue(input.dumpText.hasSuffix("player=bob read-only"), input.dumpText)
    }
}
