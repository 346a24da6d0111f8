import Protocol
import XCTest

@testable import Realtime

/// Who sees which groups, and the 404-not-403 rule: a group a caller may not see is answered
/// exactly as one that does not exist, on every endpoint, so nothing tells them it is there.
/// Codes are shown only to those who manage groups.
final class HubGroupVisibilityTests: XCTestCase {
    private let driver = OrganizationDriver()
    private let service = OrganizationDriver.service

    func testManagersSeeEveryGroupWithItsCodeAndAMemberOnlyTheirOwnWithout() {
        let id = driver.guild()
        let raid = driver.group(in: id, name: "Raid")
        let vip = driver.group(in: id, name: "VIP", by: "mona")
        let squad = driver.group(in: id, name: "Squad")
        driver.join("bob", code: raid.inviteCode ?? "")
        driver.join("bob", code: squad.inviteCode ?? "")
        for caller in [user("alice"), user("mona"), service] {
            let listed = OrganizationDriver.groups(driver.request(.listGroups(organization: id), by: caller).reply)
            XCTAssertEqual(
                listed?.map(\.id), [raid.id, vip.id, squad.id], "\(caller.user) sees them all, in the order made")
            XCTAssertEqual(listed?.map(\.inviteCode), [raid.inviteCode, vip.inviteCode, squad.inviteCode], caller.user)
            XCTAssertEqual(
                OrganizationDriver.group(driver.request(.getGroup(id: vip.id), by: caller).reply)?.inviteCode,
                vip.inviteCode)
        }
        let bobs = OrganizationDriver.groups(driver.request(.listGroups(organization: id), by: "bob").reply)
        XCTAssertEqual(bobs?.map(\.id), [raid.id, squad.id])
        XCTAssertEqual(bobs?.map(\.inviteCode), [nil, nil], "a MEMBER never sees a code")
        XCTAssertEqual(bobs?.map(\.memberCount), [1, 1])
        XCTAssertEqual(OrganizationDriver.groups(driver.request(.listGroups(organization: id), by: "carol").reply), [])
        XCTAssertEqual(driver.request(.listGroups(organization: id), by: "olga").reply, .refused(.noOrganization(id)))
        XCTAssertEqual(
            OrganizationDriver.group(driver.request(.getGroup(id: raid.id), by: "bob").reply)?.inviteCode, nil)
    }

    func testAHiddenGroupIsAnsweredOnEveryEndpointExactlyAsAnUnknownOne() {
        let id = driver.guild()
        let hidden = driver.group(in: id)
        driver.join("bob", code: hidden.inviteCode ?? "")
        // Carol is a MEMBER outside the group, Olga outside the organization.
        for caller in ["carol", "olga"] {
            for (hiddenOperation, unknownOperation) in operations(on: hidden.id).map({
                ($0(hidden.id), $0("id-unknown"))
            }) {
                let seen = driver.request(hiddenOperation, by: caller)
                let unknown = driver.request(unknownOperation, by: caller)
                XCTAssertEqual(seen.reply, .refused(.noGroup(hidden.id)), "\(caller): \(hiddenOperation)")
                XCTAssertEqual(unknown.reply, .refused(.noGroup("id-unknown")), "\(caller): \(unknownOperation)")
                XCTAssertEqual(seen.events, [])
            }
        }
        XCTAssertEqual(
            OrganizationDriver.group(driver.request(.getGroup(id: hidden.id), by: "alice").reply)?.memberCount, 1,
            "nothing changed")
    }

    func testAMemberWhoSeesAGroupGetsForbiddenForWhatOnlyManagersMayDo() {
        let id = driver.guild()
        let group = driver.group(in: id)
        driver.join("bob", code: group.inviteCode ?? "")
        for operation in [
            OrganizationOperation.updateGroup(id: group.id, name: "X", description: .keep), .deleteGroup(id: group.id),
            .regenerateGroupCode(group: group.id), .listGroupMembers(group: group.id),
            .removeGroupMember(group: group.id, user: "carol"),
        ] {
            XCTAssertEqual(
                OrganizationDriver.code(driver.request(operation, by: "bob").reply), .forbidden, "\(operation)")
        }
    }

    func testAGroupOfAnotherOrganizationIsHiddenFromItsOwner() {
        let knights = driver.guild()
        let rivals = driver.organization(owner: "rex", name: "Rivals")
        let theirs = driver.group(in: rivals, by: "rex")
        XCTAssertEqual(driver.request(.getGroup(id: theirs.id), by: "alice").reply, .refused(.noGroup(theirs.id)))
        XCTAssertEqual(
            driver.request(.listGroups(organization: rivals), by: "alice").reply, .refused(.noOrganization(rivals)))
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.joinGroup(inviteCode: theirs.inviteCode ?? ""), by: "alice").reply),
            .notOrgMember)
        XCTAssertEqual(
            OrganizationDriver.groups(driver.request(.listGroups(organization: knights), by: "alice").reply), [])
    }

    /// Every endpoint that names a group, for a group id.
    private func operations(on id: String) -> [(String) -> OrganizationOperation] {
        [
            { .getGroup(id: $0) }, { .updateGroup(id: $0, name: "X", description: .keep) }, { .deleteGroup(id: $0) },
            { .regenerateGroupCode(group: $0) }, { .listGroupMembers(group: $0) },
            { .removeGroupMember(group: $0, user: "bob") },
            { .leaveGroup(group: $0) },
        ]
    }
}
