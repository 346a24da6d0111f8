import Protocol

/// Who may see what, the checks the requests share, and the snapshots the replies carry.
extension OrganizationDirectory {
    /// The caller's standing in an organization.
    func standing(of caller: OrganizationCaller, in organization: Organization) -> Standing {
        if caller.isService { return .service }
        switch organization.members[caller.user]?.role {
        case .owner?: return .owner
        case .moderator?: return .moderator
        case .member?: return .member
        case nil: return .outsider
        }
    }

    // The checks below hand back standings and ids, never a copy of an organization or a
    // group, to the requests that change one: a copy held while the stored value is changed
    // would make that change copy the whole member table (copy-on-write), on every join.

    /// The caller's standing in an organization; `not_found` when it does not exist or the
    /// caller is not a member (both read the same).
    func standing(in id: String, of caller: OrganizationCaller) throws(OrganizationError) -> Standing {
        guard let organization = organizations[id] else { throw .noOrganization(id) }
        let standing = standing(of: caller, in: organization)
        guard standing != .outsider else { throw .noOrganization(id) }
        return standing
    }

    /// The organization of a group the caller may see, and the caller's standing in it: a
    /// manager of the organization sees every group, a MEMBER only their own. Otherwise
    /// `not_found`, exactly as for a group that does not exist.
    func access(toGroup id: String, for caller: OrganizationCaller) throws(OrganizationError) -> (
        organizationID: String, standing: Standing
    ) {
        guard let group = groups[id], let organization = organizations[group.organizationID] else { throw .noGroup(id) }
        let standing = standing(of: caller, in: organization)
        switch standing {
        case .outsider: throw .noGroup(id)
        case .member where group.members[caller.user] == nil: throw .noGroup(id)
        default: return (group.organizationID, standing)
        }
    }

    /// `access(toGroup:for:)` for what only those who manage groups (OWNER, MODERATOR,
    /// service) may do: `forbidden` for a MEMBER who sees the group.
    func managerAccess(toGroup id: String, for caller: OrganizationCaller, toDo what: String) throws(OrganizationError)
        -> (organizationID: String, standing: Standing)
    {
        let access = try access(toGroup: id, for: caller)
        guard access.standing.managesGroups else {
            throw OrganizationError(.forbidden, "only the OWNER and MODERATORs may \(what)")
        }
        return access
    }

    /// A group the caller may see, as they may see it (for the requests that only read).
    func visibleGroup(_ id: String, for caller: OrganizationCaller) throws(OrganizationError) -> GroupSnapshot {
        let standing = try access(toGroup: id, for: caller).standing
        guard let group = groups[id] else { throw .noGroup(id) }
        return snapshot(group, for: standing)
    }

    // MARK: Snapshots

    func snapshot(_ organization: Organization) -> OrganizationSnapshot {
        OrganizationSnapshot(
            id: organization.id, name: organization.name, owner: organization.owner, createdAt: organization.createdAt,
            memberCount: organization.members.count)
    }

    /// Members in the order they joined (by user id within one millisecond).
    func memberSnapshots(_ organization: Organization) -> [OrganizationMemberSnapshot] {
        organization.members.map {
            OrganizationMemberSnapshot(user: $0.key, role: $0.value.role, joinedAt: $0.value.joinedAt)
        }
        .sorted { ($0.joinedAt, $0.user) < ($1.joinedAt, $1.user) }
    }

    /// A group as a caller of this standing sees it: the code only for those who manage groups.
    func snapshot(_ group: Group, for standing: Standing) -> GroupSnapshot {
        GroupSnapshot(
            id: group.id, organizationID: group.organizationID, name: group.name, description: group.description,
            inviteCode: standing.managesGroups ? group.inviteCode : nil, createdBy: group.createdBy,
            createdAt: group.createdAt, updatedAt: group.updatedAt, memberCount: group.members.count)
    }

    /// A group's members in the order they joined (by user id within one millisecond).
    func memberSnapshots(_ group: Group) -> [GroupMemberSnapshot] {
        group.members.map {
            GroupMemberSnapshot(user: $0.key, invitedBy: $0.value.invitedBy, joinedAt: $0.value.joinedAt)
        }
        .sorted { ($0.joinedAt, $0.user) < ($1.joinedAt, $1.user) }
    }
}

extension OrganizationError {
    /// The one answer for an organization that does not exist or is hidden from the caller.
    static func noOrganization(_ id: String) -> OrganizationError {
        OrganizationError(.notFound, "no organization \(id)")
    }

    /// The one answer for a group that does not exist or is hidden from the caller.
    static func noGroup(_ id: String) -> OrganizationError {
        OrganizationError(.notFound, "no group \(id)")
    }

    /// A request that needed a seed came without a usable one (the driver could not draw an
    /// unused code); a retry draws again.
    static let noSeed = OrganizationError(.internalError, "could not draw a new id or invite code; try again")
}
