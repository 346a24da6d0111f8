import Protocol
import XCTest

/// The API's paths: every endpoint's path and its parameters, percent-decoding, what is not
/// an endpoint, and the methods each path takes.
final class OrganizationPathTests: XCTestCase {
    private func parse(_ path: String) -> OrganizationPath? { OrganizationPath.parse(path[...]) }

    func testEveryEndpointsPathParses() {
        XCTAssertEqual(parse("/api/v1/organizations"), .organizations)
        XCTAssertEqual(parse("/api/v1/organizations/o1"), .organization("o1"))
        XCTAssertEqual(parse("/api/v1/organizations/o1/members"), .organizationMembers("o1"))
        XCTAssertEqual(parse("/api/v1/organizations/o1/members/bob"), .organizationMember("o1", user: "bob"))
        XCTAssertEqual(parse("/api/v1/organizations/o1/groups"), .organizationGroups("o1"))
        XCTAssertEqual(parse("/api/v1/groups/g1"), .group("g1"))
        XCTAssertEqual(parse("/api/v1/groups/g1/regenerate-code"), .groupRegenerateCode("g1"))
        XCTAssertEqual(parse("/api/v1/groups/g1/members"), .groupMembers("g1"))
        XCTAssertEqual(parse("/api/v1/groups/g1/members/bob"), .groupMember("g1", user: "bob"))
        XCTAssertEqual(parse("/api/v1/groups/g1/leave"), .groupLeave("g1"))
        XCTAssertEqual(parse("/api/v1/groups/join/abcd2345"), .groupJoin(code: "abcd2345"))
    }

    func testJoinIsNeverTakenForAGroupID() {
        XCTAssertEqual(parse("/api/v1/groups/join/members"), .groupJoin(code: "members"))
        XCTAssertNil(parse("/api/v1/groups/join"))
        XCTAssertNil(parse("/api/v1/groups/join/A/B"))
    }

    func testParametersArePercentDecodedAndABrokenEscapeGivesNothing() {
        XCTAssertEqual(
            parse("/api/v1/organizations/o1/members/team%3Abob"), .organizationMember("o1", user: "team:bob"))
        XCTAssertEqual(parse("/api/v1/groups/g%2B1"), .group("g+1"))
        XCTAssertEqual(parse("/api/v1/groups/a+b"), .group("a+b"), "+ is itself in a path")
        XCTAssertEqual(parse("/api/v1/groups/g%zz"), .group(""))
        XCTAssertEqual(parse("/api/v1/groups/g%C3"), .group(""), "not UTF-8")
        XCTAssertEqual(parse("/api/v1/groups/g%"), .group(""))
    }

    func testWhatIsNotAnEndpoint() {
        for path in [
            "/", "/api", "/api/v1", "/api/v2/organizations", "/api/v1/organization", "/api/v1/organizations/o1/other",
            "/api/v1/organizations/o1/groups/g1", "/api/v1/organizations/o1/members/bob/more", "/api/v1/groups",
            "/api/v1/groups/g1/leave/now", "/api/v1/groups/g1/regenerate", "/api/v1/groups/g1/members/bob/x",
            "/api/v1/organizationsX", "/api/v1/organizations/a/b/c/d/e/f",
        ] {
            XCTAssertNil(parse(path), path)
        }
        XCTAssertEqual(
            parse("/api/v1/organizations/"), .organization(""), "a trailing slash names an empty id, which nothing has")
    }

    func testTheAPIsRootsAreRecognisedWhateverFollows() {
        for path in ["/api/v1/organizations", "/api/v1/organizations/x/y/z/w/v/u", "/api/v1/groups", "/api/v1/groups/"]
        {
            XCTAssertTrue(OrganizationPath.isUnderAPI(path[...]), path)
        }
        for path in ["/api/v1/organizationsX", "/api/v1/group", "/api/v1/social/party/events", "/healthz"] {
            XCTAssertFalse(OrganizationPath.isUnderAPI(path[...]), path)
        }
    }

    func testEachPathTakesItsMethodsAndNamesItsEndpoints() {
        let expected: [(OrganizationPath, [String: OrganizationOperation.Kind])] = [
            (.organizations, ["POST": .createOrganization]),
            (.organization("o"), ["GET": .getOrganization]),
            (.organizationMembers("o"), ["GET": .listOrganizationMembers]),
            (
                .organizationMember("o", user: "u"),
                ["PUT": .setOrganizationMember, "DELETE": .removeOrganizationMember]
            ),
            (.organizationGroups("o"), ["GET": .listGroups, "POST": .createGroup]),
            (.group("g"), ["GET": .getGroup, "PUT": .updateGroup, "DELETE": .deleteGroup]),
            (.groupRegenerateCode("g"), ["POST": .regenerateGroupCode]),
            (.groupMembers("g"), ["GET": .listGroupMembers]),
            (.groupMember("g", user: "u"), ["DELETE": .removeGroupMember]),
            (.groupLeave("g"), ["POST": .leaveGroup]),
            (.groupJoin(code: "c"), ["POST": .joinGroup]),
        ]
        var reached = Set<OrganizationOperation.Kind>()
        for (path, endpoints) in expected {
            XCTAssertEqual(Set(path.allowedMethods), Set(endpoints.keys), "\(path)")
            for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "get"] {
                XCTAssertEqual(path.endpoint(method: method), endpoints[method], "\(method) \(path)")
            }
            reached.formUnion(endpoints.values)
        }
        XCTAssertEqual(reached, Set(OrganizationOperation.Kind.allCases))
    }
}

/// Codes typed by hand: upper-cased, and refused when they are not of the form.
final class InviteCodeNormalizationTests: XCTestCase {
    func testLowerAndMixedCaseBecomeTheStoredForm() {
        XCTAssertEqual(InviteCode.normalized("abcd2345"), "ABCD2345")
        XCTAssertEqual(InviteCode.normalized("AbCd2345"), "ABCD2345")
        XCTAssertEqual(InviteCode.normalized("ABCD2345"), "ABCD2345")
        XCTAssertEqual(InviteCode.normalized("hjkmnpqr"[...]), "HJKMNPQR")
    }

    func testWhatIsNotACodeIsNil() {
        for text in [
            "", "abcd234", "abcd23456", "abcd2340", "abcdo234", "abcdi234", "abcdl234", "abcd1234", "abcd 234",
            "äbcd2345", "ABCD234\u{301}",
        ] {
            XCTAssertNil(InviteCode.normalized(text), text)
        }
    }
}
