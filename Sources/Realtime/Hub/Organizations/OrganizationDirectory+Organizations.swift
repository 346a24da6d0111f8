import Protocol

/// Organizations and their members: creating one, adding members and setting roles (handing
/// ownership over included), and removing members, whose groups go with them.
extension OrganizationDirectory {
    /// `POST /organizations`: the owner is the caller; a service, nobody's member, names one.
    mutating func createOrganization(
        name: String, owner: String?, by caller: OrganizationCaller, seed: OrganizationSeed?, now: Int64
    ) throws(OrganizationError) -> OrganizationReply {
        let owner = try ownerOfNewOrganization(named: owner, by: caller)
        guard let id = seed?.id, organizations[id] == nil else { throw .noSeed }
        let organization = Organization(
            id: id, name: name, owner: owner, createdAt: now,
            members: [owner: OrganizationMembership(role: .owner, joinedAt: now)], groupIDs: [])
        organizations[id] = organization
        return .organization(snapshot(organization), created: true)
    }

    private func ownerOfNewOrganization(named owner: String?, by caller: OrganizationCaller) throws(OrganizationError)
        -> String
    {
        if caller.isService {
            guard let owner else {
                throw OrganizationError(
                    .invalidRequest, "a service names the new organization's \"owner\"", field: "owner")
            }
            return owner
        }
        if let owner, owner != caller.user {
            throw OrganizationError(
                .forbidden, "a player creates organizations they own; \"owner\" may only name yourself")
        }
        return caller.user
    }

    /// `PUT /organizations/{id}/members/{user} {role}`. The OWNER (or a service) adds anyone or
    /// sets any role but their own; `OWNER` hands ownership over, and the old owner becomes a
    /// MODERATOR. A MODERATOR adds MEMBERs only. The answer is the member as they now are.
    mutating func setMember(
        _ user: String, role: OrganizationRole, in id: String, by caller: OrganizationCaller, now: Int64
    ) throws(OrganizationError) -> OrganizationReply {
        let standing = try standing(in: id, of: caller)
        guard let owner = organizations[id]?.owner else { throw .noOrganization(id) }
        let current = organizations[id]?.members[user]
        switch standing {
        case .outsider, .member:
            throw OrganizationError(.forbidden, "only the OWNER and MODERATORs may add members")
        case .moderator:
            guard role == .member, current == nil || current?.role == .member else {
                throw OrganizationError(.forbidden, "a MODERATOR may add users as MEMBER only; the OWNER sets roles")
            }
        case .owner, .service:
            if user == owner && role != .owner {
                throw OrganizationError(
                    .forbidden, "the OWNER's role changes only when ownership is handed to another member (role OWNER)")
            }
        }
        let joinedAt = current?.joinedAt ?? now
        if role == .owner && user != owner {
            organizations[id]?.members[owner]?.role = .moderator
            organizations[id]?.owner = user
        }
        organizations[id]?.members[user] = OrganizationMembership(role: role, joinedAt: joinedAt)
        return .organizationMember(OrganizationMemberSnapshot(user: user, role: role, joinedAt: joinedAt))
    }

    /// `DELETE /organizations/{id}/members/{user}`: the OWNER (or a service) removes anyone but
    /// the OWNER, a MODERATOR removes MEMBERs, and anyone but the OWNER removes themself. The
    /// member leaves every group of the organization too (`org_left`).
    mutating func removeMember(
        _ user: String, from id: String, by caller: OrganizationCaller,
        announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        let standing = try standing(in: id, of: caller)
        guard let target = organizations[id]?.members[user]?.role else {
            throw OrganizationError(.notFound, "\(user) is not a member of organization \(id)")
        }
        let isSelf = !caller.isService && user == caller.user
        if target == .owner {
            throw OrganizationError(
                .forbidden,
                isSelf
                    ? "the OWNER cannot leave; hand ownership to another member first" : "the OWNER cannot be removed")
        }
        switch standing {
        case .owner, .service: break
        case .moderator where target == .member || isSelf: break
        case .member where isSelf: break
        default: throw OrganizationError(.forbidden, "a MODERATOR removes MEMBERs, a MEMBER only themself")
        }
        organizations[id]?.members[user] = nil
        for groupID in organizations[id]?.groupIDs ?? [] where groups[groupID]?.members[user] != nil {
            groups[groupID]?.members[user] = nil
            announcements.append(
                .groupMemberRemoved(group: groupID, organization: id, user: user, by: caller.user, reason: .orgLeft))
        }
        return .done
    }
}
