import Protocol

/// Groups themselves: creating, listing, renaming and describing, deleting, and new codes.
extension OrganizationDirectory {
    /// `POST /organizations/{id}/groups`: the OWNER or a MODERATOR (or a service) makes a group
    /// with a fresh code, which the maker issues (its joiners' `invited_by`). The maker is not a
    /// member until they join (they see every group anyway).
    mutating func createGroup(
        in organizationID: String, name: String, description: String?, by caller: OrganizationCaller,
        seed: OrganizationSeed?,
        now: Int64, announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        let standing = try standing(in: organizationID, of: caller)
        guard standing.managesGroups else {
            throw OrganizationError(.forbidden, "only the OWNER and MODERATORs may create groups")
        }
        guard organizations[organizationID]?.groupIDs.count ?? 0 < Self.maxGroupsPerOrganization else {
            throw OrganizationError(
                .limitReached,
                "organization \(organizationID) has \(Self.maxGroupsPerOrganization) groups, the most it may have")
        }
        guard let seed, groups[seed.id] == nil, groupIDByCode[seed.inviteCode] == nil else { throw .noSeed }
        let group = Group(
            id: seed.id, organizationID: organizationID, name: name, description: description,
            inviteCode: seed.inviteCode,
            codeIssuedBy: caller.user, createdBy: caller.user, createdAt: now, updatedAt: now, members: [:])
        groups[seed.id] = group
        groupIDByCode[seed.inviteCode] = seed.id
        organizations[organizationID]?.groupIDs.append(seed.id)
        announcements.append(.groupCreated(group: seed.id, organization: organizationID, name: name, by: caller.user))
        return .group(snapshot(group, for: standing), created: true)
    }

    /// `GET /organizations/{id}/groups`: every group for those who manage them, a MEMBER's own
    /// groups for a MEMBER, in the order they were made.
    func listGroups(of organizationID: String, for caller: OrganizationCaller) throws(OrganizationError)
        -> OrganizationReply
    {
        let standing = try standing(in: organizationID, of: caller)
        var listed: [GroupSnapshot] = []
        for id in organizations[organizationID]?.groupIDs ?? [] {
            guard let group = groups[id], standing.managesGroups || group.members[caller.user] != nil else { continue }
            listed.append(snapshot(group, for: standing))
        }
        return .groups(listed)
    }

    /// `PUT /groups/{id} {name?, description?}`: the OWNER or a MODERATOR. `updated_at` moves
    /// only when something changes.
    mutating func updateGroup(
        _ id: String, name: String?, description: OrganizationOperation.DescriptionUpdate,
        by caller: OrganizationCaller,
        now: Int64
    ) throws(OrganizationError) -> OrganizationReply {
        let standing = try managerAccess(toGroup: id, for: caller, toDo: "change a group").standing
        guard let before = groups[id] else { throw .noGroup(id) }
        var changed = false
        if let name, name != before.name {
            groups[id]?.name = name
            changed = true
        }
        if case .replace(let text) = description, text != before.description {
            groups[id]?.description = text
            changed = true
        }
        if changed { groups[id]?.updatedAt = now }
        guard let group = groups[id] else { throw .noGroup(id) }
        return .group(snapshot(group, for: standing), created: false)
    }

    /// `DELETE /groups/{id}`: the OWNER only (or a service). Every member is removed
    /// (`group_deleted`), in the order they joined, then the group goes.
    mutating func deleteGroup(
        _ id: String, by caller: OrganizationCaller, announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        let (organizationID, standing) = try access(toGroup: id, for: caller)
        guard standing.actsAsOwner else { throw OrganizationError(.forbidden, "only the OWNER may delete a group") }
        guard let group = groups.removeValue(forKey: id) else { throw .noGroup(id) }
        for member in memberSnapshots(group) {
            announcements.append(
                .groupMemberRemoved(
                    group: id, organization: organizationID, user: member.user, by: caller.user, reason: .groupDeleted))
        }
        groupIDByCode[group.inviteCode] = nil
        organizations[organizationID]?.groupIDs.removeAll { $0 == id }
        announcements.append(.groupDeleted(group: id, organization: organizationID, by: caller.user))
        return .done
    }

    /// `POST /groups/{id}/regenerate-code`: the OWNER or a MODERATOR. The old code stops
    /// working at once; joiners with the new one are `invited_by` the caller.
    mutating func regenerateCode(
        of id: String, by caller: OrganizationCaller, seed: OrganizationSeed?, now: Int64
    ) throws(OrganizationError) -> OrganizationReply {
        _ = try managerAccess(toGroup: id, for: caller, toDo: "regenerate a group's code")
        guard let old = groups[id]?.inviteCode else { throw .noGroup(id) }
        guard let code = seed?.inviteCode, groupIDByCode[code] == nil else { throw .noSeed }
        groupIDByCode[old] = nil
        groupIDByCode[code] = id
        groups[id]?.inviteCode = code
        groups[id]?.codeIssuedBy = caller.user
        groups[id]?.updatedAt = now
        return .inviteCode(code)
    }
}
