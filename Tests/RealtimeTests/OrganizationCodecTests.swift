import Protocol
import XCTest

@testable import Realtime

/// Organization requests and the directory's state come back equal from their bytes; the tag
/// numbers are pinned; a directory whose parts do not fit together is refused.
final class OrganizationCodecTests: XCTestCase {
    /// Every operation, each optional field nil and set, every role and description update.
    static let allOperations: [OrganizationOperation] =
        [
            .createOrganization(name: "Knights", owner: nil), .createOrganization(name: "Knïghts 🛡", owner: "bob"),
            .getOrganization(id: "o1"), .listOrganizationMembers(organization: "o1"),
            .removeOrganizationMember(organization: "o1", user: "bob"),
            .createGroup(organization: "o1", name: "Raid", description: nil),
            .createGroup(organization: "o1", name: "Raid", description: "Tuesdays\n"), .listGroups(organization: "o1"),
            .getGroup(id: "g1"), .updateGroup(id: "g1", name: nil, description: .keep),
            .updateGroup(id: "g1", name: "New", description: .replace(with: nil)),
            .updateGroup(id: "g1", name: nil, description: .replace(with: "")), .deleteGroup(id: "g1"),
            .regenerateGroupCode(group: "g1"), .listGroupMembers(group: "g1"),
            .removeGroupMember(group: "g1", user: "bob"),
            .leaveGroup(group: "g1"), .joinGroup(inviteCode: "ABCD2345"),
        ] + OrganizationRole.allCases.map { .setOrganizationMember(organization: "o1", user: "bob", role: $0) }

    func testTheOperationListCoversEveryEndpoint() {
        XCTAssertEqual(Set(Self.allOperations.map(\.kind)), Set(OrganizationOperation.Kind.allCases))
    }

    func testEveryRequestAndInputRoundTrips() throws {
        let seed = OrganizationSeed(id: "7f0c2b5e-1d1e-4c44-9a55-0d6a2b6f1e11", inviteCode: "ABCD2345")
        for (index, operation) in Self.allOperations.enumerated() {
            for caller in [OrganizationCaller(user: "alice"), OrganizationCaller(user: "tools", isService: true)] {
                let request = OrganizationRequest(caller: caller, operation: operation)
                XCTAssertEqual(try roundTripped(request), request)
                let input = HubInput.organizationRequest(
                    SessionID(rawValue: UInt64(index)), request, now: Int64(index) * 1000 - 1,
                    seed: index % 2 == 0 ? seed : nil)
                XCTAssertEqual(try roundTripped(input), input)
            }
        }
    }

    func testTagsAreTheirFixedNumbers() {
        let input = HubInput.organizationRequest(
            SessionID(rawValue: 7),
            OrganizationRequest(
                caller: OrganizationCaller(user: "a", isService: true), operation: .leaveGroup(group: "g")),
            now: 1, seed: OrganizationSeed(id: "i", inviteCode: "c"))
        // input tag, session, caller (string, bool), operation tag + group, now, seed present + id + code.
        XCTAssertEqual(encoded { input.encode(into: &$0) }, [6, 7, 1, 0x61, 1, 14, 1, 0x67, 2, 1, 1, 0x69, 1, 0x63])
        let tags = Self.allOperations.map { operation in encoded { operation.encode(into: &$0) }[0] }
        let expected: [OrganizationOperation.Kind: UInt8] = [
            .createOrganization: 1, .getOrganization: 2, .listOrganizationMembers: 3, .setOrganizationMember: 4,
            .removeOrganizationMember: 5, .createGroup: 6, .listGroups: 7, .getGroup: 8, .updateGroup: 9,
            .deleteGroup: 10,
            .regenerateGroupCode: 11, .listGroupMembers: 12, .removeGroupMember: 13, .leaveGroup: 14, .joinGroup: 15,
        ]
        for (operation, tag) in zip(Self.allOperations, tags) {
            XCTAssertEqual(tag, expected[operation.kind], "\(operation)")
        }
        XCTAssertEqual(OrganizationRole.allCases.map { role in encoded { role.encode(into: &$0) } }, [[1], [2], [3]])
    }

    func testTruncatedRequestsAreRefusedNeverTrapped() {
        for operation in Self.allOperations {
            let bytes = encoded {
                OrganizationRequest(caller: OrganizationCaller(user: "alice"), operation: operation).encode(into: &$0)
            }
            for length in 0..<bytes.count {
                XCTAssertThrowsError(
                    try decoded(Array(bytes[0..<length])) { try OrganizationRequest(decoding: &$0) }, "\(operation)")
            }
        }
        XCTAssertThrowsError(
            try decoded([1, 0x61, 0, 16]) { try OrganizationRequest(decoding: &$0) }, "an unknown operation tag")
    }

    // MARK: State

    /// A directory with organizations, members of every role, groups with and without members
    /// and descriptions, a handed-over ownership and a regenerated code.
    static func populatedHub() -> Hub {
        let driver = OrganizationDriver()
        let id = driver.guild()
        let raid = driver.group(in: id, name: "Raid")
        let vip = driver.group(in: id, name: "VIP", by: "mona")
        driver.join("bob", code: raid.inviteCode ?? "")
        driver.join("carol", code: raid.inviteCode ?? "")
        driver.request(.updateGroup(id: vip.id, name: nil, description: .replace(with: "by invitation")), by: "alice")
        driver.request(.regenerateGroupCode(group: raid.id), by: "mona")
        let other = driver.organization(owner: "rex", name: "Rivals")
        driver.request(.setOrganizationMember(organization: other, user: "sam", role: .owner), by: "rex")
        return driver.hub
    }

    func testAHubWithOrganizationsRoundTripsToTheSameBytes() throws {
        let hub = Self.populatedHub()
        XCTAssertEqual(hub.organizationCount, 2)
        XCTAssertEqual(hub.groupCount, 2)
        let bytes = encoded { hub.encodeState(into: &$0) }
        let restored = try decoded(bytes) { try Hub(decodingState: &$0) }
        XCTAssert(restored == hub, "restored vs live: \(firstDifference(restored, hub) ?? "?")")
        XCTAssertEqual(encoded { restored.encodeState(into: &$0) }, bytes)
        XCTAssertEqual(try roundTripped(hub.organizations), hub.organizations)
    }

    func testADirectoryWhosePartsDoNotFitIsRefused() {
        let directory = Self.populatedHub().organizations
        guard let (groupID, group) = directory.groups.first(where: { !$0.value.members.isEmpty }),
            let organizationID = directory.organizations.keys.first(where: {
                directory.organizations[$0]?.groupIDs.contains(groupID) ?? false
            })
        else { return XCTFail("the fixture has a group with members") }
        let breakages: [(String, (inout OrganizationDirectory) -> Void)] = [
            ("a code that leads nowhere", { $0.groupIDByCode["ZZZZZZZZ"] = "gone" }),
            ("a group's code not indexed", { $0.groupIDByCode[group.inviteCode] = nil }),
            (
                "a group no organization lists",
                { $0.organizations[organizationID]?.groupIDs.removeAll { $0 == groupID } }
            ),
            ("a listed group that is not there", { $0.organizations[organizationID]?.groupIDs.append("missing") }),
            (
                "a group member outside the organization",
                { $0.groups[groupID]?.members["olga"] = GroupMembership(invitedBy: "alice", joinedAt: 1) }
            ),
            ("two owners", { $0.organizations[organizationID]?.members["bob"]?.role = .owner }),
            ("no owner", { $0.organizations[organizationID]?.members["alice"] = nil }),
            ("an organization under another id", { $0.organizations["elsewhere"] = $0.organizations[organizationID] }),
            ("a group filed under another id", { $0.groups["other"] = $0.groups[groupID] }),
        ]
        for (what, breakage) in breakages {
            var broken = directory
            breakage(&broken)
            XCTAssertNotNil(broken.firstInconsistency(), what)
            let bytes = encoded { broken.encode(into: &$0) }
            XCTAssertThrowsError(try decoded(bytes) { try OrganizationDirectory(decoding: &$0) }, what)
        }
        XCTAssertNil(directory.firstInconsistency())
    }
}
