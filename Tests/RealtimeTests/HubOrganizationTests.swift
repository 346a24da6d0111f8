import Protocol
import XCTest

@testable import Realtime

/// Organizations and their members, by role: who may create, see, add, set roles, hand
/// ownership over and remove, and that leaving an organization leaves its groups.
final class HubOrganizationTests: XCTestCase {
    private let driver = OrganizationDriver()
    private let service = OrganizationDriver.service

    // MARK: Creating and seeing

    func testCreatingAnOrganizationMakesTheCallerItsOnlyOwner() {
        let (reply, events) = driver.request(.createOrganization(name: "Knights", owner: nil), by: "alice")
        XCTAssertEqual(
            reply,
            .organization(
                OrganizationSnapshot(
                    id: "id-1", name: "Knights", owner: "alice", createdAt: driver.now, memberCount: 1),
                created: true))
        XCTAssertEqual(events, [], "organizations are not announced")
        XCTAssertEqual(
            driver.request(.listOrganizationMembers(organization: "id-1"), by: "alice").reply,
            .organizationMembers([OrganizationMemberSnapshot(user: "alice", role: .owner, joinedAt: driver.now)]))
        XCTAssertEqual(driver.hub.organizationCount, 1)
    }

    func testAPlayerMayNameOnlyThemselfAsOwnerAndAServiceMustNameOne() {
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.createOrganization(name: "K", owner: "bob"), by: "alice").reply),
            .forbidden)
        guard
            case .organization(let mine, true) = driver.request(
                .createOrganization(name: "K", owner: "alice"), by: "alice"
            ).reply
        else { return XCTFail("naming yourself is allowed") }
        XCTAssertEqual(mine.owner, "alice")

        let missing = driver.request(.createOrganization(name: "K", owner: nil), by: service).reply
        XCTAssertEqual(
            missing,
            .refused(
                OrganizationError(.invalidRequest, "a service names the new organization's \"owner\"", field: "owner")))
        guard
            case .organization(let made, true) = driver.request(
                .createOrganization(name: "K", owner: "bob"), by: service
            ).reply
        else { return XCTFail("a service creates an organization for a named owner") }
        XCTAssertEqual(made.owner, "bob")
        XCTAssertEqual(
            driver.request(.listOrganizationMembers(organization: made.id), by: "bob").reply,
            .organizationMembers([OrganizationMemberSnapshot(user: "bob", role: .owner, joinedAt: driver.now)]))
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.getOrganization(id: made.id), by: service).reply), nil,
            "the service that made it is no member, but sees it")
    }

    func testMembersAndServicesSeeTheOrganizationAndOutsidersGetNotFoundAsForAnUnknownOne() {
        let id = driver.guild()
        for caller in [user("alice"), user("mona"), user("bob"), service] {
            guard
                case .organization(let organization, false) = driver.request(.getOrganization(id: id), by: caller).reply
            else {
                return XCTFail("\(caller.user) should see the organization")
            }
            XCTAssertEqual(organization.memberCount, 4)
            guard
                case .organizationMembers(let members) = driver.request(
                    .listOrganizationMembers(organization: id), by: caller
                ).reply
            else { return XCTFail("\(caller.user) should see the members") }
            XCTAssertEqual(members.map(\.user), ["alice", "mona", "bob", "carol"], "in the order they joined")
            XCTAssertEqual(members.map(\.role), [.owner, .moderator, .member, .member])
        }
        for operation in [OrganizationOperation.getOrganization(id: id), .listOrganizationMembers(organization: id)] {
            XCTAssertEqual(driver.request(operation, by: "olga").reply, .refused(.noOrganization(id)))
        }
        XCTAssertEqual(
            driver.request(.getOrganization(id: "nope"), by: "alice").reply, .refused(.noOrganization("nope")))
    }

    // MARK: Adding members and setting roles

    func testTheOwnerAddsUsersAndSetsEveryRoleButTheirOwn() {
        let id = driver.guild()
        driver.now += 10
        XCTAssertEqual(
            driver.request(.setOrganizationMember(organization: id, user: "dave", role: .moderator), by: "alice").reply,
            .organizationMember(OrganizationMemberSnapshot(user: "dave", role: .moderator, joinedAt: driver.now)))
        let bobJoined = member("bob", of: id)?.joinedAt
        driver.now += 10
        XCTAssertEqual(
            driver.request(.setOrganizationMember(organization: id, user: "bob", role: .moderator), by: "alice").reply,
            .organizationMember(OrganizationMemberSnapshot(user: "bob", role: .moderator, joinedAt: bobJoined ?? 0)),
            "a role change keeps the time joined")
        XCTAssertEqual(
            driver.request(.setOrganizationMember(organization: id, user: "mona", role: .member), by: "alice").reply,
            .organizationMember(
                OrganizationMemberSnapshot(user: "mona", role: .member, joinedAt: member("mona", of: id)?.joinedAt ?? 0)
            ))
        for role in [OrganizationRole.moderator, .member] {
            XCTAssertEqual(
                OrganizationDriver.code(
                    driver.request(.setOrganizationMember(organization: id, user: "alice", role: role), by: "alice")
                        .reply),
                .forbidden, "the OWNER cannot step down except by handing over")
        }
        XCTAssertEqual(
            driver.request(.setOrganizationMember(organization: id, user: "alice", role: .owner), by: "alice").reply,
            .organizationMember(
                OrganizationMemberSnapshot(
                    user: "alice", role: .owner, joinedAt: member("alice", of: id)?.joinedAt ?? 0)),
            "OWNER to the OWNER changes nothing")
    }

    func testHandingOwnershipOverMakesTheOldOwnerAModerator() {
        let id = driver.guild()
        guard
            case .organizationMember(let bob) = driver.request(
                .setOrganizationMember(organization: id, user: "bob", role: .owner), by: "alice"
            ).reply
        else { return XCTFail("the hand-over was refused") }
        XCTAssertEqual(bob.role, .owner)
        XCTAssertEqual(member("alice", of: id)?.role, .moderator)
        guard case .organization(let organization, _) = driver.request(.getOrganization(id: id), by: "bob").reply else {
            return XCTFail()
        }
        XCTAssertEqual(organization.owner, "bob")
        // The new owner rules now; the old one no longer may delete a group.
        let group = driver.group(in: id, by: "bob")
        XCTAssertEqual(
            OrganizationDriver.code(driver.request(.deleteGroup(id: group.id), by: "alice").reply), .forbidden)
        XCTAssertEqual(driver.request(.deleteGroup(id: group.id), by: "bob").reply, .done)
        // To someone new: added as the OWNER.
        guard
            case .organizationMember(let erin) = driver.request(
                .setOrganizationMember(organization: id, user: "erin", role: .owner), by: "bob"
            ).reply
        else { return XCTFail("handing over to a new user was refused") }
        XCTAssertEqual(erin, OrganizationMemberSnapshot(user: "erin", role: .owner, joinedAt: driver.now))
        XCTAssertEqual(member("bob", of: id)?.role, .moderator)
        XCTAssertEqual(roles(of: id).filter { $0 == .owner }.count, 1, "exactly one OWNER")
    }

    func testAModeratorAddsUsersAsMembersOnly() {
        let id = driver.guild()
        XCTAssertEqual(
            driver.request(.setOrganizationMember(organization: id, user: "dave", role: .member), by: "mona").reply,
            .organizationMember(OrganizationMemberSnapshot(user: "dave", role: .member, joinedAt: driver.now)))
        XCTAssertNotNil(member("bob", of: id))
        guard
            case .organizationMember = driver.request(
                .setOrganizationMember(organization: id, user: "bob", role: .member), by: "mona"
            ).reply
        else { return XCTFail("adding a MEMBER who is one already is allowed") }
        for (target, role) in [
            ("erin", OrganizationRole.moderator), ("erin", .owner), ("bob", .moderator), ("alice", .member),
            ("mona", .member),
        ] {
            XCTAssertEqual(
                OrganizationDriver.code(
                    driver.request(.setOrganizationMember(organization: id, user: target, role: role), by: "mona").reply
                ),
                .forbidden, "a MODERATOR setting \(target) to \(role)")
        }
        XCTAssertNil(member("erin", of: id))
    }

    func testAMemberMayNotAddAnyoneAndAnOutsiderGetsNotFound() {
        let id = driver.guild()
        XCTAssertEqual(
            OrganizationDriver.code(
                driver.request(.setOrganizationMember(organization: id, user: "dave", role: .member), by: "bob").reply),
            .forbidden)
        XCTAssertEqual(
            driver.request(.setOrganizationMember(organization: id, user: "olga", role: .member), by: "olga").reply,
            .refused(.noOrganization(id)), "an outsider cannot add themself")
        XCTAssertNil(member("dave", of: id))
    }

    func testAServiceMayDoEverythingTheOwnerMay() {
        let id = driver.guild()
        guard
            case .organizationMember = driver.request(
                .setOrganizationMember(organization: id, user: "dave", role: .moderator), by: service
            ).reply
        else { return XCTFail("a service sets roles") }
        guard
            case .organizationMember = driver.request(
                .setOrganizationMember(organization: id, user: "bob", role: .owner), by: service
            ).reply
        else { return XCTFail("a service hands ownership over") }
        XCTAssertEqual(member("alice", of: id)?.role, .moderator)
        XCTAssertEqual(
            OrganizationDriver.code(
                driver.request(.setOrganizationMember(organization: id, user: "bob", role: .member), by: service).reply),
            .forbidden, "not even a service leaves an organization without its OWNER")
        XCTAssertEqual(
            driver.request(.removeOrganizationMember(organization: id, user: "mona"), by: service).reply, .done)
        XCTAssertEqual(
            OrganizationDriver.code(
                driver.request(.removeOrganizationMember(organization: id, user: "bob"), by: service).reply),
            .forbidden)
        XCTAssertNil(member("tools", of: id), "the service itself never becomes a member")
    }

    // MARK: Removing members

    func testWhoMayRemoveWhom() {
        // (caller, target, allowed): the OWNER anyone but themself, a MODERATOR MEMBERs and
        // themself, a MEMBER only themself.
        let cases: [(String, String, Bool)] = [
            ("alice", "mona", true), ("alice", "bob", true), ("alice", "alice", false),
            ("mona", "bob", true), ("mona", "mona", true), ("mona", "alice", false), ("mona", "dave", false),
            ("bob", "bob", true), ("bob", "carol", false), ("bob", "mona", false), ("bob", "alice", false),
        ]
        for (caller, target, allowed) in cases {
            let driver = OrganizationDriver()
            let id = driver.guild()
            _ = driver.request(.setOrganizationMember(organization: id, user: "dave", role: .moderator), by: "alice")
            let reply = driver.request(.removeOrganizationMember(organization: id, user: target), by: caller).reply
            if allowed {
                XCTAssertEqual(reply, .done, "\(caller) removing \(target)")
                XCTAssertNil(member(target, of: id, in: driver), "\(caller) removed \(target)")
            } else {
                XCTAssertEqual(OrganizationDriver.code(reply), .forbidden, "\(caller) removing \(target)")
            }
        }
    }

    func testRemovingSomeoneWhoIsNotAMemberIsNotFoundAndAnOutsiderSeesNothing() {
        let id = driver.guild()
        XCTAssertEqual(
            OrganizationDriver.code(
                driver.request(.removeOrganizationMember(organization: id, user: "olga"), by: "alice").reply), .notFound
        )
        XCTAssertEqual(
            driver.request(.removeOrganizationMember(organization: id, user: "olga"), by: "olga").reply,
            .refused(.noOrganization(id)))
        XCTAssertEqual(
            driver.request(.removeOrganizationMember(organization: id, user: "bob"), by: "olga").reply,
            .refused(.noOrganization(id)))
    }

    func testLeavingTheOrganizationLeavesEveryOneOfItsGroups() {
        let id = driver.guild()
        let raid = driver.group(in: id, name: "Raid")
        let vip = driver.group(in: id, name: "VIP")
        let quiet = driver.group(in: id, name: "Quiet")
        driver.join("bob", code: raid.inviteCode ?? "")
        driver.join("bob", code: vip.inviteCode ?? "")
        driver.join("carol", code: raid.inviteCode ?? "")
        // Bob is removed by the OWNER: both his groups go, `by` the OWNER.
        let (reply, events) = driver.request(.removeOrganizationMember(organization: id, user: "bob"), by: "alice")
        XCTAssertEqual(reply, .done)
        XCTAssertEqual(
            events,
            [
                .groupMemberRemoved(group: raid.id, organization: id, user: "bob", by: "alice", reason: .orgLeft),
                .groupMemberRemoved(group: vip.id, organization: id, user: "bob", by: "alice", reason: .orgLeft),
            ])
        XCTAssertEqual(memberCounts(id), [raid.id: 1, vip.id: 0, quiet.id: 0])
        // Carol leaves herself.
        let (left, leftEvents) = driver.request(.removeOrganizationMember(organization: id, user: "carol"), by: "carol")
        XCTAssertEqual(left, .done)
        XCTAssertEqual(
            leftEvents,
            [.groupMemberRemoved(group: raid.id, organization: id, user: "carol", by: "carol", reason: .orgLeft)])
        XCTAssertEqual(driver.request(.getOrganization(id: id), by: "carol").reply, .refused(.noOrganization(id)))
        // Added again, Bob is in no group: the code has to be used again.
        _ = driver.request(.setOrganizationMember(organization: id, user: "bob", role: .member), by: "alice")
        XCTAssertEqual(OrganizationDriver.groups(driver.request(.listGroups(organization: id), by: "bob").reply), [])
    }

    // MARK: Helpers

    private func member(_ user: String, of id: String, in driver: OrganizationDriver? = nil)
        -> OrganizationMemberSnapshot?
    {
        guard
            case .organizationMembers(let members) = (driver ?? self.driver).request(
                .listOrganizationMembers(organization: id), by: service
            ).reply
        else { return nil }
        return members.first { $0.user == user }
    }

    private func roles(of id: String, in driver: OrganizationDriver? = nil) -> [OrganizationRole] {
        guard
            case .organizationMembers(let members) = (driver ?? self.driver).request(
                .listOrganizationMembers(organization: id), by: service
            ).reply
        else { return [] }
        return members.map(\.role)
    }

    private func memberCounts(_ id: String) -> [String: Int] {
        let groups = OrganizationDriver.groups(driver.request(.listGroups(organization: id), by: service).reply) ?? []
        return Dictionary(uniqueKeysWithValues: groups.map { ($0.id, $0.memberCount) })
    }
}
