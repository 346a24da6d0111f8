import Protocol
import XCTest

@testable import Realtime

/// `partyhub data dump`: every record on a line of its own, readable, with each segment's
/// pinned epoch and rules, player text escaped, and damage reported after what was readable.
final class DataDumpTests: XCTestCase {
    private static let defaultRules =
        "max_members=5 max_party_size=40 max_chat_scalars=1024 chat_rate=5 chat_burst=10 signal_rate=10"
        + " signal_burst=20 command_rate=20 command_burst=40 invite_ttl_ms=60000 reconnect_grace_ms=60000"
        + " ready_check_ms=30000 history=256 idem_keys=64 loot_roll_timeout_ms=30000"
        + " max_invites_per_player=20 max_sessions_per_player=8 offline_notice_delay_ms=2000 party_create_rate=10 party_create_burst=5"

    func testEveryRecordIsALineWithItsTimeAndInput() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["hi"])
        try data.record([.sessionClosed(ServerDataFixture.bob, now: data.tick()), .tick(now: data.tick())])
        let (lines, outcome) = try data.dump()
        XCTAssertTrue(outcome.passed)
        XCTAssertEqual(
            lines,
            [
                "segment wal-00000000000000000001.log first_lsn=1 created=1001 (1970-01-01T00:00:01.001Z) epoch=1 rules: "
                    + Self.defaultRules,
                "lsn=1 t=1764601234567 (2025-12-01T15:00:34.567Z) session.opened s=0001000000100001 player=alice",
                "lsn=2 t=1764601234568 (2025-12-01T15:00:34.568Z) session.opened s=0001000000200001 player=bob",
                "lsn=3 t=1764601234569 (2025-12-01T15:00:34.569Z) command s=0001000000100001 rid=1 party.create"
                    + " seed=7d2c51c8-1e0b-4d8e-9a44-5d2b8a1f6c03/ABCDEFGH",
                "lsn=4 t=1764601234570 (2025-12-01T15:00:34.570Z) command s=0001000000200001 rid=1 party.join"
                    + " invite_code=ABCDEFGH",
                #"lsn=5 t=1764601234571 (2025-12-01T15:00:34.571Z) command s=0001000000100001 rid=2 idem=k1 party.chat text="hi""#,
                "lsn=6 t=1764601234572 (2025-12-01T15:00:34.572Z) session.closed s=0001000000200001",
                "lsn=7 t=1764601234573 (2025-12-01T15:00:34.573Z) tick",
            ])
    }

    func testPlayerTextIsQuotedWithControlCharactersEscaped() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["\u{1B}[31mred\u{7}\n\"q\" \\ é ✓ \u{202E}"])
        let line = try XCTUnwrap(data.dump().lines.last)
        XCTAssertTrue(line.hasSuffix(#"party.chat text="\u001b[31mred\u0007\n\"q\" \\ é ✓ \u202e""#), line)
        XCTAssertFalse(line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x202E })
    }

    func testFromSkipsEarlierRecordsAndSegments() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["a", "b"])
        var relaxed = HubConfiguration()
        relaxed.chatBurst = 100
        try data.startProcess(epoch: 2, configuration: relaxed)
        try data.chat(["c"], firstKey: 3)

        let fromFifth = try data.dump(fromLSN: 5).lines
        XCTAssertEqual(fromFifth.count, 5, "\(fromFifth)")
        XCTAssertTrue(fromFifth[0].hasPrefix("segment wal-00000000000000000001.log first_lsn=1 "), fromFifth[0])
        XCTAssertTrue(fromFifth[1].hasPrefix("lsn=5 "))
        XCTAssertTrue(fromFifth[2].hasPrefix("lsn=6 "))
        XCTAssertTrue(fromFifth[3].hasPrefix("segment wal-00000000000000000007.log first_lsn=7 "), fromFifth[3])
        XCTAssertTrue(fromFifth[3].contains(" epoch=2 rules: "))
        XCTAssertTrue(fromFifth[3].contains(" chat_burst=100 "))
        XCTAssertTrue(fromFifth[4].hasPrefix("lsn=7 "))

        let fromSeventh = try data.dump(fromLSN: 7).lines
        XCTAssertEqual(fromSeventh.count, 2, "the first segment's line is left out with its records: \(fromSeventh)")
        XCTAssertEqual(try data.dump(fromLSN: 8).lines, [])
    }

    func testDamageEndsTheDumpAfterWhatWasReadable() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["a", "b"])
        let segment = try XCTUnwrap(data.segmentPaths.last)
        let third = data.log.recordOffsets(segment)[2]
        data.log.flipBit(segment, at: third + LogFormat.recordPayloadOffset)
        let (lines, outcome) = try data.dump()
        XCTAssertEqual(lines.count, 3, "the segment and records 1 and 2: \(lines)")
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.problems.count, 1)
        XCTAssertTrue(outcome.problems[0].hasPrefix("\(segment) is damaged at offset \(third): "), outcome.problems[0])
    }

    func testTornTailIsAWarning() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["a"])
        data.log.shrinkSize(try XCTUnwrap(data.segmentPaths.last), by: 2)
        let (lines, outcome) = try data.dump()
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(outcome.passed)
        XCTAssertEqual(outcome.warnings.count, 1)
        XCTAssertTrue(outcome.warnings[0].hasPrefix("torn tail in wal-00000000000000000001.log at offset "))
    }

    func testRecordThatDoesNotDecodeIsShownAndReported() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.recordPayloads([[4]])
        let (lines, outcome) = try data.dump()
        XCTAssertTrue(
            lines[1].hasPrefix("lsn=1 hub input of 1 bytes that does not decode (binary decoding failed"), lines[1])
        XCTAssertFalse(outcome.passed)
    }

    // MARK: The text of each input

    func testEveryCommandShowsItsValuesWithTheWireNames() {
        let session = SessionID(rawValue: 0xAB)
        let cases: [(PartyCommand, String)] = [
            (.create(maxMembers: 8, lootMode: .personal), "party.create max_members=8 loot_mode=PERSONAL"),
            (.join(inviteCode: "ABCDEFGH", role: .tank), "party.join invite_code=ABCDEFGH role=tank"),
            (.leave, "party.leave"),
            (.get, "party.get"),
            (.kick(player: "bob"), "party.kick player=bob"),
            (.promote(player: "bob"), "party.promote player=bob"),
            (.disband, "party.disband"),
            (.setRole(nil), "party.set_role role=null"),
            (.setLoot(.masterLooter, masterLooter: "bob"), "party.set_loot loot_mode=MASTER_LOOTER master_looter=bob"),
            (.invite(player: "carol"), "party.invite player=carol"),
            (.inviteAccept(invite: "inv-1", role: nil), "party.invite_accept invite=inv-1"),
            (.inviteDecline(invite: "inv-1"), "party.invite_decline invite=inv-1"),
            (.regenerateCode, "party.regenerate_code"),
            (.setOpen(false), "party.set_open open=false"),
            (.setInvitePolicy(.leader), "party.set_invite_policy policy=leader"),
            (
                .setComposition(Composition(tank: 1, healer: 1, dps: 3)),
                "party.set_composition composition=tank:1,healer:1,dps:3"
            ),
            (.requestAccept(player: "dave"), "party.request_accept player=dave"),
            (.requestReject(player: "dave"), "party.request_reject player=dave"),
            (.signal(kind: "ping", data: #"{"x":1}"#), #"party.signal kind="ping" data="{\"x\":1}""#),
            (.readyCheck, "party.ready_check"),
            (.ready(true), "party.ready ready=true"),
            (.history(beforeSeq: 10, limit: 5), "party.history before_seq=10 limit=5"),
            (.resume(party: "p-1", afterSeq: 3), "session.resume party=p-1 after_seq=3"),
            (
                .setLoot(.needGreed, masterLooter: nil, threshold: .epic),
                "party.set_loot loot_mode=NEED_GREED threshold=epic"
            ),
            (.chooseLoot(roll: "roll_3", choice: .greed), "loot.choose roll=roll_3 choice=greed"),
            (.assignLoot(roll: "roll_4", player: "carol"), "loot.assign roll=roll_4 player=carol"),
            (.claimLoot(roll: "roll_5"), "loot.claim roll=roll_5"),
            (
                .shareQuest(
                    questID: "q-wolves",
                    objectives: [QuestObjective(objectiveID: "wolves", required: 5), QuestObjective(objectiveID: "pelts", required: 2)]),
                "quest.share quest_id=q-wolves objectives=[wolves:5,pelts:2]"
            ),
            (.abandonQuest(questID: "q wolves"), #"quest.abandon quest_id="q wolves""#),
        ]
        for (command, expected) in cases {
            let input = HubInput.command(session, ClientRequest(rid: nil, command: command), now: 0, seed: nil)
            XCTAssertEqual(input.dumpText, "command s=00000000000000ab " + expected)
        }
        let odd = HubInput.sessionOpened(session, player: "a b\u{1B}", now: 0)
        XCTAssertEqual(
            odd.dumpText, #"session.opened s=00000000000000ab player="a b\u001b""#, "a name that is not plain is quoted"
        )
    }

    func testServiceEventsShowEachEventAndHowManySeeds() {
        let input = HubInput.serviceEvents(
            SessionID(rawValue: 0xAB),
            [
                IncomingServiceEvent(
                    eventID: "e1",
                    body: .lootDropped(
                        party: "p-1", items: [DroppedItem(itemID: "gem", name: "Storm \"Gem\"", quality: .legendary)], source: "boss")),
                IncomingServiceEvent(eventID: "e2", body: .objectiveCompleted(player: "bob", questID: "q", objectiveID: "o", count: 2)),
                IncomingServiceEvent(eventID: "e3", body: .invalid(PartyError(.invalidMessage, "no type"))),
            ], now: 0, lootSeeds: [String(repeating: "a", count: 64)])
        XCTAssertEqual(
            input.dumpText,
            #"service.events s=00000000000000ab e1=combat:loot-dropped(party=p-1 source="boss" items=[gem:legendary:"Storm \"Gem\""]) e2=quest:objective-completed(player=bob quest_id=q objective_id=o count=2) e3=invalid(invalid_message) loot_seeds=1"#
        )
    }

    func testEveryOrganizationRequestShowsItsEndpointAndValues() {
        let session = SessionID(rawValue: 0xAB)
        let cases: [(OrganizationOperation, String)] = [
            (.createOrganization(name: "Knights", owner: nil), #"POST /api/v1/organizations name="Knights""#),
            (.createOrganization(name: "K", owner: "bob"), #"POST /api/v1/organizations name="K" owner=bob"#),
            (.getOrganization(id: "o1"), "GET /api/v1/organizations/o1"),
            (.listOrganizationMembers(organization: "o1"), "GET /api/v1/organizations/o1/members"),
            (.setOrganizationMember(organization: "o1", user: "bob", role: .moderator), "PUT /api/v1/organizations/o1/members/bob role=MODERATOR"),
            (.removeOrganizationMember(organization: "o1", user: "bob"), "DELETE /api/v1/organizations/o1/members/bob"),
            (.createGroup(organization: "o1", name: "Raid", description: "Tue"), #"POST /api/v1/organizations/o1/groups name="Raid" description="Tue""#),
            (.listGroups(organization: "o1"), "GET /api/v1/organizations/o1/groups"),
            (.getGroup(id: "g1"), "GET /api/v1/groups/g1"),
            (.updateGroup(id: "g1", name: nil, description: .keep), "PUT /api/v1/groups/g1"),
            (.updateGroup(id: "g1", name: "N", description: .replace(with: nil)), #"PUT /api/v1/groups/g1 name="N" description=null"#),
            (.deleteGroup(id: "g1"), "DELETE /api/v1/groups/g1"),
            (.regenerateGroupCode(group: "g1"), "POST /api/v1/groups/g1/regenerate-code"),
            (.listGroupMembers(group: "g1"), "GET /api/v1/groups/g1/members"),
            (.removeGroupMember(group: "g1", user: "bob"), "DELETE /api/v1/groups/g1/members/bob"),
            (.leaveGroup(group: "g1"), "POST /api/v1/groups/g1/leave"),
            (.joinGroup(inviteCode: "ABCD2345"), "POST /api/v1/groups/join/ABCD2345"),
        ]
        for (operation, expected) in cases {
            let input = HubInput.organizationRequest(
                session, OrganizationRequest(caller: OrganizationCaller(user: "alice"), operation: operation), now: 0, seed: nil)
            XCTAssertEqual(input.dumpText, "organization.request s=00000000000000ab user=alice " + expected)
        }
        let seeded = HubInput.organizationRequest(
            session, OrganizationRequest(caller: OrganizationCaller(user: "tools", isService: true), operation: .regenerateGroupCode(group: "g1")),
            now: 0, seed: OrganizationSeed(id: "id-1", inviteCode: "ABCD2345"))
        XCTAssertEqual(
            seeded.dumpText, "organization.request s=00000000000000ab service=tools POST /api/v1/groups/g1/regenerate-code seed=id-1/ABCD2345")
    }

    func testEveryRuleHasANameInTheDump() {
        XCTAssertEqual(
            HubConfiguration().namedSettings.count, Mirror(reflecting: HubConfiguration()).children.count,
            "a new HubConfiguration field needs its name in namedSettings")
    }

    func testTheEventsDumpIsOneLinePerEventWithItsJSON() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: [])
        var lines: [String] = []
        let outcome = try DataDump.runEvents(directory: data.directory, fileSystem: data.fileSystem) { lines.append($0) }
        XCTAssertTrue(outcome.passed)
        XCTAssertEqual(lines.count, 3, "\(lines)")
        XCTAssertTrue(lines[0].hasPrefix("segment events-00000000000000000001.log first_offset=1 created="), lines[0])
        let party = ServerDataFixture.seed.id
        XCTAssertEqual(
            lines[1],
            "offset=1 {\"offset\":1,\"type\":\"party:created\",\"ts\":1764601234569,\"party\":\"\(party)\",\"leader\":\"alice\","
                + "\"max_members\":5,\"loot_mode\":\"NEED_GREED\"}")
        XCTAssertEqual(
            lines[2],
            "offset=2 {\"offset\":2,\"type\":\"party:member-joined\",\"ts\":1764601234570,\"party\":\"\(party)\",\"player\":\"bob\"}")
        var tail: [String] = []
        _ = try DataDump.runEvents(directory: data.directory, fromOffset: 2, fileSystem: data.fileSystem) { tail.append($0) }
        XCTAssertEqual(tail, [lines[0], lines[2]])
    }
}
