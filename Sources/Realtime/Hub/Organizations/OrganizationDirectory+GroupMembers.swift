import Protocol

/// A group's members: joining with the code, leaving, being removed, and the member list.
extension OrganizationDirectory {
    /// `POST /groups/join/{code}`: a member of the group's organization joins, `invited_by`
    /// whoever issued the code. The code is matched in upper case (typed by hand).
    mutating func joinGroup(
        code: String, by caller: OrganizationCaller, now: Int64, announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        let (id, organizationID, invitedBy) = try groupOpened(by: code)
        let standing = try joinerStanding(in: organizationID, of: caller)
        guard groups[id]?.members[caller.user] == nil else {
            throw OrganizationError(.alreadyMember, "you are already a member of group \(id)")
        }
        groups[id]?.members[caller.user] = GroupMembership(invitedBy: invitedBy, joinedAt: now)
        announcements.append(
            .groupMemberAdded(group: id, organization: organizationID, user: caller.user, invitedBy: invitedBy))
        guard let group = groups[id] else { throw .noGroup(id) }
        return .group(snapshot(group, for: standing), created: false)
    }

    /// The group a code opens: its id, its organization, and who issued the code.
    private func groupOpened(by code: String) throws(OrganizationError) -> (String, String, String) {
        guard let normalized = InviteCode.normalized(code), let id = groupIDByCode[normalized], let group = groups[id]
        else {
            throw OrganizationError(.notFound, "no group has the invite code \(code)")
        }
        return (id, group.organizationID, group.codeIssuedBy)
    }

    /// A joiner's standing: `not_org_member` outside the organization. A service is nobody's
    /// member: it manages groups but belongs to none.
    private func joinerStanding(in organizationID: String, of caller: OrganizationCaller) throws(OrganizationError)
        -> Standing
    {
        guard let organization = organizations[organizationID] else { throw .noOrganization(organizationID) }
        let standing = standing(of: caller, in: organization)
        guard standing != .outsider && standing != .service else {
            throw OrganizationError(.notOrgMember, "join organization \(organizationID) before its groups")
        }
        return standing
    }

    /// `POST /groups/{id}/leave`: a member leaves (`left`); `not_found` for anyone else.
    mutating func leaveGroup(
        _ id: String, by caller: OrganizationCaller, announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        guard !caller.isService, groups[id]?.members[caller.user] != nil,
            let organizationID = groups[id]?.organizationID
        else {
            throw .noGroup(id)
        }
        groups[id]?.members[caller.user] = nil
        announcements.append(
            .groupMemberRemoved(
                group: id, organization: organizationID, user: caller.user, by: caller.user, reason: .left))
        return .done
    }

    /// `DELETE /groups/{id}/members/{user}`: the OWNER or a MODERATOR removes a member
    /// (`removed`); a member naming themself leaves (`left`). `not_found` when the user is not
    /// a member.
    mutating func removeGroupMember(
        _ user: String, from id: String, by caller: OrganizationCaller,
        announcing announcements: inout [PublishedEvent.Kind]
    ) throws(OrganizationError) -> OrganizationReply {
        if !caller.isService && user == caller.user, groups[id]?.members[user] != nil {
            return try leaveGroup(id, by: caller, announcing: &announcements)
        }
        let organizationID = try managerAccess(toGroup: id, for: caller, toDo: "remove a group's members")
            .organizationID
        guard groups[id]?.members[user] != nil else {
            throw OrganizationError(.notFound, "\(user) is not a member of group \(id)")
        }
        groups[id]?.members[user] = nil
        announcements.append(
            .groupMemberRemoved(group: id, organization: organizationID, user: user, by: caller.user, reason: .removed))
        return .done
    }

    /// `GET /groups/{id}/members`: for the OWNER and MODERATORs; a MEMBER gets `forbidden`.
    func listMembers(of id: String, for caller: OrganizationCaller) throws(OrganizationError) -> OrganizationReply {
        _ = try managerAccess(toGroup: id, for: caller, toDo: "list a group's members")
        guard let group = groups[id] else { throw .noGroup(id) }
        return .groupMembers(memberSnapshots(group))
    }
}
