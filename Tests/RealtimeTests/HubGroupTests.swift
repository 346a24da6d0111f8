import Protocol
import XCTest

@testable import Realtime

/// Groups by role: creating (with a fresh code, announced), changing, deleting, new codes,
/// joining by code (any case), leaving, removing members, the member list, the limit of 1000
/// groups, and the seeds the driver hands in.
final class HubGroupTests: XCTestCase {
    private let driver = OrganizationDriver()
    private let service = OrganizationDriver.service

    // MARK: Creating

    func testTheOwnerAModeratorAndAServiceCreateGroupsWithAFreshCodeAndEachIsAnnounced() {
        let id = driver.guild()
        for (index, creator) in [user("alice"), user("mona"), service].enumerated() {
            let seed = driver.nextSeed()
            let (reply, events) = driver.request(
                .createGroup(organization: id, name: "Group \(index)", description: index == 0 ? "raid team" : nil),
                by: creator,
                seed: seed)
            XCTAssertEqual(
                reply,
                .group(
                    GroupSnapshot(
                        id: seed.id, organizationID: id, name: "Group \(index)",
                        description: index == 0 ? "raid team" : nil,
                        inviteCode: seed.inviteCode, createdBy: creator.user, createdAt: driver.now,
                        updatedAt: driver.now,
                        memberCount: 0), created: true))
            XCTAssertEqual(
                events, [.groupCreated(group: seed.id, organization: id, name: "Group \(index)", by: creator.user)])
            XCTAssertTrue(driver.hub.isGroupInviteCodeInUse(seed.inviteCode))
        }
        XCTAssertEqual(driver.hub.groupCount, 3)
    }

    func testAMemberMayNotCreateAGroupAndAnOutsiderGetsNotFound() {
        let id = driver.guild()
        let (refused, events) = driver.request(
            .createGroup(organization: id, name: "Mine", description: nil), by: "bob")
        XCTAssertEqual(OrganizationDriver.code(refused), .forbidden)
        XCTAssertEqual(events, [])
        XCTAssertEqual(
            driver.request(.createGroup(organization: id, name: "Mine", description: nil), by: "olga").reply,
            .refused(.noOrganization(id)))
        XCTAssertEqual(driver.hub.groupCount, 0)
    }

    func testAnOrganizationHoldsAtMostAThousandGroups() {
        let id = driver.organization()
        for index in 0..<OrganizationDirectory.maxGroupsPerOrganization {
            guard
                case .group = driver.request(
                    .createGroup(organization: id, name: "G\(index)", description: nil), by: "alice"
                ).reply
            else { return XCTFail("group \(index) was refused") }
        }
        let (refused, events) = driver.request(
            .createGroup(organization: id, name: "One too many", description: nil), by: "alice")
        XCTAssertEqual(OrganizationDriver.code(refused), .limitReached)
        XCTAssertEqual(events, [])
        // Another organization has its own thousand; a deleted group frees a place.
        let other = driver.organization(owner: "bob")
        XCTAssertNotNil(
            OrganizationDriver.group(
                driver.request(.createGroup(organization: other, name: "G", description: nil), by: "bob").reply))
        let first = OrganizationDriver.groups(driver.request(.listGroups(organization: id), by: "alice").reply)?.first
        XCTAssertEqual(driver.request(.deleteGroup(id: first?.id ?? ""), by: "alice").reply, .done)
        XCTAssertNotNil(
            OrganizationDriver.group(
                driver.request(.createGroup(organization: id, name: "Again", description: nil), by: "alice").reply))
    }

    func testWithoutAUsableSeedTheRequestFailsAndChangesNothing() {
        let id = driver.guild()
        XCTAssertEqual(
            driver.request(.createOrganization(name: "K", owner: nil), by: user("bob"), seed: .some(nil)).reply,
            .refused(.noSeed))
        XCTAssertEqual(
            driver.request(
                .createGroup(organization: id, name: "G", description: nil), by: user("alice"), seed: .some(nil)
            ).reply,
            .refused(.noSeed))
        let group = driver.group(in: id)
        // A seed whose code a live group has (the driver checks, but the hub does not trust it).
        let taken = OrganizationSeed(id: "fresh", inviteCode: group.inviteCode ?? "")
        XCTAssertEqual(
            driver.request(.createGroup(organization: id, name: "G", description: nil), by: user("alice"), seed: taken)
                .reply,
            .refused(.noSeed))
        XCTAssertEqual(
            driver.request(.regenerateGroupCode(group: group.id), by: user("alice"), seed: taken).reply,
            .refused(.noSeed))
        XCTAssertEqual(
            driver.request(.regenerateGroupCode(group: group.id), by: user("alice"), seed: .some(nil)).reply,
            .refused(.noSeed))
        XCTAssertEqual(driver.hub.groupCount, 1)
        XCTAssertEqual(driver.hub.organizationCount, 1)
    }

    // MARK: Changing

    func testTheOwnerAndAModeratorChangeANameAndDescription() {
        let id = driver.guild()
        let group = driver.group(in: id)
        driver.join("bob", code: group.inviteCode ?? "")
        driver.now += 100
        let renamed = OrganizationDriver.group(
            driver.request(
                .updateGroup(id: group.id, name: "Raid B", description: .replace(with: "Tuesdays")), by: "mona"
            ).reply)
        XCTAssertEqual(renamed?.name, "Raid B")
        XCTAssertEqual(renamed?.description, "Tuesdays")
        XCTAssertEqual(renamed?.updatedAt, driver.now)
        XCTAssertEqual(renamed?.createdAt, group.createdAt)
        XCTAssertEqual(renamed?.inviteCode, group.inviteCode, "the MODERATOR sees the code")
        driver.now += 100
        let kept = OrganizationDriver.group(
            driver.request(.updateGroup(id: group.id, name: nil, description: .keep), by: "alice").reply)
        XCTAssertEqual(kept?.updatedAt, renamed?.updatedAt, "nothing changed: updated_at stays")
        let cleared = OrganizationDriver.group(
            driver.request(.updateGroup(id: group.id, name: nil, description: .replace(with: nil)), by: service).reply)
        XCTAssertEqual(cleared?.description, nil)
        XCTAssertEqual(cleared?.name, "Raid B")
        XCTAssertEqual(cleared?.updatedAt, driver.now)
        // A MEMBER of the group sees it but may not change it; one outside it does not see it.
        XCTAssertEqual(
            OrganizationDriver.code(
                driver.request(.updateGroup(id: group.id, name: "Mine", description: .keep), by: "bob").reply),
            .forbidden)
        XCTAssertEqual(
            driver.request(.updateGroup(id: group.id, name: "Mine", description: .keep), by: "carol").reply,
            .refused(.noGroup(group.id)))
    }

    // MARK: Deleting

    func testOnlyTheOwnerOrAServiceDeletesAGroupItsMembersGoFirstAndItsCodeStopsWorking() {
        let id = driver.guild()
        let group = driver.group(in: id)
        driver.join("carol", code: group.inviteCode ?? "")
        driver.now += 1
        driver.join("bob", code: group.inviteCode ?? "")
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.deleteGroup(id: group.id), by: "mona").reply), .forbidden)
        XCTAssertEqual(OrganizationDriver.code(driver.request(.deleteGroup(id: group.id), by: "bob").reply), .forbidden)
        XCTAssertEqual(driver.request(.deleteGroup(id: group.id), by: "dave").reply, .refused(.noGroup(group.id)))
        let (reply, events) = driver.request(.deleteGroup(id: group.id), by: "alice")
        XCTAssertEqual(reply, .done)
        XCTAssertEqual(
            events,
            [
                .groupMemberRemoved(
                    group: group.id, organization: id, user: "carol", by: "alice", reason: .groupDeleted),
                .groupMemberRemoved(group: group.id, organization: id, user: "bob", by: "alice", reason: .groupDeleted),
                .groupDeleted(group: group.id, organization: id, by: "alice"),
            ], "members in the order they joined, then the group")
        XCTAssertEqual(driver.request(.getGroup(id: group.id), by: "alice").reply, .refused(.noGroup(group.id)))
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.joinGroup(inviteCode: group.inviteCode ?? ""), by: "bob").reply),
            .notFound)
        XCTAssertFalse(driver.hub.isGroupInviteCodeInUse(group.inviteCode ?? ""))
        XCTAssertEqual(OrganizationDriver.groups(driver.request(.listGroups(organization: id), by: "alice").reply), [])

        let other = driver.group(in: id)
        let (byService, serviceEvents) = driver.request(.deleteGroup(id: other.id), by: service)
        XCTAssertEqual(byService, .done)
        XCTAssertEqual(serviceEvents, [.groupDeleted(group: other.id, organization: id, by: "tools")])
    }

    // MARK: Codes

    func testARegeneratedCodeReplacesTheOldOneAtOnceAndItsJoinersAreInvitedByTheRegenerator() {
        let id = driver.guild()
        let group = driver.group(in: id)
        let old = group.inviteCode ?? ""
        driver.join("bob", code: old)
        driver.now += 50
        let seed = driver.nextSeed()
        XCTAssertEqual(
            driver.request(.regenerateGroupCode(group: group.id), by: user("mona"), seed: seed).reply,
            .inviteCode(seed.inviteCode))
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.joinGroup(inviteCode: old), by: "carol").reply), .notFound)
        XCTAssertFalse(driver.hub.isGroupInviteCodeInUse(old))
        let (joined, events) = driver.request(.joinGroup(inviteCode: seed.inviteCode), by: "carol")
        XCTAssertEqual(OrganizationDriver.group(joined)?.memberCount, 2)
        XCTAssertEqual(events, [.groupMemberAdded(group: group.id, organization: id, user: "carol", invitedBy: "mona")])
        guard case .groupMembers(let members) = driver.request(.listGroupMembers(group: group.id), by: "alice").reply
        else {
            return XCTFail("the OWNER lists members")
        }
        XCTAssertEqual(
            members,
            [
                GroupMemberSnapshot(user: "bob", invitedBy: "alice", joinedAt: group.createdAt),
                GroupMemberSnapshot(user: "carol", invitedBy: "mona", joinedAt: driver.now),
            ])
        let after = OrganizationDriver.group(driver.request(.getGroup(id: group.id), by: "alice").reply)
        XCTAssertEqual(after?.inviteCode, seed.inviteCode)
        XCTAssertEqual(after?.updatedAt, driver.now, "a new code is a change of the group")
        // A MEMBER may not; a service may.
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.regenerateGroupCode(group: group.id), by: "bob").reply), .forbidden)
        guard case .inviteCode = driver.request(.regenerateGroupCode(group: group.id), by: service).reply else {
            return XCTFail("a service regenerates codes")
        }
    }

    // MARK: Joining

    func testJoiningMatchesTheCodeInAnyCaseAndAnswersTheGroupAsTheJoinerSeesIt() {
        let id = driver.guild()
        let group = driver.group(in: id)
        let code = group.inviteCode ?? ""
        XCTAssertNotEqual(code.lowercased(), code)
        let (reply, events) = driver.request(.joinGroup(inviteCode: code.lowercased()), by: "bob")
        XCTAssertEqual(
            reply,
            .group(
                GroupSnapshot(
                    id: group.id, organizationID: id, name: group.name, description: nil, inviteCode: nil,
                    createdBy: "alice",
                    createdAt: group.createdAt, updatedAt: group.updatedAt, memberCount: 1), created: false))
        XCTAssertEqual(events, [.groupMemberAdded(group: group.id, organization: id, user: "bob", invitedBy: "alice")])
        // Mixed case works as well; a MODERATOR joining sees the code in the answer.
        let mixed = String(
            code.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.lowercased()) : $0.element })
        XCTAssertEqual(
            OrganizationDriver.group(driver.request(.joinGroup(inviteCode: mixed), by: "mona").reply)?.inviteCode, code)
    }

    func testJoinRefusalsUnknownCodeOutsiderAlreadyAMemberAndAService() {
        let id = driver.guild()
        let group = driver.group(in: id)
        let code = group.inviteCode ?? ""
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.joinGroup(inviteCode: "ZZZZZZZZ"), by: "bob").reply), .notFound)
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.joinGroup(inviteCode: "not a code"), by: "bob").reply), .notFound)
        let (outsider, outsiderEvents) = driver.request(.joinGroup(inviteCode: code), by: "olga")
        XCTAssertEqual(OrganizationDriver.code(outsider), .notOrgMember)
        XCTAssertEqual(outsiderEvents, [])
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.joinGroup(inviteCode: code), by: service).reply), .notOrgMember)
        driver.join("bob", code: code)
        let (again, againEvents) = driver.request(.joinGroup(inviteCode: code.lowercased()), by: "bob")
        XCTAssertEqual(OrganizationDriver.code(again), .alreadyMember)
        XCTAssertEqual(againEvents, [])
        XCTAssertEqual(
            OrganizationDriver.group(driver.request(.getGroup(id: group.id), by: "alice").reply)?.memberCount, 1)
    }

    func testAUserMayBelongToManyGroupsOfOneOrganization() {
        let id = driver.guild()
        let groups = (0..<5).map { driver.group(in: id, name: "G\($0)") }
        for group in groups { driver.join("bob", code: group.inviteCode ?? "") }
        XCTAssertEqual(
            OrganizationDriver.groups(driver.request(.listGroups(organization: id), by: "bob").reply)?.map(\.id),
            groups.map(\.id))
    }

    // MARK: Leaving and removing

    func testAMemberLeavesAndANonMemberGetsNotFound() {
        let id = driver.guild()
        let group = driver.group(in: id)
        driver.join("bob", code: group.inviteCode ?? "")
        let (left, events) = driver.request(.leaveGroup(group: group.id), by: "bob")
        XCTAssertEqual(left, .done)
        XCTAssertEqual(
            events, [.groupMemberRemoved(group: group.id, organization: id, user: "bob", by: "bob", reason: .left)])
        for caller in [user("bob"), user("alice"), user("olga"), service] {
            XCTAssertEqual(
                driver.request(.leaveGroup(group: group.id), by: caller).reply, .refused(.noGroup(group.id)),
                caller.user)
        }
        XCTAssertEqual(driver.request(.leaveGroup(group: "nope"), by: "bob").reply, .refused(.noGroup("nope")))
    }

    func testTheOwnerAndAModeratorRemoveMembersAndAMemberOnlyThemself() {
        let id = driver.guild()
        let group = driver.group(in: id)
        for user in ["bob", "carol", "mona"] { driver.join(user, code: group.inviteCode ?? "") }
        XCTAssertEqual(
            OrganizationDriver.code(
                driver.request(.removeGroupMember(group: group.id, user: "carol"), by: "bob").reply), .forbidden)
        let (removed, events) = driver.request(.removeGroupMember(group: group.id, user: "carol"), by: "mona")
        XCTAssertEqual(removed, .done)
        XCTAssertEqual(
            events,
            [.groupMemberRemoved(group: group.id, organization: id, user: "carol", by: "mona", reason: .removed)])
        XCTAssertEqual(
            OrganizationDriver.code(
                driver.request(.removeGroupMember(group: group.id, user: "carol"), by: "alice").reply), .notFound,
            "no longer a member")
        let (selfRemoved, selfEvents) = driver.request(.removeGroupMember(group: group.id, user: "bob"), by: "bob")
        XCTAssertEqual(selfRemoved, .done)
        XCTAssertEqual(
            selfEvents, [.groupMemberRemoved(group: group.id, organization: id, user: "bob", by: "bob", reason: .left)])
        XCTAssertEqual(
            driver.request(.removeGroupMember(group: group.id, user: "mona"), by: service).events,
            [.groupMemberRemoved(group: group.id, organization: id, user: "mona", by: "tools", reason: .removed)])
        XCTAssertEqual(
            driver.request(.removeGroupMember(group: group.id, user: "bob"), by: "olga").reply,
            .refused(.noGroup(group.id)))
    }

    func testOnlyTheOwnerAndModeratorsListAGroupsMembers() {
        let id = driver.guild()
        let group = driver.group(in: id)
        driver.join("bob", code: group.inviteCode ?? "")
        for caller in [user("alice"), user("mona"), service] {
            XCTAssertEqual(
                driver.request(.listGroupMembers(group: group.id), by: caller).reply,
                .groupMembers([GroupMemberSnapshot(user: "bob", invitedBy: "alice", joinedAt: driver.now)]), caller.user
            )
        }
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.listGroupMembers(group: group.id), by: "bob").reply), .forbidden)
        XCTAssertEqual(
            driver.request(.listGroupMembers(group: group.id), by: "carol").reply, .refused(.noGroup(group.id)))
    }
}
