import Protocol
import XCTest

final class ServerMessageEncoderTests: XCTestCase {
    private let party = PartySnapshot(
        id: "p_01", inviteCode: "K7Q2ZX", leader: "alice", members: ["alice", "bob"], maxMembers: 4)

    private func json(_ message: ServerMessage) -> String { ServerMessageEncoder.json(message) }

    private func parsed(_ message: ServerMessage, file: StaticString = #filePath, line: UInt = #line) -> JSONValue? {
        do {
            return try JSONParser.parse(Array(json(message).utf8))
        } catch {
            XCTFail("\(json(message)) does not parse: \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: - Exact JSON

    func testSessionReady() {
        XCTAssertEqual(json(.sessionReady(player: "alice")), #"{"ev":"session.ready","player":"alice","party":null,"invites":[]}"#)
    }

    func testSuccessfulReplyWithoutData() {
        XCTAssertEqual(json(.reply(rid: 7, .success(.empty))), #"{"rid":7,"ok":true}"#)
        XCTAssertEqual(json(.reply(rid: -1, .success(.empty))), #"{"rid":-1,"ok":true}"#)
        XCTAssertEqual(
            json(.reply(rid: .min, .success(.empty))), #"{"rid":-9223372036854775808,"ok":true}"#)
        XCTAssertEqual(json(.reply(rid: .max, .success(.empty))), #"{"rid":9223372036854775807,"ok":true}"#)
        XCTAssertEqual(json(.reply(rid: 0, .success(.empty))), #"{"rid":0,"ok":true}"#)
    }

    func testPartyWithItsRosterSeqAndTimes() {
        let full = PartySnapshot(
            id: "p", inviteCode: "C", leader: "a", members: ["a", "b"], maxMembers: 5, seq: 7, createdAt: 100,
            updatedAt: 250,
            roster: [
                PartyMemberSnapshot(player: "a", role: .tank, online: true, joinedAt: 100),
                PartyMemberSnapshot(player: "b", role: nil, online: false, joinedAt: 200),
            ])
        XCTAssertEqual(
            json(.reply(rid: 2, .success(.party(full)))),
            #"{"rid":2,"ok":true,"data":{"party":{"id":"p","invite_code":"C","leader":"a","members":["a","b"],"max_members":5,"seq":7,"created_at":100,"updated_at":250,"status":"forming","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"uncommon","open":true,"invite_policy":"members","composition":null,"invites":[],"requests":[],"ready_check":null,"roster":[{"player":"a","role":"tank","online":true,"joined_at":100},{"player":"b","role":null,"online":false,"joined_at":200}],"loot_rolls":[],"quests":[]}}}"#
        )
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p", seq: 8, body: .roleChanged(player: "b", role: .healer)))),
            #"{"ev":"party.role_changed","party":"p","seq":8,"player":"b","role":"healer"}"#)
        let looted = PartySnapshot(
            id: "p", inviteCode: "C", leader: "a", members: ["a"], maxMembers: 20, lootMode: .masterLooter, masterLooter: "a")
        XCTAssertEqual(
            json(.reply(rid: 3, .success(.party(looted)))),
            #"{"rid":3,"ok":true,"data":{"party":{"id":"p","invite_code":"C","leader":"a","members":["a"],"max_members":20,"seq":0,"created_at":0,"updated_at":0,"status":"forming","loot_mode":"MASTER_LOOTER","master_looter":"a","loot_threshold":"uncommon","open":true,"invite_policy":"members","composition":null,"invites":[],"requests":[],"ready_check":null,"roster":[],"loot_rolls":[],"quests":[]}}}"#
        )
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p", seq: 4, body: .lootChanged(mode: .masterLooter, masterLooter: "a")))),
            #"{"ev":"party.loot_changed","party":"p","seq":4,"loot_mode":"MASTER_LOOTER","master_looter":"a","loot_threshold":"uncommon"}"#)
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p", seq: 5, body: .lootChanged(mode: .personal, masterLooter: nil)))),
            #"{"ev":"party.loot_changed","party":"p","seq":5,"loot_mode":"PERSONAL","master_looter":null,"loot_threshold":"uncommon"}"#)
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p", seq: 9, body: .roleChanged(player: "b", role: nil)))),
            #"{"ev":"party.role_changed","party":"p","seq":9,"player":"b","role":null}"#)
    }

    func testSuccessfulReplyWithAParty() {
        XCTAssertEqual(
            json(.reply(rid: 8, .success(.party(party)))),
            #"{"rid":8,"ok":true,"data":{"party":{"id":"p_01","invite_code":"K7Q2ZX","leader":"alice","members":["alice","bob"],"max_members":4,"seq":0,"created_at":0,"updated_at":0,"status":"forming","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"uncommon","open":true,"invite_policy":"members","composition":null,"invites":[],"requests":[],"ready_check":null,"roster":[],"loot_rolls":[],"quests":[]}}}"#
        )
        let alone = PartySnapshot(id: "p", inviteCode: "C", leader: "a", members: ["a"], maxMembers: 1)
        XCTAssertEqual(
            json(.reply(rid: 1, .success(.party(alone)))),
            #"{"rid":1,"ok":true,"data":{"party":{"id":"p","invite_code":"C","leader":"a","members":["a"],"max_members":1,"seq":0,"created_at":0,"updated_at":0,"status":"full","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"uncommon","open":true,"invite_policy":"members","composition":null,"invites":[],"requests":[],"ready_check":null,"roster":[],"loot_rolls":[],"quests":[]}}}"#
        )
        let empty = PartySnapshot(id: "p", inviteCode: "C", leader: "", members: [], maxMembers: 0)
        XCTAssertEqual(
            json(.reply(rid: 1, .success(.party(empty)))),
            #"{"rid":1,"ok":true,"data":{"party":{"id":"p","invite_code":"C","leader":"","members":[],"max_members":0,"seq":0,"created_at":0,"updated_at":0,"status":"full","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"uncommon","open":true,"invite_policy":"members","composition":null,"invites":[],"requests":[],"ready_check":null,"roster":[],"loot_rolls":[],"quests":[]}}}"#
        )
    }

    func testErrorReplyWithRid() {
        XCTAssertEqual(
            json(.reply(rid: 9, .failure(PartyError(.partyFull, "the party is full")))),
            #"{"rid":9,"ok":false,"error":{"code":"party_full","message":"the party is full"}}"#)
    }

    func testErrorReplyWithNullRid() {
        XCTAssertEqual(
            json(.reply(rid: nil, .failure(PartyError(.invalidMessage, "rid must be an integer")))),
            #"{"rid":null,"ok":false,"error":{"code":"invalid_message","message":"rid must be an integer"}}"#)
    }

    func testEachEvent() {
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p_01", seq: 1, body: .memberJoined(player: "bob")))),
            #"{"ev":"party.member_joined","party":"p_01","seq":1,"player":"bob"}"#)
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p_01", seq: 2, body: .memberLeft(player: "bob")))),
            #"{"ev":"party.member_left","party":"p_01","seq":2,"player":"bob","reason":"left"}"#)
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p_01", seq: 2, body: .memberLeft(player: "bob", reason: .kicked)))),
            #"{"ev":"party.member_left","party":"p_01","seq":2,"player":"bob","reason":"kicked"}"#)
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p_01", seq: 9, body: .disbanded(by: "alice")))),
            #"{"ev":"party.disbanded","party":"p_01","seq":9,"by":"alice"}"#)
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p_01", seq: 3, body: .leaderChanged(leader: "carol")))),
            #"{"ev":"party.leader_changed","party":"p_01","seq":3,"leader":"carol"}"#)
        XCTAssertEqual(
            json(
                .event(
                    PartyEvent(
                        partyID: "p_01", seq: 4, body: .chat(from: "alice", text: "gg", timestampMs: 1_700_000_000_123))
                )),
            #"{"ev":"party.chat","party":"p_01","seq":4,"from":"alice","text":"gg","ts":1700000000123}"#)
        XCTAssertEqual(
            json(.event(PartyEvent(partyID: "p", seq: 0, body: .chat(from: "a", text: "", timestampMs: 0)))),
            #"{"ev":"party.chat","party":"p","seq":0,"from":"a","text":"","ts":0}"#)
    }

    // MARK: - Invites, requests, settings, ready checks, presence, history, resume

    /// A party with a closed door, a composition, an invite, a request and a running ready check.
    private let busy = PartySnapshot(
        id: "p", inviteCode: "C", leader: "a", members: ["a", "b"], maxMembers: 3, seq: 4, createdAt: 10, updatedAt: 20,
        roster: [
            PartyMemberSnapshot(player: "a", role: .tank, online: true, joinedAt: 10),
            PartyMemberSnapshot(player: "b", role: nil, online: false, joinedAt: 15),
        ], settings: PartySettings(open: false, invitePolicy: .leader, composition: Composition(tank: 1, healer: 1, dps: 1)),
        invites: [PendingInvite(id: "inv_1", player: "c", by: "a", expiresAt: 70)],
        requests: [JoinRequestSnapshot(party: "p", player: "d", role: .dps, expiresAt: 80)],
        readyCheck: ReadyCheckSnapshot(
            by: "a", expiresAt: 90, answers: [ReadyAnswer(player: "a", ready: true), ReadyAnswer(player: "b", ready: nil)]))
    private let busyJSON =
        #"{"id":"p","invite_code":"C","leader":"a","members":["a","b"],"max_members":3,"seq":4,"created_at":10,"updated_at":20,"status":"forming","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"uncommon","open":false,"invite_policy":"leader","composition":{"tank":1,"healer":1,"dps":1},"invites":[{"id":"inv_1","player":"c","by":"a","expires_at":70}],"requests":[{"party":"p","player":"d","role":"dps","expires_at":80}],"ready_check":{"by":"a","expires_at":90,"answers":[{"player":"a","ready":true},{"player":"b","ready":null}]},"roster":[{"player":"a","role":"tank","online":true,"joined_at":10},{"player":"b","role":null,"online":false,"joined_at":15}],"loot_rolls":[],"quests":[]}"#
    private let small = PartySnapshot(id: "p", inviteCode: "C", leader: "a", members: ["a"], maxMembers: 2)
    private let smallJSON =
        #"{"id":"p","invite_code":"C","leader":"a","members":["a"],"max_members":2,"seq":0,"created_at":0,"updated_at":0,"status":"forming","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"uncommon","open":true,"invite_policy":"members","composition":null,"invites":[],"requests":[],"ready_check":null,"roster":[],"loot_rolls":[],"quests":[]}"#
    /// `small` as an outsider (an invitee) sees it: no invites, requests, ready check, rolls or quests.
    private let smallOutsiderJSON =
        #"{"id":"p","invite_code":"C","leader":"a","members":["a"],"max_members":2,"seq":0,"created_at":0,"updated_at":0,"status":"forming","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"uncommon","open":true,"invite_policy":"members","composition":null,"roster":[]}"#
    private var invite: InviteSnapshot { InviteSnapshot(id: "inv_1", party: small, player: "c", by: "a", expiresAt: 70) }
    private var inviteJSON: String { #"{"id":"inv_1","party":\#(smallOutsiderJSON),"player":"c","by":"a","expires_at":70}"# }

    private func event(_ seq: UInt64, _ body: PartyEventBody) -> ServerMessage { .event(PartyEvent(partyID: "p", seq: seq, body: body)) }

    func testAPartyWithSettingsInvitesRequestsAndAReadyCheck() {
        XCTAssertEqual(json(.reply(rid: 1, .success(.party(busy)))), #"{"rid":1,"ok":true,"data":{"party":\#(busyJSON)}}"#)
    }

    func testSessionReadyWithThePartyAndThePendingInvites() {
        XCTAssertEqual(
            json(.sessionReady(player: "a", party: busy)), #"{"ev":"session.ready","player":"a","party":\#(busyJSON),"invites":[]}"#)
        XCTAssertEqual(
            json(.sessionReady(player: "c", invites: [invite, invite])),
            #"{"ev":"session.ready","player":"c","party":null,"invites":[\#(inviteJSON),\#(inviteJSON)]}"#)
    }

    func testAnInviteCarriesTheOutsiderViewOfABusyParty() {
        let encoded = json(.notice(.invited(InviteSnapshot(id: "inv_9", party: busy, player: "e", by: "a", expiresAt: 99))))
        let busyOutsiderJSON =
            #"{"id":"p","invite_code":"C","leader":"a","members":["a","b"],"max_members":3,"seq":4,"created_at":10,"updated_at":20,"status":"forming","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"uncommon","open":false,"invite_policy":"leader","composition":{"tank":1,"healer":1,"dps":1},"roster":[{"player":"a","role":"tank","online":true,"joined_at":10},{"player":"b","role":null,"online":false,"joined_at":15}]}"#
        XCTAssertEqual(
            encoded, #"{"ev":"party.invited","invite":{"id":"inv_9","party":\#(busyOutsiderJSON),"player":"e","by":"a","expires_at":99}}"#)
    }

    func testRepliesWithAnInviteARequestACodeEventsOrAResume() {
        XCTAssertEqual(json(.reply(rid: 1, .success(.invite(invite)))), #"{"rid":1,"ok":true,"data":{"invite":\#(inviteJSON)}}"#)
        XCTAssertEqual(
            json(.reply(rid: 2, .success(.joinRequest(JoinRequestSnapshot(party: "p", player: "d", role: nil, expiresAt: 80))))),
            #"{"rid":2,"ok":true,"data":{"request":{"party":"p","player":"d","role":null,"expires_at":80}}}"#)
        XCTAssertEqual(json(.reply(rid: 3, .success(.inviteCode("K7MXQ2PA")))), #"{"rid":3,"ok":true,"data":{"invite_code":"K7MXQ2PA"}}"#)
        XCTAssertEqual(
            json(
                .reply(
                    rid: 4,
                    .success(
                        .events([
                            PartyEvent(partyID: "p", seq: 1, body: .memberJoined(player: "b")),
                            PartyEvent(partyID: "p", seq: 2, body: .chat(from: "b", text: "hi", timestampMs: 5)),
                        ])))),
            #"{"rid":4,"ok":true,"data":{"events":[{"ev":"party.member_joined","party":"p","seq":1,"player":"b"},{"ev":"party.chat","party":"p","seq":2,"from":"b","text":"hi","ts":5}]}}"#
        )
        XCTAssertEqual(json(.reply(rid: 5, .success(.events([])))), #"{"rid":5,"ok":true,"data":{"events":[]}}"#)
        XCTAssertEqual(json(.reply(rid: 6, .success(.resumed(replayed: 2, seq: 9)))), #"{"rid":6,"ok":true,"data":{"replayed":2,"seq":9}}"#)
    }

    func testErrorsWithRetryAfterAndWithTheResyncParty() {
        XCTAssertEqual(
            json(.reply(rid: 1, .failure(PartyError(.rateLimited, "slow down", detail: .retryAfter(milliseconds: 250))))),
            #"{"rid":1,"ok":false,"error":{"code":"rate_limited","message":"slow down","retry_after_ms":250}}"#)
        XCTAssertEqual(
            json(.reply(rid: 2, .failure(PartyError(.resyncRequired, "gone", detail: .resync(party: nil))))),
            #"{"rid":2,"ok":false,"error":{"code":"resync_required","message":"gone","party":null}}"#)
        XCTAssertEqual(
            json(.reply(rid: 3, .failure(PartyError(.resyncRequired, "gone", detail: .resync(party: small))))),
            #"{"rid":3,"ok":false,"error":{"code":"resync_required","message":"gone","party":\#(smallJSON)}}"#)
        for code in [
            PartyErrorCode.alreadyInvited, .alreadyRequested, .compositionFull, .readyCheckActive, .noReadyCheck, .invalidTarget,
        ] {
            XCTAssertEqual(
                json(.reply(rid: 4, .failure(PartyError(code, "m")))), #"{"rid":4,"ok":false,"error":{"code":"\#(code)","message":"m"}}"#)
        }
        XCTAssertEqual(
            [PartyErrorCode.alreadyInvited, .alreadyRequested, .compositionFull, .readyCheckActive, .noReadyCheck, .resyncRequired].map(\.rawValue),
            ["already_invited", "already_requested", "composition_full", "ready_check_active", "no_ready_check", "resync_required"])
    }

    func testNoticesForOnePlayer() {
        XCTAssertEqual(json(.notice(.invited(invite))), #"{"ev":"party.invited","invite":\#(inviteJSON)}"#)
        XCTAssertEqual(
            json(.notice(.inviteCancelled(invite: "inv_1", party: "p", reason: .partyGone))),
            #"{"ev":"party.invite_cancelled","party":"p","invite":"inv_1","reason":"party_gone"}"#)
        XCTAssertEqual(
            json(.notice(.inviteCancelled(invite: "inv_2", party: "p", reason: .expired))),
            #"{"ev":"party.invite_cancelled","party":"p","invite":"inv_2","reason":"expired"}"#)
        XCTAssertEqual(
            json(.notice(.joinRejected(party: "p", reason: .partyGone))), #"{"ev":"party.join_rejected","party":"p","reason":"party_gone"}"#)
        let party = PartySnapshot(id: "p", inviteCode: "C", leader: "a", members: ["a", "b"], maxMembers: 2)
        XCTAssertEqual(
            json(.notice(.joinAccepted(party))),
            #"{"ev":"party.join_accepted","party":{"id":"p","invite_code":"C","leader":"a","members":["a","b"],"max_members":2,"seq":0,"created_at":0,"updated_at":0,"status":"full","loot_mode":"NEED_GREED","master_looter":null,"loot_threshold":"uncommon","open":true,"invite_policy":"members","composition":null,"invites":[],"requests":[],"ready_check":null,"roster":[],"loot_rolls":[],"quests":[]}}"#
        )
    }

    func testInviteAndRequestEvents() {
        XCTAssertEqual(
            json(event(1, .inviteSent(invite: "inv_1", player: "c", by: "a", expiresAt: 70))),
            #"{"ev":"party.invite_sent","party":"p","seq":1,"invite":"inv_1","player":"c","by":"a","expires_at":70}"#)
        XCTAssertEqual(
            json(event(2, .inviteDeclined(invite: "inv_1", player: "c", by: "a"))),
            #"{"ev":"party.invite_declined","party":"p","seq":2,"invite":"inv_1","player":"c","by":"a"}"#)
        XCTAssertEqual(
            json(event(3, .inviteExpired(invite: "inv_1", player: "c", by: "a"))),
            #"{"ev":"party.invite_expired","party":"p","seq":3,"invite":"inv_1","player":"c","by":"a"}"#)
        XCTAssertEqual(
            json(event(4, .joinRequested(JoinRequestSnapshot(party: "p", player: "d", role: .dps, expiresAt: 80)))),
            #"{"ev":"party.join_requested","party":"p","seq":4,"player":"d","role":"dps","expires_at":80}"#)
        for (reason, name) in [(JoinRejectReason.rejected, "rejected"), (.expired, "expired"), (.withdrawn, "withdrawn"), (.full, "full")] {
            XCTAssertEqual(
                json(event(5, .joinRejected(player: "d", reason: reason))),
                #"{"ev":"party.join_rejected","party":"p","seq":5,"player":"d","reason":"\#(name)"}"#)
        }
    }

    func testSettingsEvents() {
        XCTAssertEqual(
            json(event(6, .codeChanged(inviteCode: "K7MXQ2PA"))), #"{"ev":"party.code_changed","party":"p","seq":6,"invite_code":"K7MXQ2PA"}"#)
        XCTAssertEqual(
            json(event(7, .settingsChanged(PartySettings(open: false, invitePolicy: .leader, composition: Composition(tank: 1, healer: 2, dps: 0))))),
            #"{"ev":"party.settings_changed","party":"p","seq":7,"open":false,"invite_policy":"leader","composition":{"tank":1,"healer":2,"dps":0}}"#)
        XCTAssertEqual(
            json(event(8, .settingsChanged(PartySettings()))),
            #"{"ev":"party.settings_changed","party":"p","seq":8,"open":true,"invite_policy":"members","composition":null}"#)
    }

    func testReadyCheckEvents() {
        XCTAssertEqual(
            json(
                event(
                    8,
                    .readyCheckStarted(
                        by: "a", expiresAt: 90,
                        composition: CompositionReport(slots: nil, filled: Composition(tank: 1, healer: 0, dps: 0), unassigned: 1)))),
            #"{"ev":"party.ready_check_started","party":"p","seq":8,"by":"a","expires_at":90,"composition":{"slots":null,"filled":{"tank":1,"healer":0,"dps":0},"unassigned":1,"complete":true}}"#
        )
        XCTAssertEqual(
            json(event(9, .readyAnswered(player: "b", ready: false))), #"{"ev":"party.ready_answered","party":"p","seq":9,"player":"b","ready":false}"#)
        XCTAssertEqual(
            json(event(9, .readyAnswered(player: "b", ready: true))), #"{"ev":"party.ready_answered","party":"p","seq":9,"player":"b","ready":true}"#)
        let result = ReadyCheckResult(
            answers: [ReadyAnswer(player: "a", ready: true), ReadyAnswer(player: "b", ready: nil)], allReady: false, reason: .timeout,
            composition: CompositionReport(
                slots: Composition(tank: 1, healer: 1, dps: 0), filled: Composition(tank: 1, healer: 0, dps: 0), unassigned: 1))
        XCTAssertEqual(
            json(event(10, .readyCheckResult(result))),
            #"{"ev":"party.ready_check_result","party":"p","seq":10,"reason":"timeout","all_ready":false,"answers":[{"player":"a","ready":true},{"player":"b","ready":null}],"composition":{"slots":{"tank":1,"healer":1,"dps":0},"filled":{"tank":1,"healer":0,"dps":0},"unassigned":1,"complete":false}}"#
        )
        let everyone = ReadyCheckResult(
            answers: [ReadyAnswer(player: "a", ready: true)], allReady: true, reason: .answered,
            composition: CompositionReport(slots: nil, filled: Composition(tank: 0, healer: 0, dps: 0), unassigned: 1))
        XCTAssertEqual(
            json(event(11, .readyCheckResult(everyone))),
            #"{"ev":"party.ready_check_result","party":"p","seq":11,"reason":"answered","all_ready":true,"answers":[{"player":"a","ready":true}],"composition":{"slots":null,"filled":{"tank":0,"healer":0,"dps":0},"unassigned":1,"complete":true}}"#
        )
    }

    func testPresenceAndSignalEvents() {
        XCTAssertEqual(json(event(11, .memberOffline(player: "b"))), #"{"ev":"party.member_offline","party":"p","seq":11,"player":"b"}"#)
        XCTAssertEqual(json(event(12, .memberOnline(player: "b"))), #"{"ev":"party.member_online","party":"p","seq":12,"player":"b"}"#)
        XCTAssertEqual(
            json(event(13, .memberLeft(player: "b", reason: .timeout))),
            #"{"ev":"party.member_left","party":"p","seq":13,"player":"b","reason":"timeout"}"#)
        XCTAssertEqual(
            json(event(13, .signal(from: "a", kind: "pos", data: #"{"x":[1,2]}"#))),
            #"{"ev":"party.signal","party":"p","seq":13,"from":"a","kind":"pos","data":{"x":[1,2]}}"#, "the data as it came, unquoted")
    }

    func testASignalDecodedFromAClientParsesBackWithItsData() {
        let frame = #"{"op":"party.signal","kind":"k\"1","data": {"s":"é\u00e9\n","n":[-1.5e3,true,null]} }"#
        guard case .request(let request) = ClientMessageDecoder.decode(Array(frame.utf8)),
            case .signal(let kind, let data) = request.command
        else { return XCTFail("the frame does not decode") }
        let value = parsed(event(1, .signal(from: "a", kind: kind, data: data)))
        XCTAssertEqual(value?["kind"]?.stringValue, "k\"1")
        XCTAssertEqual(value?["data"]?["s"]?.stringValue, "éé\n")
        XCTAssertEqual(value?["data"]?["n"], .array([.number(JSONNumber(validatedLiteral: "-1.5e3")), .bool(true), .null]))
    }

    func testEveryNewMessageParsesBackWithJSONParser() {
        let messages: [ServerMessage] = [
            .sessionReady(player: "c", party: busy, invites: [invite]), .reply(rid: 1, .success(.party(busy))),
            .reply(rid: 2, .success(.invite(invite))), .reply(rid: 3, .success(.resumed(replayed: 0, seq: 0))),
            .reply(rid: 4, .failure(PartyError(.resyncRequired, "m", detail: .resync(party: busy)))),
            .notice(.invited(invite)), .notice(.inviteCancelled(invite: "i", party: "p", reason: .partyGone)),
            .notice(.joinRejected(party: "p", reason: .expired)), event(1, .memberOffline(player: "b")),
            event(2, .settingsChanged(busy.settings)),
        ]
        for message in messages { XCTAssertNotNil(parsed(message), "\(message)") }
    }

    // MARK: - Escaping

    func testQuotesBackslashesAndControlCharactersAreEscaped() {
        XCTAssertEqual(
            json(.sessionReady(player: "a\"b\\c\u{1}d\n\r\t\u{8}\u{C}\u{1F}\u{0}/")),
            #"{"ev":"session.ready","player":"a\"b\\c\u0001d\n\r\t\b\f\u001f\u0000/","party":null,"invites":[]}"#)
    }

    func testNonASCIIPassesThroughUnescaped() {
        XCTAssertEqual(
            json(
                .event(
                    PartyEvent(partyID: "p", seq: 5, body: .chat(from: "Jürgen", text: "é€😀 漢字\u{7F}", timestampMs: 1)))
            ),
            "{\"ev\":\"party.chat\",\"party\":\"p\",\"seq\":5,\"from\":\"Jürgen\",\"text\":\"é€😀 漢字\u{7F}\",\"ts\":1}")
    }

    func testEscapedFieldsParseBackToTheOriginalStrings() {
        let awkward = "quote\" backslash\\ nul\u{0} bell\u{7} esc\u{1B} é 😀 \u{2028}"
        let message = ServerMessage.event(
            PartyEvent(partyID: "p\"1", seq: 9, body: .chat(from: awkward, text: awkward, timestampMs: -5)))
        let value = parsed(message)
        XCTAssertEqual(value?["from"]?.stringValue, awkward)
        XCTAssertEqual(value?["text"]?.stringValue, awkward)
        XCTAssertEqual(value?["party"]?.stringValue, "p\"1")
        XCTAssertEqual(value?["ts"]?.int64Value, -5)
    }

    // MARK: - Parsing back

    func testEveryMessageParsesBackWithJSONParser() {
        let messages: [ServerMessage] = [
            .sessionReady(player: "alice"),
            .reply(rid: 1, .success(.empty)),
            .reply(rid: 2, .success(.party(party))),
            .reply(rid: nil, .failure(PartyError(.unknownOp, "unknown op \"x\""))),
            .event(PartyEvent(partyID: "p", seq: 1, body: .memberJoined(player: "b"))),
            .event(PartyEvent(partyID: "p", seq: 2, body: .memberLeft(player: "b"))),
            .event(PartyEvent(partyID: "p", seq: 3, body: .leaderChanged(leader: "c"))),
            .event(PartyEvent(partyID: "p", seq: 4, body: .chat(from: "a", text: "t", timestampMs: 5))),
        ]
        for message in messages {
            XCTAssertNotNil(parsed(message), "\(message)")
        }
        let reply = parsed(.reply(rid: 2, .success(.party(party))))
        XCTAssertEqual(reply?["rid"]?.int64Value, 2)
        XCTAssertEqual(reply?["ok"], .bool(true))
        let decodedParty = reply?["data"]?["party"]
        XCTAssertEqual(decodedParty?["invite_code"]?.stringValue, "K7Q2ZX")
        XCTAssertEqual(decodedParty?["members"], .array([.string("alice"), .string("bob")]))
        XCTAssertEqual(decodedParty?["max_members"]?.int64Value, 4)
        let error = parsed(.reply(rid: nil, .failure(PartyError(.unknownOp, "unknown op \"x\""))))
        XCTAssertEqual(error?["rid"], .null)
        XCTAssertEqual(error?["error"]?["code"]?.stringValue, "unknown_op")
        XCTAssertEqual(error?["error"]?["message"]?.stringValue, "unknown op \"x\"")
    }

    // MARK: - Framing

    /// Reads an unmasked server frame header by hand: FIN and opcode, no mask, the length form.
    private func assertTextFrame(
        _ frame: [UInt8], payloadCount: Int, file: StaticString = #filePath, line: UInt = #line
    ) -> [UInt8]? {
        guard frame.count >= 2 else {
            XCTFail("no header", file: file, line: line)
            return nil
        }
        XCTAssertEqual(frame[0], 0x81, "FIN, no RSV bits, text opcode", file: file, line: line)
        XCTAssertEqual(frame[1] & 0x80, 0, "a server frame is not masked", file: file, line: line)
        var length = Int(frame[1] & 0x7F)
        var headerLength = 2
        if length == 126 {
            headerLength = 4
            length = Int(frame[2]) << 8 | Int(frame[3])
            XCTAssertGreaterThanOrEqual(length, 126, "minimal length form", file: file, line: line)
        } else if length == 127 {
            headerLength = 10
            length = (2..<10).reduce(0) { $0 << 8 | Int(frame[$1]) }
            XCTAssertGreaterThan(length, 0xFFFF, "minimal length form", file: file, line: line)
        }
        XCTAssertEqual(length, payloadCount, file: file, line: line)
        XCTAssertEqual(
            frame.count, headerLength + length, "the frame is exactly header and payload", file: file, line: line)
        return Array(frame[headerLength...])
    }

    /// A `session.ready` whose JSON is exactly `count` bytes (60 bytes are fixed).
    private func sessionReady(jsonBytes count: Int) -> ServerMessage {
        .sessionReady(player: String(repeating: "x", count: count - 60))
    }

    func testEncodeFrameWritesAValidTextFrameForEachLengthForm() {
        let writer = ByteWriter(capacity: 64)
        for count in [100, 125, 126, 200, 65535, 65536, 70000] {
            let message = sessionReady(jsonBytes: count)
            XCTAssertEqual(json(message).utf8.count, count)
            let frame = Array(ServerMessageEncoder.encodeFrame(message, into: writer))
            guard let payload = assertTextFrame(frame, payloadCount: count) else { continue }
            XCTAssertEqual(String(decoding: payload, as: UTF8.self), json(message), "\(count) bytes")
            XCTAssertEqual(try JSONParser.parse(payload)["player"]?.stringValue?.utf8.count, count - 60)
        }
    }

    func testFinishTextFrameFramesA10BytePayload() {
        // No server message is as short as 10 bytes, so the JSON is written by hand after the
        // reserved header room, as `encodeFrame` does.
        let writer = ByteWriter()
        writer.reset(reserving: WebSocketFrameEncoder.maxServerHeaderLength)
        writer.append(Array(#"{"a":1234}"#.utf8))
        let frame = Array(ServerMessageEncoder.finishTextFrame(writer))
        XCTAssertEqual(frame, [0x81, 10] + Array(#"{"a":1234}"#.utf8))
    }

    func testEncodeFrameWithPayloadsOf10_200And70000Bytes() {
        let writer = ByteWriter(capacity: 64)
        for count in [10, 200, 70000] {
            writer.reset(reserving: WebSocketFrameEncoder.maxServerHeaderLength)
            let body = #"{"a":""# + String(repeating: "y", count: count - 8) + #""}"#
            writer.append(Array(body.utf8))
            let frame = Array(ServerMessageEncoder.finishTextFrame(writer))
            XCTAssertEqual(
                assertTextFrame(frame, payloadCount: count).map { String(decoding: $0, as: UTF8.self) }, body)
        }
        for count in [200, 70000] {
            let frame = Array(ServerMessageEncoder.encodeFrame(sessionReady(jsonBytes: count), into: writer))
            XCTAssertNotNil(assertTextFrame(frame, payloadCount: count))
        }
    }

    func testWriterIsReusedForTheNextFrame() {
        let writer = ByteWriter(capacity: 64)
        _ = ServerMessageEncoder.encodeFrame(sessionReady(jsonBytes: 70000), into: writer)
        let frame = Array(ServerMessageEncoder.encodeFrame(.reply(rid: 1, .success(.empty)), into: writer))
        XCTAssertEqual(frame, [0x81, 19] + Array(#"{"rid":1,"ok":true}"#.utf8))
    }
}
