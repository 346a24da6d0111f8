import Foundation
import Protocol
import XCTest

/// The API's responses: each reply's status and exact JSON, invite links from the public URL
/// only where a code is shown, 204 without a body, and error bodies that name the field.
final class OrganizationResponseEncoderTests: XCTestCase {
    private let writer = ByteWriter()
    private let group = GroupSnapshot(
        id: "g1", organizationID: "o1", name: "Raid \"A\"", description: nil, inviteCode: "ABCD2345",
        createdBy: "alice",
        createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_500, memberCount: 2)

    private func encode(_ reply: OrganizationReply, publicURL: String? = nil) -> (
        status: Int, body: String, type: String?
    ) {
        let response = OrganizationResponseEncoder.response(to: reply, publicURL: publicURL, using: writer)
        return (
            response.status.rawValue, String(decoding: response.body, as: UTF8.self),
            response.headers.first { $0.name == "Content-Type" }?.value
        )
    }

    func testOrganizationsAndTheirMembers() {
        let organization = OrganizationSnapshot(id: "o1", name: "Knights", owner: "alice", createdAt: 5, memberCount: 3)
        let created = encode(.organization(organization, created: true))
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.type, "application/json")
        XCTAssertEqual(
            created.body,
            #"{"organization":{"id":"o1","name":"Knights","owner":"alice","created_at":5,"member_count":3}}"#)
        XCTAssertEqual(encode(.organization(organization, created: false)).status, 200)
        let members = encode(
            .organizationMembers([
                OrganizationMemberSnapshot(user: "alice", role: .owner, joinedAt: 5),
                OrganizationMemberSnapshot(user: "bob", role: .member, joinedAt: 6),
            ]))
        XCTAssertEqual(members.status, 200)
        XCTAssertEqual(
            members.body,
            #"{"members":[{"user_id":"alice","role":"OWNER","joined_at":5},{"user_id":"bob","role":"MEMBER","joined_at":6}]}"#
        )
        XCTAssertEqual(
            encode(.organizationMember(OrganizationMemberSnapshot(user: "mona", role: .moderator, joinedAt: 7))).body,
            #"{"member":{"user_id":"mona","role":"MODERATOR","joined_at":7}}"#)
        XCTAssertEqual(encode(.organizationMembers([])).body, #"{"members":[]}"#)
    }

    func testGroupsWithAndWithoutTheirCodeAndLink() {
        let shown = encode(.group(group, created: true))
        XCTAssertEqual(shown.status, 201)
        XCTAssertEqual(
            shown.body,
            #"{"group":{"id":"g1","organization_id":"o1","name":"Raid \"A\"","description":null,"invite_code":"ABCD2345","created_by":"alice","created_at":1700000000000,"updated_at":1700000000500,"member_count":2}}"#
        )
        let linked = encode(.group(group, created: false), publicURL: "https://play.example.com")
        XCTAssertEqual(linked.status, 200)
        XCTAssertTrue(
            linked.body.contains(
                #""invite_code":"ABCD2345","invite_link":"https://play.example.com/groups/join/ABCD2345","created_by""#),
            linked.body)
        let hidden = GroupSnapshot(
            id: "g1", organizationID: "o1", name: "R", description: "Tuesdays\n", inviteCode: nil, createdBy: "alice",
            createdAt: 1,
            updatedAt: 2, memberCount: 1)
        let member = encode(.groups([hidden, hidden]), publicURL: "https://play.example.com")
        XCTAssertEqual(
            member.body,
            "{\"groups\":["
                + Array(
                    repeating:
                        #"{"id":"g1","organization_id":"o1","name":"R","description":"Tuesdays\n","invite_code":null,"created_by":"alice","created_at":1,"updated_at":2,"member_count":1}"#,
                    count: 2
                ).joined(separator: ",") + "]}")
        XCTAssertFalse(member.body.contains("invite_link"), "no link where the code is hidden")
        XCTAssertEqual(encode(.groups([])).body, #"{"groups":[]}"#)
    }

    func testCodesGroupMembersAndNoContent() {
        XCTAssertEqual(encode(.inviteCode("HJKM2345")).body, #"{"invite_code":"HJKM2345"}"#)
        XCTAssertEqual(
            encode(.inviteCode("HJKM2345"), publicURL: "http://localhost:8084").body,
            #"{"invite_code":"HJKM2345","invite_link":"http://localhost:8084/groups/join/HJKM2345"}"#)
        XCTAssertEqual(
            encode(.groupMembers([GroupMemberSnapshot(user: "bob", invitedBy: "alice", joinedAt: 9)])).body,
            #"{"members":[{"user_id":"bob","invited_by":"alice","joined_at":9}]}"#)
        let done = OrganizationResponseEncoder.response(to: .done, publicURL: nil, using: writer)
        XCTAssertEqual(done.status, .noContent)
        XCTAssertEqual(done.body, [])
        XCTAssertEqual(
            String(decoding: done.serialized(keepAlive: true), as: UTF8.self), "HTTP/1.1 204 No Content\r\n\r\n")
    }

    func testEveryErrorCodeHasItsStatusAndABodyThatNamesTheField() {
        let statuses: [(OrganizationErrorCode, Int)] = [
            (.invalidRequest, 400), (.unauthorized, 401), (.forbidden, 403), (.notOrgMember, 403), (.notFound, 404),
            (.methodNotAllowed, 405), (.alreadyMember, 409), (.limitReached, 409), (.payloadTooLarge, 413),
            (.internalError, 500),
            (.unavailable, 503),
        ]
        for (code, status) in statuses {
            let refused = encode(.refused(OrganizationError(code, "why")))
            XCTAssertEqual(refused.status, status, code.rawValue)
            XCTAssertEqual(refused.body, "{\"error\":{\"code\":\"\(code.rawValue)\",\"message\":\"why\"}}")
        }
        XCTAssertEqual(
            encode(.refused(OrganizationError(.invalidRequest, "\"name\" is \"bad\"", field: "name"))).body,
            #"{"error":{"code":"invalid_request","message":"\"name\" is \"bad\"","field":"name"}}"#)
        let allowed = OrganizationResponseEncoder.errorResponse(
            OrganizationError(.methodNotAllowed, "no"), headers: [("Allow", "GET")])
        XCTAssertTrue(allowed.headers.contains { $0.name == "Allow" && $0.value == "GET" })
    }

    func testEveryBodyIsJSON() throws {
        let replies: [OrganizationReply] = [
            .organization(
                OrganizationSnapshot(id: "o\u{1}", name: "K\\", owner: "a", createdAt: -1, memberCount: 0),
                created: true),
            .group(group, created: false), .groups([group]), .inviteCode("ABCD2345"),
            .groupMembers([GroupMemberSnapshot(user: "b", invitedBy: "a", joinedAt: 0)]),
            .refused(OrganizationError(.notFound, "tab\there", field: "f")),
        ]
        for reply in replies {
            let body = OrganizationResponseEncoder.response(to: reply, publicURL: "https://x", using: writer).body
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(body)), "\(reply)")
        }
    }
}
