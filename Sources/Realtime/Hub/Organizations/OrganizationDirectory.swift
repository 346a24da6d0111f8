import Protocol

/// The organizations and their private groups, as a pure value: requests in, a reply and the
/// group events to publish out. Like the rest of the hub it reads no clock (`now` comes with
/// each request) and draws no randomness (ids and codes come in an `OrganizationSeed`), so a
/// replayed log rebuilds it exactly.
///
/// The rules (docs/HTTP-API.md): an organization has one OWNER, MODERATORs and MEMBERs; the
/// OWNER and MODERATORs (and services, which may do all an OWNER may) see and manage every
/// group, a MEMBER sees only the groups they belong to, and whatever a caller may not see is
/// answered `not_found`, exactly as what does not exist.
struct OrganizationDirectory: Equatable, Sendable {
    /// The most groups one organization may have.
    static let maxGroupsPerOrganization = 1000

    /// Every organization, by id.
    var organizations: [String: Organization] = [:]
    /// Every group of every organization, by id.
    var groups: [String: Group] = [:]
    /// Each live group's invite code, to its group id.
    var groupIDByCode: [String: String] = [:]

    /// A request's caller, as one organization sees them.
    enum Standing: Equatable {
        /// A service token: all an OWNER may, in every organization, but nobody's member.
        case service
        case owner
        case moderator
        case member
        /// Not a member: the organization and its groups do not exist for them.
        case outsider

        /// Sees and manages every group of the organization, and their codes.
        var managesGroups: Bool { self == .service || self == .owner || self == .moderator }
        /// May do what the OWNER may.
        var actsAsOwner: Bool { self == .service || self == .owner }
    }

    // MARK: Queries

    /// Whether a live group uses this invite code (the driver draws again when it does).
    func isInviteCodeInUse(_ code: String) -> Bool { groupIDByCode[code] != nil }

    /// The number of organizations.
    var organizationCount: Int { organizations.count }
    /// The number of groups, in every organization.
    var groupCount: Int { groups.count }

    // MARK: Requests

    /// Carries out one request at `now`; the group events it causes are appended to
    /// `announcements`, in order, for the outgoing stream.
    mutating func apply(
        _ request: OrganizationRequest, seed: OrganizationSeed?, now: Int64,
        announcing announcements: inout [PublishedEvent.Kind]
    ) -> OrganizationReply {
        do throws(OrganizationError) {
            return try perform(request.operation, by: request.caller, seed: seed, now: now, announcing: &announcements)
        } catch {
            return .refused(error)
        }
    }

    private mutating func perform(
        _ operation: OrganizationOperation, by caller: OrganizationCaller, seed: OrganizationSeed?, now: Int64,
        announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        switch operation {
        case .createOrganization(let name, let owner):
            return try createOrganization(name: name, owner: owner, by: caller, seed: seed, now: now)
        case .getOrganization(let id):
            _ = try standing(in: id, of: caller)
            guard let organization = organizations[id] else { throw .noOrganization(id) }
            return .organization(snapshot(organization), created: false)
        case .listOrganizationMembers(let id):
            _ = try standing(in: id, of: caller)
            guard let organization = organizations[id] else { throw .noOrganization(id) }
            return .organizationMembers(memberSnapshots(organization))
        case .setOrganizationMember(let id, let user, let role):
            return try setMember(user, role: role, in: id, by: caller, now: now)
        case .removeOrganizationMember(let id, let user):
            return try removeMember(user, from: id, by: caller, announcing: &announcements)
        case .createGroup(let organization, let name, let description):
            return try createGroup(
                in: organization, name: name, description: description, by: caller, seed: seed, now: now,
                announcing: &announcements)
        case .listGroups(let id):
            return try listGroups(of: id, for: caller)
        case .getGroup(let id):
            return .group(try visibleGroup(id, for: caller), created: false)
        case .updateGroup(let id, let name, let description):
            return try updateGroup(id, name: name, description: description, by: caller, now: now)
        case .deleteGroup(let id):
            return try deleteGroup(id, by: caller, announcing: &announcements)
        case .regenerateGroupCode(let id):
            return try regenerateCode(of: id, by: caller, seed: seed, now: now)
        case .listGroupMembers(let id):
            return try listMembers(of: id, for: caller)
        case .removeGroupMember(let id, let user):
            return try removeGroupMember(user, from: id, by: caller, announcing: &announcements)
        case .leaveGroup(let id):
            return try leaveGroup(id, by: caller, announcing: &announcements)
        case .joinGroup(let code):
            return try joinGroup(code: code, by: caller, now: now, announcing: &announcements)
        }
    }
}
