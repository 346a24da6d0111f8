import Protocol
import XCTest

final class ClientMessageDecoderTests: XCTestCase {
    private func decode(_ text: String) -> ClientMessageDecoder.Result {
        ClientMessageDecoder.decode(Array(text.utf8))
    }

    private func assertRequest(
        _ text: String, rid: Int64?, _ command: PartyCommand, idem: String? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertEqual(decode(text), .request(ClientRequest(rid: rid, command: command, idem: idem)), text, file: file, line: line)
    }

    private func assertFailure(
        _ text: String, rid: Int64?, _ code: PartyErrorCode, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard case .failure(let foundRid, let error) = decode(text) else {
            return XCTFail("accepted \(text)", file: file, line: line)
        }
        XCTAssertEqual(foundRid, rid, "rid of \(text)", file: file, line: line)
        XCTAssertEqual(error.code, code, "code of \(text)", file: file, line: line)
        XCTAssertFalse(error.message.isEmpty, file: file, line: line)
    }

    // MARK: - Each operation

    func testEachOperationDecodes() {
        assertRequest(#"{"op":"party.create","rid":1}"#, rid: 1, .create())
        assertRequest(#"{"op":"party.join","rid":2,"invite_code":"K7Q-2ZX"}"#, rid: 2, .join(inviteCode: "K7Q-2ZX"))
        assertRequest(#"{"op":"party.leave","rid":3}"#, rid: 3, .leave)
        assertRequest(#"{"op":"party.chat","rid":4,"text":"gg \"wp\" é 😀\n"}"#, rid: 4, .chat(text: "gg \"wp\" é 😀\n"))
    }

    func testFieldsMayComeInAnyOrderWithWhitespace() {
        assertRequest(
            " {\n\t\"text\" : \"hi\" ,\r\n \"rid\" : 9 , \"op\" : \"party.chat\" } \n", rid: 9, .chat(text: "hi"))
    }

    func testLeaderCommandsDecodeWithTheirPlayer() {
        assertRequest(#"{"op":"party.get","rid":1}"#, rid: 1, .get)
        assertRequest(#"{"op":"party.disband","rid":2}"#, rid: 2, .disband)
        assertRequest(#"{"op":"party.kick","player":"bob","rid":3}"#, rid: 3, .kick(player: "bob"))
        assertRequest(#"{"player":"carol","op":"party.promote","rid":4}"#, rid: 4, .promote(player: "carol"))
    }

    func testCreateTakesOptionalSeatsAndLootMode() {
        assertRequest(#"{"op":"party.create","max_members":20,"loot_mode":"PERSONAL","rid":1}"#, rid: 1, .create(maxMembers: 20, lootMode: .personal))
        assertRequest(#"{"op":"party.create","loot_mode":null}"#, rid: nil, .create())
        for text in [
            #"{"op":"party.create","max_members":"5","rid":4}"#, #"{"op":"party.create","max_members":2.5,"rid":4}"#,
            #"{"op":"party.create","loot_mode":"BEST","rid":4}"#, #"{"op":"party.create","loot_mode":3,"rid":4}"#,
        ] {
            guard case .failure(let rid, let error) = ClientMessageDecoder.decode(Array(text.utf8)) else {
                return XCTFail("\(text) should be refused")
            }
            XCTAssertEqual(rid, 4, text)
            XCTAssertEqual(error.code, .invalidMessage, text)
        }
    }

    func testSetLootTakesAModeAndAnOptionalLooter() {
        assertRequest(
            #"{"op":"party.set_loot","loot_mode":"MASTER_LOOTER","master_looter":"bob","rid":1}"#, rid: 1,
            .setLoot(.masterLooter, masterLooter: "bob"))
        assertRequest(#"{"op":"party.set_loot","loot_mode":"FREE_FOR_ALL","master_looter":null,"rid":2}"#, rid: 2, .setLoot(.freeForAll, masterLooter: nil))
        for text in [
            #"{"op":"party.set_loot","rid":5}"#, #"{"op":"party.set_loot","loot_mode":"x","rid":5}"#,
            #"{"op":"party.set_loot","loot_mode":"PERSONAL","master_looter":1,"rid":5}"#,
        ] {
            guard case .failure(let rid, let error) = ClientMessageDecoder.decode(Array(text.utf8)) else {
                return XCTFail("\(text) should be refused")
            }
            XCTAssertEqual(rid, 5, text)
            XCTAssertEqual(error.code, .invalidMessage, text)
        }
    }

    func testSetRoleTakesARoleOrNull() {
        assertRequest(#"{"op":"party.set_role","role":"tank","rid":1}"#, rid: 1, .setRole(.tank))
        assertRequest(#"{"op":"party.set_role","role":"dps"}"#, rid: nil, .setRole(.dps))
        assertRequest(#"{"role":null,"op":"party.set_role","rid":2}"#, rid: 2, .setRole(nil))
        for text in [
            #"{"op":"party.set_role","rid":3}"#, #"{"op":"party.set_role","role":"mage","rid":3}"#,
            #"{"op":"party.set_role","role":1,"rid":3}"#, #"{"op":"party.set_role","role":true,"rid":3}"#,
        ] {
            guard case .failure(let rid, let error) = ClientMessageDecoder.decode(Array(text.utf8)) else {
                return XCTFail("\(text) should be refused")
            }
            XCTAssertEqual(rid, 3, text)
            XCTAssertEqual(error.code, .invalidMessage, text)
        }
        guard case .failure(nil, let error) = ClientMessageDecoder.decode(Array(#"{"op":"party.set_role","role":nul}"#.utf8)) else {
            return XCTFail("a broken literal is malformed JSON")
        }
        XCTAssertEqual(error.code, .invalidMessage)
    }

    func testKickAndPromoteWithoutAPlayerStringAreInvalid() {
        for text in [#"{"op":"party.kick","rid":5}"#, #"{"op":"party.promote","player":7,"rid":5}"#] {
            guard case .failure(let rid, let error) = ClientMessageDecoder.decode(Array(text.utf8)) else {
                return XCTFail("\(text) should be refused")
            }
            XCTAssertEqual(rid, 5)
            XCTAssertEqual(error.code, .invalidMessage)
        }
    }

    func testRequestWithoutRidHasNone() {
        assertRequest(#"{"op":"party.create"}"#, rid: nil, .create())
    }

    func testOperationNamesMatchTheWireNames() {
        XCTAssertEqual(
            PartyOperation.allCases.map(\.rawValue),
            [
                "party.create", "party.join", "party.leave", "party.chat", "party.get", "party.kick", "party.promote",
                "party.disband", "party.set_role", "party.set_loot", "party.invite", "party.invite_accept",
                "party.invite_decline", "party.regenerate_code", "party.set_open", "party.set_invite_policy",
                "party.set_composition", "party.request_accept", "party.request_reject", "party.signal",
                "party.ready_check", "party.ready", "party.history", "session.resume", "loot.choose", "loot.assign",
                "loot.claim", "quest.share", "quest.abandon",
            ])
        XCTAssertEqual(PartyCommand.chat(text: "x").operation, .chat)
        XCTAssertEqual(PartyCommand.join(inviteCode: "x").operation, .join)
    }

    // MARK: - rid

    func testRidEchoesNegativeValuesAndTheInt64Limits() {
        for rid: Int64 in [0, -1, -5, 42, .max, .min] {
            assertRequest(#"{"op":"party.leave","rid":\#(rid)}"#, rid: rid, .leave)
        }
    }

    func testRidThatIsNotAnInt64IsAnInvalidMessageWithoutRid() {
        let values = [
            #""7""#, "1.5", "1e3", "1.0", "true", "null", "{}", "[1]", "9223372036854775808", "-9223372036854775809",
        ]
        for value in values {
            assertFailure(#"{"op":"party.create","rid":\#(value)}"#, rid: nil, .invalidMessage)
            assertFailure(#"{"rid":\#(value),"op":"party.create"}"#, rid: nil, .invalidMessage)
        }
    }

    func testLastRidWins() {
        assertRequest(#"{"rid":"x","op":"party.leave","rid":5}"#, rid: 5, .leave)
        assertFailure(#"{"rid":5,"op":"party.leave","rid":"x"}"#, rid: nil, .invalidMessage)
    }

    // MARK: - op

    func testMissingOpIsAnInvalidMessage() {
        assertFailure(#"{"rid":3}"#, rid: 3, .invalidMessage)
        assertFailure("{}", rid: nil, .invalidMessage)
    }

    func testOpThatIsNotAStringIsAnInvalidMessage() {
        for value in ["5", "null", "true", #"["party.create"]"#, #"{"name":"party.create"}"#] {
            assertFailure(#"{"op":\#(value),"rid":3}"#, rid: 3, .invalidMessage)
        }
    }

    func testUnknownOpIsReportedWithTheRid() {
        assertFailure(#"{"op":"party.dance","rid":11}"#, rid: 11, .unknownOp)
        assertFailure(#"{"op":"PARTY.CREATE","rid":-2}"#, rid: -2, .unknownOp)
        assertFailure(#"{"op":"","rid":12}"#, rid: 12, .unknownOp)
        assertFailure(#"{"op":"party.create "}"#, rid: nil, .unknownOp)
    }

    func testUnknownOpNameIsShortenedInTheMessage() {
        let name = String(repeating: "é", count: 100)
        guard case .failure(_, let error) = decode(#"{"op":"\#(name)","rid":1}"#) else { return XCTFail("accepted") }
        XCTAssertTrue(error.message.contains(String(repeating: "é", count: 64) + "…"), error.message)
        XCTAssertFalse(error.message.contains(String(repeating: "é", count: 65)), error.message)
    }

    // MARK: - Malformed documents

    func testMalformedJSONIsAnInvalidMessage() {
        for text in [
            "", "   ", "not json", #"{"op":"party.create","rid":1"#, #"{"op":"party.create",}"#,
            #"{"op" "party.create"}"#,
            #"{"op":"party.create"} {}"#, #"{"op":"party.create"}x"#, #"{op:"party.create"}"#,
            #"{"op":'party.create'}"#,
            #"{"op":"party.create","x":01}"#, #"{"op":"party.create","x":"\q"}"#,
            "{\"op\":\"party.create\",\"x\":\"\u{1}\"}",
        ] {
            assertFailure(text, rid: nil, .invalidMessage)
        }
    }

    func testDocumentThatIsNotAnObjectIsAnInvalidMessage() {
        for text in ["[]", #"["op","party.create"]"#, #""party.create""#, "1", "null", "true"] {
            assertFailure(text, rid: nil, .invalidMessage)
        }
    }

    // MARK: - Command fields

    func testChatTextThatIsNotAStringIsAnInvalidMessage() {
        for value in ["5", "null", "true", #"["hi"]"#, #"{"t":"hi"}"#] {
            assertFailure(#"{"op":"party.chat","rid":1,"text":\#(value)}"#, rid: 1, .invalidMessage)
        }
        assertFailure(#"{"op":"party.chat","rid":1}"#, rid: 1, .invalidMessage)
    }

    func testInviteCodeThatIsNotAStringIsAnInvalidMessage() {
        assertFailure(#"{"op":"party.join","rid":1,"invite_code":123}"#, rid: 1, .invalidMessage)
        assertFailure(#"{"op":"party.join","rid":1}"#, rid: 1, .invalidMessage)
    }

    func testFieldsOfOtherOperationsAreIgnored() {
        assertRequest(#"{"op":"party.create","text":5,"invite_code":null}"#, rid: nil, .create())
        assertRequest(#"{"op":"party.leave","text":"hi","invite_code":"X"}"#, rid: nil, .leave)
    }

    func testUnknownFieldsAreIgnoredIncludingNestedOnes() {
        assertRequest(
            #"{"v":2,"op":"party.join","meta":{"op":"party.leave","rid":99,"deep":[1,{"text":null},[]]},"invite_code":"AB","rid":4,"z":null}"#,
            rid: 4, .join(inviteCode: "AB"))
        assertRequest(#"{"op":"party.leave","list":[{"rid":"x"}],"s":"\"op\":\"party.create\""}"#, rid: nil, .leave)
    }

    func testUnknownFieldsNestedTooDeeplyAreAnInvalidMessage() {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        assertFailure(#"{"op":"party.leave","x":\#(deep)}"#, rid: nil, .invalidMessage)
    }

    func testEscapedKeyNamesAndValuesStillMatch() {
        assertRequest(#"{"\u006fp":"party.create","r\u0069d":8}"#, rid: 8, .create())
        assertRequest(#"{"op":"party\u002ejoin","invite\u005fcode":"A\u0042"}"#, rid: nil, .join(inviteCode: "AB"))
        assertRequest(#"{"op":"party.chat","\u0074ext":"\ud83d\ude00"}"#, rid: nil, .chat(text: "😀"))
    }

    func testKeysThatOnlyStartLikeKnownOnesAreIgnored() {
        assertFailure(#"{"opx":"party.create","rid":1}"#, rid: 1, .invalidMessage)
        assertRequest(#"{"op":"party.create","ridx":"not a rid","Rid":"no"}"#, rid: nil, .create())
    }

    // MARK: - Invites, requests, settings, ready checks, signals, history, resume

    func testEveryNewOperationDecodes() {
        assertRequest(#"{"op":"party.join","invite_code":"AB","role":"healer","rid":1}"#, rid: 1, .join(inviteCode: "AB", role: .healer))
        assertRequest(#"{"op":"party.join","invite_code":"AB","role":null}"#, rid: nil, .join(inviteCode: "AB"))
        assertRequest(#"{"op":"party.invite","player":"bob","rid":2}"#, rid: 2, .invite(player: "bob"))
        assertRequest(#"{"op":"party.invite_accept","invite":"inv_1","rid":3}"#, rid: 3, .inviteAccept(invite: "inv_1"))
        assertRequest(
            #"{"op":"party.invite_accept","invite":"inv_1","role":"tank"}"#, rid: nil, .inviteAccept(invite: "inv_1", role: .tank))
        assertRequest(#"{"op":"party.invite_decline","invite":"inv_2","rid":4}"#, rid: 4, .inviteDecline(invite: "inv_2"))
        assertRequest(#"{"op":"party.regenerate_code","rid":5}"#, rid: 5, .regenerateCode)
        assertRequest(#"{"op":"party.set_open","open":false,"rid":6}"#, rid: 6, .setOpen(false))
        assertRequest(#"{"op":"party.set_open","open":true}"#, rid: nil, .setOpen(true))
        assertRequest(#"{"op":"party.set_invite_policy","policy":"leader","rid":7}"#, rid: 7, .setInvitePolicy(.leader))
        assertRequest(#"{"op":"party.set_invite_policy","policy":"members"}"#, rid: nil, .setInvitePolicy(.members))
        assertRequest(
            #"{"op":"party.set_composition","composition":{"tank":1,"healer":2,"dps":3},"rid":8}"#, rid: 8,
            .setComposition(Composition(tank: 1, healer: 2, dps: 3)))
        assertRequest(#"{"op":"party.set_composition","composition":null}"#, rid: nil, .setComposition(nil))
        assertRequest(#"{"op":"party.request_accept","player":"carol","rid":9}"#, rid: 9, .requestAccept(player: "carol"))
        assertRequest(#"{"op":"party.request_reject","player":"carol"}"#, rid: nil, .requestReject(player: "carol"))
        assertRequest(#"{"op":"party.signal","kind":"ping","data":{"x":1},"rid":10}"#, rid: 10, .signal(kind: "ping", data: #"{"x":1}"#))
        assertRequest(#"{"op":"party.ready_check","rid":11}"#, rid: 11, .readyCheck)
        assertRequest(#"{"op":"party.ready","ready":true,"rid":12}"#, rid: 12, .ready(true))
        assertRequest(#"{"op":"party.ready","ready":false}"#, rid: nil, .ready(false))
        assertRequest(#"{"op":"party.history","rid":13}"#, rid: 13, .history(beforeSeq: nil, limit: nil))
        assertRequest(#"{"op":"party.history","before_seq":40,"limit":10}"#, rid: nil, .history(beforeSeq: 40, limit: 10))
        assertRequest(#"{"op":"party.history","before_seq":0,"limit":null}"#, rid: nil, .history(beforeSeq: 0, limit: nil))
        assertRequest(#"{"op":"session.resume","party":"p-1","after_seq":17,"rid":14}"#, rid: 14, .resume(party: "p-1", afterSeq: 17))
        assertRequest(#"{"op":"session.resume","party":"p-1","after_seq":0}"#, rid: nil, .resume(party: "p-1", afterSeq: 0))
    }

    func testBadFieldsOfTheNewOperationsAreInvalidMessagesWithTheRid() {
        for fields in [
            #""op":"party.join","invite_code":"AB","role":"mage""#, #""op":"party.join","invite_code":"AB","role":1"#,
            #""op":"party.invite""#, #""op":"party.invite","player":5"#, #""op":"party.invite","player":null"#,
            #""op":"party.invite_accept""#, #""op":"party.invite_accept","invite":1"#,
            #""op":"party.invite_accept","invite":"inv_1","role":"mage""#, #""op":"party.invite_accept","invite":"inv_1","role":false"#,
            #""op":"party.invite_decline""#, #""op":"party.invite_decline","invite":["inv_1"]"#,
            #""op":"party.set_open""#, #""op":"party.set_open","open":"true""#, #""op":"party.set_open","open":null"#,
            #""op":"party.set_open","open":1"#,
            #""op":"party.set_invite_policy""#, #""op":"party.set_invite_policy","policy":"everyone""#,
            #""op":"party.set_invite_policy","policy":"LEADER""#, #""op":"party.set_invite_policy","policy":1"#,
            #""op":"party.request_accept""#, #""op":"party.request_reject","player":{}"#,
            #""op":"party.ready""#, #""op":"party.ready","ready":"yes""#, #""op":"party.ready","ready":null"#,
            #""op":"party.ready","ready":0"#,
            #""op":"party.history","before_seq":-1"#, #""op":"party.history","limit":0"#, #""op":"party.history","limit":-5"#,
            #""op":"party.history","limit":"5""#, #""op":"party.history","before_seq":1.5"#,
            #""op":"session.resume","after_seq":3"#, #""op":"session.resume","party":"p""#,
            #""op":"session.resume","party":"p","after_seq":-1"#, #""op":"session.resume","party":"p","after_seq":null"#,
            #""op":"session.resume","party":"p","after_seq":"3""#, #""op":"session.resume","party":5,"after_seq":3"#,
        ] {
            assertFailure("{\(fields),\"rid\":21}", rid: 21, .invalidMessage)
        }
    }

    func testACompositionIsAnObjectOfRoleSlotsFrom0To100() {
        assertRequest(
            #"{"op":"party.set_composition","composition":{"dps":3}}"#, rid: nil, .setComposition(Composition(tank: 0, healer: 0, dps: 3)))
        assertRequest(#"{"op":"party.set_composition","composition":{}}"#, rid: nil, .setComposition(Composition(tank: 0, healer: 0, dps: 0)))
        assertRequest(
            #"{"op":"party.set_composition","composition":{ "tank" : 100 , "healer":0 }}"#, rid: nil,
            .setComposition(Composition(tank: 100, healer: 0, dps: 0)))
        assertRequest(
            #"{"op":"party.set_composition","composition":{"t\u0061nk":2}}"#, rid: nil, .setComposition(Composition(tank: 2, healer: 0, dps: 0)))
        for value in [
            "", #","composition":"tank""#, #","composition":[1,1,1]"#, #","composition":3"#, #","composition":true"#,
            #","composition":{"tank":-1}"#, #","composition":{"tank":101}"#, #","composition":{"tank":1.5}"#,
            #","composition":{"tank":"1"}"#, #","composition":{"tank":null}"#, #","composition":{"mage":1}"#,
            #","composition":{"tank":1,"healer":{"x":1}}"#, #","composition":{"Tank":1}"#,
        ] {
            assertFailure(#"{"op":"party.set_composition"\#(value),"rid":22}"#, rid: 22, .invalidMessage)
        }
        assertFailure(#"{"op":"party.set_composition","composition":{"tank":1,},"rid":22}"#, rid: nil, .invalidMessage)
    }

    func testSignalDataIsRelayedAsTheClientWroteIt() {
        assertRequest(
            #"{"op":"party.signal","kind":"pos","data": [1, {"y":null}, "é\n"] }"#, rid: nil,
            .signal(kind: "pos", data: #"[1, {"y":null}, "é\n"]"#))
        assertRequest(#"{"op":"party.signal","kind":"k","data":null}"#, rid: nil, .signal(kind: "k", data: "null"))
        assertRequest(#"{"op":"party.signal","kind":"k","data":"text"}"#, rid: nil, .signal(kind: "k", data: #""text""#))
        assertRequest(#"{"data":-1.5e3,"kind":"k","op":"party.signal"}"#, rid: nil, .signal(kind: "k", data: "-1.5e3"))
    }

    func testSignalKindIs1To64BytesAndDataIsRequired() {
        let longest = String(repeating: "k", count: 64)
        assertRequest(#"{"op":"party.signal","kind":"\#(longest)","data":1}"#, rid: nil, .signal(kind: longest, data: "1"))
        for fields in [
            #""kind":"","data":1"#, #""kind":"\#(longest)k","data":1"#, #""kind":5,"data":1"#, #""kind":null,"data":1"#,
            #""data":1"#, #""kind":"k""#,
        ] {
            assertFailure(#"{"op":"party.signal",\#(fields),"rid":23}"#, rid: 23, .invalidMessage)
        }
    }

    func testSignalDataOver2048BytesIsRefused() {
        // A JSON string of 2048 bytes, quotes included, then one of 2049.
        let limit = #"""# + String(repeating: "a", count: 2046) + #"""#
        assertRequest(#"{"op":"party.signal","kind":"k","data":\#(limit)}"#, rid: nil, .signal(kind: "k", data: limit))
        let over = #"""# + String(repeating: "a", count: 2047) + #"""#
        assertFailure(#"{"op":"party.signal","kind":"k","data":\#(over),"rid":24}"#, rid: 24, .invalidMessage)
        // Bytes, not characters: 1023 two-byte "é" and the quotes are 2048 bytes; one more is over.
        let accents = #"""# + String(repeating: "é", count: 1023) + #"""#
        assertRequest(#"{"op":"party.signal","kind":"k","data":\#(accents)}"#, rid: nil, .signal(kind: "k", data: accents))
        assertFailure(#"{"op":"party.signal","kind":"k","data":"é\#(accents.dropFirst()),"rid":24}"#, rid: 24, .invalidMessage)
        let array = "[" + Array(repeating: "1", count: 1025).joined(separator: ",") + "]"  // 2051 bytes
        assertFailure(#"{"op":"party.signal","kind":"k","data":\#(array),"rid":24}"#, rid: 24, .invalidMessage)
    }

    func testIdemIsAKeyOf1To64BytesOnAnyOperation() {
        let longest = String(repeating: "i", count: 64)
        assertRequest(#"{"op":"party.chat","text":"hi","idem":"a1"}"#, rid: nil, .chat(text: "hi"), idem: "a1")
        assertRequest(#"{"idem":"\#(longest)","op":"party.leave","rid":3}"#, rid: 3, .leave, idem: longest)
        assertRequest(#"{"op":"party.get","idem":"é"}"#, rid: nil, .get, idem: "é")
        assertRequest(#"{"op":"party.create","idem":null}"#, rid: nil, .create())
        for value in [#""""#, #""\#(longest)i""#, "5", "true", #"["k"]"#, String(repeating: "é", count: 33).debugDescription] {
            assertFailure(#"{"op":"party.leave","idem":\#(value),"rid":25}"#, rid: 25, .invalidMessage)
        }
    }
}
