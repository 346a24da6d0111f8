import Foundation
import Protocol
import XCTest

@testable import Realtime

/// The organizations and groups API on a live server over loopback: every endpoint's success
/// and its refusals as HTTP (statuses, JSON bodies, `Allow`, `WWW-Authenticate`), service
/// tokens, invite links, answers in order on kept-alive connections on any loop, the metrics,
/// and the state across a restart.
final class OrganizationsServerTests: ServerTestCase {
    private var server: TestServer!
    private var client: RawWebSocketClient!

    private func start(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        server = try startServer {
            $0.publicURL = "https://play.example.com"
            configure(&$0)
        }
        client = try connect(server)
    }

    /// One request from `user` (a player) on the kept-alive client, or from the service.
    @discardableResult
    private func call(
        _ method: String, _ path: String, _ body: String? = nil, as user: String?, service: Bool = false
    ) throws -> RawHTTPResponse {
        let token = user.map { service ? server.serviceToken(for: $0) : server.token(for: $0) }
        return try client.request(method, path, json: body, token: token)
    }

    private func object(_ response: RawHTTPResponse, _ key: String, file: StaticString = #filePath, line: UInt = #line)
        throws
        -> [String: Any]
    {
        try XCTUnwrap(
            response.object[key] as? [String: Any], "\(response.statusLine) \(response.bodyText)", file: file,
            line: line)
    }

    /// alice's organization with mona (MODERATOR) and bob (MEMBER): its id.
    private func guild() throws -> String {
        let created = try call("POST", "/api/v1/organizations", #"{"name":"Knights"}"#, as: "alice")
        let id = try XCTUnwrap(try object(created, "organization")["id"] as? String)
        XCTAssertEqual(
            try call("PUT", "/api/v1/organizations/\(id)/members/mona", #"{"role":"MODERATOR"}"#, as: "alice").status,
            200)
        XCTAssertEqual(
            try call("PUT", "/api/v1/organizations/\(id)/members/bob", #"{"role":"MEMBER"}"#, as: "mona").status, 200)
        return id
    }

    // MARK: Events

    func testGroupEventsReachTheEventStreamWithOffsets() throws {
        try start()
        let organization = try guild()
        let group = try object(try call("POST", "/api/v1/organizations/\(organization)/groups", #"{"name":"Raid"}"#, as: "mona"), "group")
        let groupID = try XCTUnwrap(group["id"] as? String)
        let code = try XCTUnwrap(group["invite_code"] as? String)
        XCTAssertEqual(try call("POST", "/api/v1/groups/join/\(code.lowercased())", as: "bob").status, 200)
        XCTAssertEqual(try call("POST", "/api/v1/groups/\(groupID)/leave", as: "bob").status, 204)
        XCTAssertEqual(try call("DELETE", "/api/v1/groups/\(groupID)", as: "alice").status, 204)

        let page = try call("GET", "/api/v1/social/party/events?after=0&limit=100", as: "analytics", service: true)
        XCTAssertEqual(page.status, 200, page.bodyText)
        let events = try XCTUnwrap(page.object["events"] as? [[String: Any]])
        let groupEvents = events.filter { ($0["type"] as? String)?.hasPrefix("group.") ?? false }
        XCTAssertEqual(
            groupEvents.map { $0["type"] as? String },
            ["group.created", "group.member.added", "group.member.removed", "group.deleted"])
        XCTAssertEqual(groupEvents[0]["by"] as? String, "mona")
        XCTAssertEqual(groupEvents[1]["invited_by"] as? String, "mona")
        XCTAssertEqual(groupEvents[2]["reason"] as? String, "left")
        XCTAssertEqual(Set(groupEvents.map { $0["group"] as? String }), [groupID])
        let offsets = events.compactMap { ($0["offset"] as? NSNumber)?.uint64Value }
        XCTAssertEqual(offsets, Array(1...UInt64(offsets.count)), "contiguous from 1")
    }

    // MARK: Every endpoint

    func testEveryEndpointAnswersOverOneKeptAliveConnection() throws {
        try start()
        // Organizations.
        let created = try call("POST", "/api/v1/organizations", #"{"name":"  Knights  "}"#, as: "alice")
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.header("content-type"), "application/json")
        let organization = try object(created, "organization")
        let org = try XCTUnwrap(organization["id"] as? String)
        XCTAssertEqual(organization["name"] as? String, "Knights")
        XCTAssertEqual(organization["owner"] as? String, "alice")
        XCTAssertNotNil(organization["created_at"] as? Int64)
        let added = try call("PUT", "/api/v1/organizations/\(org)/members/bob", #"{"role":"MEMBER"}"#, as: "alice")
        XCTAssertEqual(added.status, 200)
        XCTAssertEqual(try object(added, "member")["role"] as? String, "MEMBER")
        XCTAssertEqual(try object(added, "member")["user_id"] as? String, "bob")
        let got = try call("GET", "/api/v1/organizations/\(org)", as: "bob")
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(try object(got, "organization")["member_count"] as? Int, 2)
        let members = try call("GET", "/api/v1/organizations/\(org)/members", as: "bob")
        XCTAssertEqual(
            (members.object["members"] as? [[String: Any]])?.map { $0["user_id"] as? String }, ["alice", "bob"])
        // Groups.
        let group = try call(
            "POST", "/api/v1/organizations/\(org)/groups", #"{"name":"Raid","description":"Tuesdays"}"#, as: "alice")
        XCTAssertEqual(group.status, 201)
        let made = try object(group, "group")
        let groupID = try XCTUnwrap(made["id"] as? String)
        let code = try XCTUnwrap(made["invite_code"] as? String)
        XCTAssertTrue(InviteCode.isWellFormed(code))
        XCTAssertEqual(made["invite_link"] as? String, "https://play.example.com/groups/join/\(code)")
        XCTAssertEqual(made["organization_id"] as? String, org)
        XCTAssertEqual(made["description"] as? String, "Tuesdays")
        XCTAssertEqual(made["created_by"] as? String, "alice")
        XCTAssertEqual(made["member_count"] as? Int, 0)
        let joined = try call("POST", "/api/v1/groups/join/\(code.lowercased())", as: "bob")
        XCTAssertEqual(joined.status, 200)
        XCTAssertTrue(try object(joined, "group")["invite_code"] is NSNull, "a MEMBER never sees the code")
        XCTAssertNil(try object(joined, "group")["invite_link"])
        let listed = try call("GET", "/api/v1/organizations/\(org)/groups", as: "alice")
        XCTAssertEqual((listed.object["groups"] as? [[String: Any]])?.map { $0["member_count"] as? Int }, [1])
        XCTAssertEqual(
            try object(try call("GET", "/api/v1/groups/\(groupID)", as: "bob"), "group")["name"] as? String, "Raid")
        let renamed = try call(
            "PUT", "/api/v1/groups/\(groupID)", #"{"name":"Raid B","description":null}"#, as: "alice")
        XCTAssertEqual(renamed.status, 200)
        XCTAssertTrue(try object(renamed, "group")["description"] is NSNull)
        let regenerated = try call("POST", "/api/v1/groups/\(groupID)/regenerate-code", as: "alice")
        XCTAssertEqual(regenerated.status, 200)
        let fresh = try XCTUnwrap(regenerated.object["invite_code"] as? String)
        XCTAssertNotEqual(fresh, code)
        XCTAssertEqual(regenerated.object["invite_link"] as? String, "https://play.example.com/groups/join/\(fresh)")
        let groupMembers = try call("GET", "/api/v1/groups/\(groupID)/members", as: "alice")
        XCTAssertEqual(groupMembers.status, 200)
        let bob = try XCTUnwrap((groupMembers.object["members"] as? [[String: Any]])?.first)
        XCTAssertEqual(bob["user_id"] as? String, "bob")
        XCTAssertEqual(bob["invited_by"] as? String, "alice")
        XCTAssertNotNil(bob["joined_at"] as? Int64)
        let left = try call("POST", "/api/v1/groups/\(groupID)/leave", as: "bob")
        XCTAssertEqual(left.status, 204)
        XCTAssertEqual(left.body, [])
        XCTAssertNil(left.header("content-length"))
        XCTAssertEqual(try call("POST", "/api/v1/groups/join/\(fresh)", as: "bob").status, 200)
        XCTAssertEqual(try call("DELETE", "/api/v1/groups/\(groupID)/members/bob", as: "alice").status, 204)
        XCTAssertEqual(try call("DELETE", "/api/v1/groups/\(groupID)", as: "alice").status, 204)
        XCTAssertEqual(try call("DELETE", "/api/v1/organizations/\(org)/members/bob", as: "alice").status, 204)
        XCTAssertEqual(try call("GET", "/api/v1/organizations/\(org)", as: "bob").status, 404)
        XCTAssertEqual(try client.get("/healthz").status, 200, "still the same connection")
    }

    // MARK: Refusals

    func testRefusalsByRoleAreForbiddenNotOrgMemberNotFoundAndAlreadyMember() throws {
        try start()
        let org = try guild()
        let group = try object(
            try call("POST", "/api/v1/organizations/\(org)/groups", #"{"name":"Raid"}"#, as: "mona"), "group")
        let groupID = try XCTUnwrap(group["id"] as? String)
        let code = try XCTUnwrap(group["invite_code"] as? String)
        let memberCreates = try call("POST", "/api/v1/organizations/\(org)/groups", #"{"name":"Mine"}"#, as: "bob")
        XCTAssertEqual(memberCreates.status, 403)
        XCTAssertEqual(memberCreates.errorCode, "forbidden")
        XCTAssertEqual(
            try call("DELETE", "/api/v1/groups/\(groupID)", as: "mona").errorCode, "forbidden",
            "a MODERATOR may not delete")
        // Bob is not in the group: it does not exist for him, exactly as an unknown one.
        let hidden = try call("GET", "/api/v1/groups/\(groupID)", as: "bob")
        let unknown = try call("GET", "/api/v1/groups/00000000-0000-4000-8000-000000000000", as: "bob")
        XCTAssertEqual(hidden.status, 404)
        XCTAssertEqual(hidden.errorCode, "not_found")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(
            hidden.bodyText.replacingOccurrences(of: groupID, with: "ID"),
            unknown.bodyText.replacingOccurrences(of: "00000000-0000-4000-8000-000000000000", with: "ID"))
        XCTAssertEqual(try call("GET", "/api/v1/organizations/\(org)/groups", as: "olga").status, 404)
        let outsider = try call("POST", "/api/v1/groups/join/\(code)", as: "olga")
        XCTAssertEqual(outsider.status, 403)
        XCTAssertEqual(outsider.errorCode, "not_org_member")
        XCTAssertEqual(try call("POST", "/api/v1/groups/join/\(code)", as: "bob").status, 200)
        let again = try call("POST", "/api/v1/groups/join/\(code)", as: "bob")
        XCTAssertEqual(again.status, 409)
        XCTAssertEqual(again.errorCode, "already_member")
        XCTAssertEqual(try call("GET", "/api/v1/groups/\(groupID)/members", as: "bob").errorCode, "forbidden")
        XCTAssertEqual(try call("POST", "/api/v1/groups/join/ZZZZZZZZ", as: "bob").status, 404)
        XCTAssertEqual(try call("POST", "/api/v1/groups/join/not-a-code", as: "bob").status, 404)
        XCTAssertEqual(try call("DELETE", "/api/v1/groups/\(groupID)/members/carol", as: "alice").status, 404)
        XCTAssertEqual(try call("POST", "/api/v1/groups/\(groupID)/leave", as: "alice").status, 404)
    }

    func testAServiceTokenMayDoWhatTheOwnerMay() throws {
        try start()
        let made = try call(
            "POST", "/api/v1/organizations", #"{"name":"Tools' guild","owner":"alice"}"#, as: "tools", service: true)
        XCTAssertEqual(made.status, 201)
        let org = try XCTUnwrap(try object(made, "organization")["id"] as? String)
        XCTAssertEqual(try object(made, "organization")["owner"] as? String, "alice")
        let noOwner = try call("POST", "/api/v1/organizations", #"{"name":"X"}"#, as: "tools", service: true)
        XCTAssertEqual(noOwner.status, 400)
        XCTAssertEqual((noOwner.object["error"] as? [String: Any])?["field"] as? String, "owner")
        XCTAssertEqual(
            try call(
                "PUT", "/api/v1/organizations/\(org)/members/bob", #"{"role":"MODERATOR"}"#, as: "tools", service: true
            ).status, 200)
        let group = try call(
            "POST", "/api/v1/organizations/\(org)/groups", #"{"name":"G"}"#, as: "tools", service: true)
        let groupID = try XCTUnwrap(try object(group, "group")["id"] as? String)
        XCTAssertEqual(try object(group, "group")["created_by"] as? String, "tools")
        XCTAssertEqual(try call("GET", "/api/v1/groups/\(groupID)/members", as: "tools", service: true).status, 200)
        XCTAssertEqual(try call("DELETE", "/api/v1/groups/\(groupID)", as: "tools", service: true).status, 204)
        XCTAssertEqual(
            try call("DELETE", "/api/v1/organizations/\(org)/members/alice", as: "tools", service: true).errorCode,
            "forbidden")
    }

    func testSignInMethodsPathsBodiesAndSizesAreRefusedInTheAPIsWay() throws {
        try start()
        let anonymous = try connect(server).request("GET", "/api/v1/organizations/x", token: nil)
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.errorCode, "unauthorized")
        XCTAssertEqual(anonymous.header("www-authenticate"), "Bearer")
        XCTAssertEqual(anonymous.header("connection"), "close")
        XCTAssertEqual(
            try connect(server).request(
                "POST", "/api/v1/organizations", json: #"{"name":"K"}"#, token: server.forgedToken(for: "alice")
            ).status, 401)
        let expired = try connect(server).request(
            "GET", "/api/v1/groups/g", token: server.token(for: "alice", expiresIn: -3600))
        XCTAssertEqual(expired.status, 401)

        let patched = try call("PATCH", "/api/v1/groups/g1", "{}", as: "alice")
        XCTAssertEqual(patched.status, 405)
        XCTAssertEqual(patched.header("allow"), "GET, PUT, DELETE")
        XCTAssertEqual(patched.errorCode, "method_not_allowed")
        XCTAssertEqual(try call("GET", "/api/v1/groups/join/ABCD2345", as: "alice").header("allow"), "POST")
        let unknownPath = try call("GET", "/api/v1/organizations/o1/nothing", as: "alice")
        XCTAssertEqual(unknownPath.status, 404)
        XCTAssertEqual(unknownPath.errorCode, "not_found")

        for (body, field) in [
            (#"{"name":""}"#, "name"), (#"{"name":"x","description":7}"#, "description"), ("{}", "name"),
        ] {
            let refused = try call("POST", "/api/v1/organizations/o1/groups", body, as: "alice")
            XCTAssertEqual(refused.status, 400, body)
            XCTAssertEqual(refused.errorCode, "invalid_request", body)
            XCTAssertEqual((refused.object["error"] as? [String: Any])?["field"] as? String, field, body)
        }
        XCTAssertEqual(try call("POST", "/api/v1/organizations", "not json", as: "alice").errorCode, "invalid_request")
        let badUser = try call("DELETE", "/api/v1/organizations/o1/members/bad%20user", as: "alice")
        XCTAssertEqual((badUser.object["error"] as? [String: Any])?["field"] as? String, "userId")
        let tooLong = String(repeating: "x", count: 101)
        XCTAssertEqual(try call("POST", "/api/v1/organizations", "{\"name\":\"\(tooLong)\"}", as: "alice").status, 400)
        XCTAssertEqual(try client.get("/healthz").status, 200, "a 400 keeps the connection")

        let huge = try connect(server)
        try huge.send(
            "POST /api/v1/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.token(for: "alice"))\r\nContent-Length: \(2 << 20)\r\n\r\n"
        )
        let refused = try huge.readHTTPResponse()
        XCTAssertEqual(refused.status, 413)
        XCTAssertEqual(refused.errorCode, "payload_too_large")
        XCTAssertEqual(try huge.readUntilEndOfStream(), 0, "the connection closes after a 413")
    }

    func testTheLimitsOfNamesAndDescriptionsAndAThousandGroups() throws {
        try start()
        let org = try guild()
        let name = String(repeating: "n", count: 100)
        let description = String(repeating: "d", count: 2000)
        let fits = try call(
            "POST", "/api/v1/organizations/\(org)/groups", "{\"name\":\"\(name)\",\"description\":\"\(description)\"}",
            as: "alice")
        XCTAssertEqual(fits.status, 201)
        XCTAssertEqual(
            try call(
                "POST", "/api/v1/organizations/\(org)/groups", "{\"name\":\"x\",\"description\":\"\(description)d\"}",
                as: "alice"
            ).status, 400)
        // 999 more, pipelined in batches, then one too many.
        let token = server.token(for: "alice")
        for batch in 0..<9 {
            let count = batch == 8 ? 199 : 100
            try client.send(
                (0..<count).map { index in
                    RawWebSocketClient.apiRequest(
                        "POST", "/api/v1/organizations/\(org)/groups", json: "{\"name\":\"G\(batch)-\(index)\"}",
                        token: token, port: server.port)
                }.joined())
            for _ in 0..<count { XCTAssertEqual(try client.readHTTPResponse().status, 201) }
        }
        let tooMany = try call("POST", "/api/v1/organizations/\(org)/groups", #"{"name":"one too many"}"#, as: "alice")
        XCTAssertEqual(tooMany.status, 409)
        XCTAssertEqual(tooMany.errorCode, "limit_reached")
        XCTAssertEqual(
            (try call("GET", "/api/v1/organizations/\(org)/groups", as: "mona").object["groups"] as? [Any])?.count, 1000
        )
    }

    // MARK: Delivery

    func testPipelinedRequestsAreAnsweredInOrderOnBothLoops() throws {
        try start { $0.threads = 2 }
        let org = try guild()
        let group = try object(
            try call("POST", "/api/v1/organizations/\(org)/groups", #"{"name":"Raid"}"#, as: "alice"), "group")
        let code = try XCTUnwrap(group["invite_code"] as? String)
        let groupID = try XCTUnwrap(group["id"] as? String)
        let token = server.token(for: "bob")
        // Connections alternate between the loops; each sends a write, a read and a write at once.
        for round in 0..<4 {
            let pipelined = try connect(server)
            let requests = [
                RawWebSocketClient.apiRequest(
                    "POST", "/api/v1/groups/join/\(code)", json: nil, token: token, port: server.port),
                RawWebSocketClient.apiRequest(
                    "GET", "/api/v1/groups/\(groupID)", json: nil, token: token, port: server.port),
                RawWebSocketClient.apiRequest(
                    "POST", "/api/v1/groups/\(groupID)/leave", json: nil, token: token, port: server.port,
                    close: round % 2 == 1),
            ]
            try pipelined.send(requests.joined())
            let joined = try pipelined.readHTTPResponse()
            XCTAssertEqual(joined.status, 200, joined.bodyText)
            let seen = try pipelined.readHTTPResponse()
            XCTAssertEqual(try object(seen, "group")["member_count"] as? Int, 1, "the read shows the join before it")
            XCTAssertEqual(try pipelined.readHTTPResponse().status, 204)
            if round % 2 == 1 {
                XCTAssertEqual(try pipelined.readUntilEndOfStream(), 0, "closed after Connection: close")
            }
        }
    }

    func testRequestsAreCountedByEndpointAndStatus() throws {
        try start()
        let org = try guild()
        _ = try call("GET", "/api/v1/organizations/\(org)", as: "olga")
        _ = try connect(server).request("GET", "/api/v1/organizations/\(org)", token: nil)
        XCTAssertEqual(
            try server.metric(#"partyhub_api_requests_total{endpoint="POST /api/v1/organizations",status="201"}"#), 1)
        XCTAssertEqual(
            try server.metric(
                #"partyhub_api_requests_total{endpoint="PUT /api/v1/organizations/{id}/members/{userId}",status="200"}"#
            ), 2)
        XCTAssertEqual(
            try server.metric(#"partyhub_api_requests_total{endpoint="GET /api/v1/organizations/{id}",status="404"}"#),
            1)
        XCTAssertEqual(
            try server.metric(#"partyhub_api_requests_total{endpoint="GET /api/v1/organizations/{id}",status="401"}"#),
            1)
        XCTAssertEqual(try server.metric("partyhub_organizations"), 1)
        XCTAssertEqual(try server.metric("partyhub_groups"), 0)
    }

    // MARK: Restart

    func testOrganizationsGroupsAndMembershipsSurviveARestart() throws {
        let directory = NSTemporaryDirectory() + "partyhub-orgs-\(UUID().uuidString)"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        try start { $0.dataDirectory = directory }
        let org = try guild()
        let group = try object(
            try call("POST", "/api/v1/organizations/\(org)/groups", #"{"name":"Raid"}"#, as: "alice"), "group")
        let groupID = try XCTUnwrap(group["id"] as? String)
        XCTAssertEqual(
            try call("POST", "/api/v1/groups/join/\(group["invite_code"] as? String ?? "")", as: "bob").status, 200)
        let regenerated = try call("POST", "/api/v1/groups/\(groupID)/regenerate-code", as: "mona")
        let code = try XCTUnwrap(regenerated.object["invite_code"] as? String)
        client.close()
        XCTAssertTrue(server.stop())

        try start { $0.dataDirectory = directory }
        XCTAssertEqual(try server.metric("partyhub_organizations"), 1, "the gauges show what recovery brought back")
        let seen = try object(try call("GET", "/api/v1/groups/\(groupID)", as: "alice"), "group")
        XCTAssertEqual(seen["invite_code"] as? String, code)
        XCTAssertEqual(seen["member_count"] as? Int, 1)
        XCTAssertEqual(try call("POST", "/api/v1/groups/join/\(code)", as: "mona").status, 200)
        let members =
            try call("GET", "/api/v1/groups/\(groupID)/members", as: "alice").object["members"] as? [[String: Any]]
        XCTAssertEqual(members?.map { $0["user_id"] as? String }, ["bob", "mona"])
        XCTAssertEqual(members?.map { $0["invited_by"] as? String }, ["alice", "mona"])
        client.close()
        XCTAssertTrue(server.stop(), "stopped before the directory is removed")
    }
}
