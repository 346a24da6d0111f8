import Protocol
import XCTest

@testable import Realtime

/// Drives a `Hub`'s organizations for the focused tests: each request from a named user (or
/// service) at a time moved by hand, with a deterministic seed when the endpoint needs one,
/// returning the reply and the events it published. Helpers set up the usual cast: an
/// organization owned by alice with a moderator (mona), members (bob, carol) and an outsider
/// (olga) who is in none.
final class OrganizationDriver {
    var hub = Hub()
    /// The time the next request is applied at (Unix ms).
    var now: Int64 = 1_700_000_000_000
    /// Every event published so far, in order.
    private(set) var published: [PublishedEvent] = []
    private var seedsDrawn = 0
    private var nextSession: UInt64 = 1

    /// The service every test signs in as.
    static let service = OrganizationCaller(user: "tools", isService: true)

    /// A deterministic seed per draw: id "id-N" and the invite code of N.
    func nextSeed() -> OrganizationSeed {
        seedsDrawn += 1
        return OrganizationSeed(id: "id-\(seedsDrawn)", inviteCode: HubDriver.inviteCode(ofSeed: seedsDrawn))
    }

    /// Applies `operation` from `caller` (a player's name, or `service`), with a fresh seed when
    /// the endpoint needs one (or `seed` when given): the reply and what it published.
    @discardableResult
    func request(
        _ operation: OrganizationOperation, by caller: OrganizationCaller, seed: OrganizationSeed?? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) -> (reply: OrganizationReply, events: [PublishedEvent.Kind]) {
        let session = SessionID(rawValue: nextSession)
        nextSession += 1
        let drawn: OrganizationSeed? = seed ?? (operation.kind.needsSeed ? nextSeed() : nil)
        var outputs: [HubOutput] = []
        hub.apply(
            .organizationRequest(
                session, OrganizationRequest(caller: caller, operation: operation), now: now, seed: drawn),
            into: &outputs)
        guard case .organizationAnswer(let answered, let reply)? = outputs.first else {
            XCTFail("the first output is not the answer: \(outputs)", file: file, line: line)
            return (.done, [])
        }
        XCTAssertEqual(answered, session, "the answer goes to the caller", file: file, line: line)
        var events: [PublishedEvent.Kind] = []
        for output in outputs.dropFirst() {
            guard case .published(let event) = output else {
                XCTFail("an output after the answer that is not a published event: \(output)", file: file, line: line)
                continue
            }
            XCTAssertEqual(
                event.offset, UInt64(published.count + 1), "offsets run on with no gap", file: file, line: line)
            XCTAssertEqual(event.ts, hub.now, file: file, line: line)
            published.append(event)
            events.append(event.kind)
        }
        return (reply, events)
    }

    /// `request` from a player.
    @discardableResult
    func request(
        _ operation: OrganizationOperation, by user: String, file: StaticString = #filePath, line: UInt = #line
    ) -> (reply: OrganizationReply, events: [PublishedEvent.Kind]) {
        request(operation, by: OrganizationCaller(user: user), file: file, line: line)
    }

    // MARK: The cast

    /// Creates an organization owned by `owner`; its id.
    func organization(
        owner: String = "alice", name: String = "Knights", file: StaticString = #filePath, line: UInt = #line
    )
        -> String
    {
        guard
            case .organization(let organization, true) = request(.createOrganization(name: name, owner: nil), by: owner)
                .reply
        else {
            XCTFail("creating an organization failed", file: file, line: line)
            return ""
        }
        return organization.id
    }

    /// alice's organization with mona as MODERATOR and bob and carol as MEMBERs (added a
    /// millisecond apart, in that order); its id.
    func guild(file: StaticString = #filePath, line: UInt = #line) -> String {
        let id = organization(file: file, line: line)
        for (user, role) in [("mona", OrganizationRole.moderator), ("bob", .member), ("carol", .member)] {
            now += 1
            let reply = request(.setOrganizationMember(organization: id, user: user, role: role), by: "alice").reply
            guard case .organizationMember = reply else {
                XCTFail("adding \(user) failed: \(reply)", file: file, line: line)
                return id
            }
        }
        return id
    }

    /// A group made by `creator` in `organization`: its snapshot as the creator sees it.
    func group(
        in organization: String, name: String = "Raid team", by creator: String = "alice",
        file: StaticString = #filePath,
        line: UInt = #line
    ) -> GroupSnapshot {
        let reply = request(.createGroup(organization: organization, name: name, description: nil), by: creator).reply
        guard case .group(let group, true) = reply else {
            XCTFail("creating a group failed: \(reply)", file: file, line: line)
            return GroupSnapshot(
                id: "", organizationID: "", name: "", description: nil, inviteCode: nil, createdBy: "", createdAt: 0,
                updatedAt: 0,
                memberCount: 0)
        }
        return group
    }

    /// `user` joins with `code`, which must work.
    func join(_ user: String, code: String, file: StaticString = #filePath, line: UInt = #line) {
        let reply = request(.joinGroup(inviteCode: code), by: user).reply
        guard case .group = reply else {
            return XCTFail("\(user) could not join with \(code): \(reply)", file: file, line: line)
        }
    }

    // MARK: Reading replies

    /// The error code of a refused reply, or nil.
    static func code(_ reply: OrganizationReply) -> OrganizationErrorCode? {
        if case .refused(let error) = reply { return error.code }
        return nil
    }

    /// The group of a `.group` reply.
    static func group(_ reply: OrganizationReply) -> GroupSnapshot? {
        if case .group(let group, _) = reply { return group }
        return nil
    }

    /// The groups of a `.groups` reply.
    static func groups(_ reply: OrganizationReply) -> [GroupSnapshot]? {
        if case .groups(let groups) = reply { return groups }
        return nil
    }
}

/// A player caller.
func user(_ name: String) -> OrganizationCaller { OrganizationCaller(user: name) }
