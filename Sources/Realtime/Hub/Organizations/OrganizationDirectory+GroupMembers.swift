import Protocol

/// A group's members: joining with the code, leaving, being removed, and the member list.
extension OrganizationDirectory {
    /// `POST /groups/join/{code}`: a member of the group's organization joins, `invited_by`
    /// whoever issued the code. The code is matched in upper case (typed by hand).
    mutating func joinGroup(
        code: String, by caller: OrganizationCaller, now: Int64, announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        guard let normalized = InviteCode.normalized(code), let id = groupIDByCode[normalized], var group = groups[id],
            let organization = organizations[group.organizationID]
        else { throw OrganizationError(.notFound, "no group has the invite code \(code)") }
        let standing = standing(of: caller, in: organization)
        // A service is nobody's member: it manages groups but belongs to none.
        guard standing != .outsider && standing != .service else {
            throw OrganizationError(.notOrgMember, "join organization \(organization.id) before its groups")
        }
        guard group.members[caller.user] == nil else {
            throw OrganizationError(.alreadyMember, "you are already a member of group \(id)")
        }
        group.members[caller.user] = GroupMembership(invitedBy: group.codeIssuedBy, joinedAt: now)
        groups[id] = group
        announcements.append(
            .groupMemberAdded(group: id, organization: group.organizationID, user: caller.user, invitedBy: group.codeIssuedBy))
        return .group(snapshot(group, for: standing), created: false)
    }

    /// `POST /groups/{id}/leave`: a member leaves (`left`); `not_found` for anyone else.
    mutating func leaveGroup(
        _ id: String, by caller: OrganizationCaller, announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        guard let group = groups[id], !caller.isService, group.members[caller.user] != nil else { throw .noGroup(id) }
        groups[id]?.members[caller.user] = nil
        announcements.append(
            .groupMemberRemoved(group: id, organization: group.organizationID, user: caller.user, by: caller.user, reason: .left))
        return .done
    }

    /// `DELETE /groups/{id}/members/{user}`: the OWNER or a MODERATOR removes a member
    /// (`removed`); a member naming themself leaves (`left`). `not_found` when the user is not
    /// a member.
    mutating func removeGroupMember(
        _ user: String, from id: String, by caller: OrganizationCaller, announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        if !caller.isService && user == caller.user, groups[id]?.members[user] != nil {
            return try leaveGroup(id, by: caller, announcing: &announcements)
        }
        let (group, _) = try managedGroup(id, by: caller, toDo: "remove a group's members")
        guard group.members[user] != nil else { throw OrganizationError(.notFound, "\(user) is not a member of group \(id)") }
        groups[id]?.members[user] = nil
        announcements.append(
            .groupMemberRemoved(group: id, organization: group.organizationID, user: user, by: caller.user, reason: .removed))
        return .done
    }

    /// `GET /groups/{id}/members`: for the OWNER and MODERATORs; a MEMBER gets `forbidden`.
    func listMembers(of id: String, for caller: OrganizationCaller) throws(OrganizationError) -> OrganizationReply {
        .groupMembers(memberSnapshots(try managedGroup(id, by: caller, toDo: "list a group's members").0))
    }
}
