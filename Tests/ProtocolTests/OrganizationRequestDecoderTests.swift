import Protocol
import XCTest

/// Requests of the organizations API decoded from method, path and body: every endpoint, the
/// body's fields and their limits (names trimmed, 1-100 characters; descriptions up to 2000),
/// refusals that name the field, ids and codes that cannot name anything, and codes typed in
/// any case.
final class OrganizationRequestDecoderTests: XCTestCase {
    private func decode(_ method: String, _ path: String, _ body: String = "") -> Result<
        OrganizationOperation, OrganizationRequestDecoder.Refusal
    > {
        guard let parsed = OrganizationPath.parse(path[...]) else { fatalError("not an endpoint: \(path)") }
        return OrganizationRequestDecoder.decode(method: method, path: parsed, body: Array(body.utf8))
    }

    private func operation(_ method: String, _ path: String, _ body: String = "", line: UInt = #line)
        -> OrganizationOperation?
    {
        switch decode(method, path, body) {
        case .success(let operation): return operation
        case .failure(let refusal):
            XCTFail("\(method) \(path) \(body) was refused: \(refusal)", line: line)
            return nil
        }
    }

    private func refusal(_ method: String, _ path: String, _ body: String = "", line: UInt = #line)
        -> OrganizationError?
    {
        switch decode(method, path, body) {
        case .success(let operation):
            XCTFail("\(method) \(path) \(body) was taken as \(operation)", line: line)
            return nil
        case .failure(.methodNotAllowed(let allow)):
            XCTFail("\(method) \(path) is not allowed (\(allow))", line: line)
            return nil
        case .failure(.invalid(let error)): return error
        }
    }

    func testEveryEndpointDecodes() {
        let id = "7f0c2b5e-1d1e-4c44-9a55-0d6a2b6f1e11"
        XCTAssertEqual(
            operation("POST", "/api/v1/organizations", #"{"name":"Knights"}"#),
            .createOrganization(name: "Knights", owner: nil))
        XCTAssertEqual(
            operation("POST", "/api/v1/organizations", #"{"name":"Knights","owner":"bob"}"#),
            .createOrganization(name: "Knights", owner: "bob"))
        XCTAssertEqual(operation("GET", "/api/v1/organizations/\(id)"), .getOrganization(id: id))
        XCTAssertEqual(
            operation("GET", "/api/v1/organizations/o_1/members"), .listOrganizationMembers(organization: "o_1"))
        XCTAssertEqual(
            operation("PUT", "/api/v1/organizations/o1/members/bob", #"{"role":"MODERATOR"}"#),
            .setOrganizationMember(organization: "o1", user: "bob", role: .moderator))
        XCTAssertEqual(
            operation("DELETE", "/api/v1/organizations/o1/members/bob"),
            .removeOrganizationMember(organization: "o1", user: "bob"))
        XCTAssertEqual(
            operation("POST", "/api/v1/organizations/o1/groups", #"{"name":"Raid","description":"Tuesdays"}"#),
            .createGroup(organization: "o1", name: "Raid", description: "Tuesdays"))
        XCTAssertEqual(operation("GET", "/api/v1/organizations/o1/groups"), .listGroups(organization: "o1"))
        XCTAssertEqual(operation("GET", "/api/v1/groups/g1"), .getGroup(id: "g1"))
        XCTAssertEqual(
            operation("PUT", "/api/v1/groups/g1", #"{"name":"Raid B"}"#),
            .updateGroup(id: "g1", name: "Raid B", description: .keep))
        XCTAssertEqual(operation("DELETE", "/api/v1/groups/g1"), .deleteGroup(id: "g1"))
        XCTAssertEqual(operation("POST", "/api/v1/groups/g1/regenerate-code"), .regenerateGroupCode(group: "g1"))
        XCTAssertEqual(operation("GET", "/api/v1/groups/g1/members"), .listGroupMembers(group: "g1"))
        XCTAssertEqual(
            operation("DELETE", "/api/v1/groups/g1/members/bob"), .removeGroupMember(group: "g1", user: "bob"))
        XCTAssertEqual(operation("POST", "/api/v1/groups/g1/leave"), .leaveGroup(group: "g1"))
        XCTAssertEqual(operation("POST", "/api/v1/groups/join/ABCD2345"), .joinGroup(inviteCode: "ABCD2345"))
    }

    func testEndpointsWithoutABodyIgnoreOne() {
        XCTAssertEqual(operation("POST", "/api/v1/groups/g1/leave", "not json"), .leaveGroup(group: "g1"))
        XCTAssertEqual(operation("POST", "/api/v1/groups/join/ABCD2345", "{}"), .joinGroup(inviteCode: "ABCD2345"))
    }

    func testACodeIsTakenInAnyCaseAndAMalformedOneIsNotFound() {
        XCTAssertEqual(operation("POST", "/api/v1/groups/join/abcd2345"), .joinGroup(inviteCode: "ABCD2345"))
        XCTAssertEqual(operation("POST", "/api/v1/groups/join/aBcD2345"), .joinGroup(inviteCode: "ABCD2345"))
        for code in ["ABCD234", "ABCD23456", "ABCD2340", "ABCDI234", "abcdl234", "ÄBCD2345", "%C3%84BCD234", ""] {
            XCTAssertEqual(refusal("POST", "/api/v1/groups/join/\(code)")?.code, .notFound, code)
        }
        XCTAssertEqual(
            operation("POST", "/api/v1/groups/join/%61BCD2345"), .joinGroup(inviteCode: "ABCD2345"),
            "escaped, then upper-cased")
    }

    func testNamesAreTrimmedAndMustBeOneToAHundredCharacters() {
        XCTAssertEqual(
            operation("POST", "/api/v1/organizations", #"{"name":"  Knights of Ni \n"}"#),
            .createOrganization(name: "Knights of Ni", owner: nil))
        let hundred = String(repeating: "é", count: 100)
        XCTAssertEqual(
            operation("POST", "/api/v1/organizations", "{\"name\":\" \(hundred) \"}"),
            .createOrganization(name: hundred, owner: nil))
        let emoji = String(repeating: "👍🏽", count: 100)
        XCTAssertEqual(
            operation("POST", "/api/v1/organizations", "{\"name\":\"\(emoji)\"}"),
            .createOrganization(name: emoji, owner: nil),
            "characters, not bytes or scalars")
        for body in [
            #"{"name":""}"#, #"{"name":"   "}"#, "{\"name\":\"\(hundred)x\"}", #"{"name":null}"#, #"{"name":5}"#,
            #"{}"#,
            #"{"Name":"x"}"#,
        ] {
            XCTAssertEqual(refusal("POST", "/api/v1/organizations", body)?.field, "name", body)
            XCTAssertEqual(refusal("POST", "/api/v1/organizations/o1/groups", body)?.field, "name", body)
            XCTAssertEqual(refusal("POST", "/api/v1/organizations", body)?.code, .invalidRequest, body)
        }
        XCTAssertEqual(refusal("PUT", "/api/v1/groups/g1", #"{"name":" "}"#)?.field, "name")
        XCTAssertEqual(refusal("PUT", "/api/v1/groups/g1", #"{"name":null}"#)?.field, "name")
    }

    func testADescriptionIsOptionalNullableAndAtMostTwoThousandCharacters() {
        let limit = String(repeating: "ü", count: 2000)
        XCTAssertEqual(
            operation("POST", "/api/v1/organizations/o1/groups", "{\"name\":\"R\",\"description\":\"\(limit)\"}"),
            .createGroup(organization: "o1", name: "R", description: limit))
        XCTAssertEqual(
            operation("POST", "/api/v1/organizations/o1/groups", #"{"name":"R","description":null}"#),
            .createGroup(organization: "o1", name: "R", description: nil))
        for body in ["{\"name\":\"R\",\"description\":\"\(limit)x\"}", #"{"name":"R","description":3}"#] {
            XCTAssertEqual(refusal("POST", "/api/v1/organizations/o1/groups", body)?.field, "description")
        }
        XCTAssertEqual(
            operation("PUT", "/api/v1/groups/g1", #"{}"#), .updateGroup(id: "g1", name: nil, description: .keep))
        XCTAssertEqual(
            operation("PUT", "/api/v1/groups/g1", #"{"description":null}"#),
            .updateGroup(id: "g1", name: nil, description: .replace(with: nil)))
        XCTAssertEqual(
            operation("PUT", "/api/v1/groups/g1", #"{"description":"x","name":"N"}"#),
            .updateGroup(id: "g1", name: "N", description: .replace(with: "x")))
    }

    func testRolesOwnersAndUserIDsAreChecked() {
        for role in OrganizationRole.allCases {
            XCTAssertEqual(
                operation("PUT", "/api/v1/organizations/o1/members/bob", "{\"role\":\"\(role.rawValue)\"}"),
                .setOrganizationMember(organization: "o1", user: "bob", role: role))
        }
        for body in [#"{"role":"member"}"#, #"{"role":"ADMIN"}"#, #"{}"#, #"{"role":1}"#] {
            XCTAssertEqual(refusal("PUT", "/api/v1/organizations/o1/members/bob", body)?.field, "role", body)
        }
        XCTAssertEqual(refusal("POST", "/api/v1/organizations", #"{"name":"K","owner":"bad user!"}"#)?.field, "owner")
        XCTAssertEqual(refusal("POST", "/api/v1/organizations", #"{"name":"K","owner":7}"#)?.field, "owner")
        XCTAssertEqual(
            operation("POST", "/api/v1/organizations", #"{"name":"K","owner":null}"#),
            .createOrganization(name: "K", owner: nil))
        let long = String(repeating: "u", count: 65)
        for user in ["bad%20user", long, "%zz", "b%C3b"] {
            XCTAssertEqual(refusal("DELETE", "/api/v1/organizations/o1/members/\(user)")?.field, "userId", user)
            XCTAssertEqual(refusal("DELETE", "/api/v1/groups/g1/members/\(user)")?.field, "userId", user)
        }
        XCTAssertEqual(
            operation("DELETE", "/api/v1/groups/g1/members/team%3Abob"),
            .removeGroupMember(group: "g1", user: "team:bob"))
    }

    func testIDsThatNoOrganizationOrGroupCanHaveAreNotFound() {
        let long = String(repeating: "a", count: 65)
        for id in [long, "a.b", "%20", "", "é"] {
            XCTAssertEqual(refusal("GET", "/api/v1/organizations/\(id)")?.code, .notFound, id)
            XCTAssertEqual(refusal("GET", "/api/v1/groups/\(id)")?.code, .notFound, id)
            XCTAssertEqual(refusal("POST", "/api/v1/groups/\(id)/leave")?.code, .notFound, id)
        }
        XCTAssertEqual(
            operation("GET", "/api/v1/groups/\(String(repeating: "a", count: 64))"),
            .getGroup(id: String(repeating: "a", count: 64)))
    }

    func testABodyThatIsNotAJSONObjectIsRefused() {
        for body in ["", "not json", "[1]", "\"x\"", "{\"name\":", "{\"a\":[[[[[[[[[[1]]]]]]]]]]}"] {
            guard let error = refusal("POST", "/api/v1/organizations", body) else { continue }
            XCTAssertEqual(error.code, .invalidRequest, body)
            XCTAssertNil(error.field, body)
        }
    }

    func testAMethodThePathDoesNotTakeIsRefusedWithWhatItTakes() {
        XCTAssertEqual(try? decode("PATCH", "/api/v1/groups/g1").get(), nil)
        guard case .failure(.methodNotAllowed(let allow)) = decode("PATCH", "/api/v1/groups/g1") else {
            return XCTFail()
        }
        XCTAssertEqual(allow, "GET, PUT, DELETE")
        guard case .failure(.methodNotAllowed(let join)) = decode("GET", "/api/v1/groups/join/ABCD2345") else {
            return XCTFail()
        }
        XCTAssertEqual(join, "POST")
    }
}
