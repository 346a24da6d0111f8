/// A private group inside an organization, joined with its invite code.
struct Group: Equatable, Sendable {
    /// A UUID, from the seed.
    let id: String
    /// The organization it belongs to (which lists it in `groupIDs`).
    let organizationID: String
    /// 1-100 characters, trimmed.
    var name: String
    /// At most 2000 characters; nil: none.
    var description: String?
    /// The live code (upper case); unique among every group's.
    var inviteCode: String
    /// Who made the live code (the creator, or who regenerated it last): a joiner's `invited_by`.
    var codeIssuedBy: String
    /// Who made the group: a user id, or a service's name.
    let createdBy: String
    /// Unix ms.
    let createdAt: Int64
    /// Unix ms: the last change of the name, the description or the code.
    var updatedAt: Int64
    /// Every member, by user id; each is a member of the organization.
    var members: [String: GroupMembership]
}

/// One user's place in a group.
struct GroupMembership: Equatable, Sendable {
    /// Who made the code they joined with.
    let invitedBy: String
    /// Unix ms.
    let joinedAt: Int64
}
