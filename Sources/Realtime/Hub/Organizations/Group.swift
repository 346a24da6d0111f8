/// A private group inside an organization, joined with its invite code.
struct Group: Equatable, Sendable {
    let id: String
    let organizationID: String
    var name: String
    var description: String?
    /// The live code (upper case); unique among every group's.
    var inviteCode: String
    /// Who made the live code (the creator, or who regenerated it last): a joiner's `invited_by`.
    var codeIssuedBy: String
    let createdBy: String
    /// Unix ms.
    let createdAt: Int64
    /// Unix ms: the last change of the name, the description or the code.
    var updatedAt: Int64
    var members: [String: GroupMembership]
}

/// One user's place in a group.
struct GroupMembership: Equatable, Sendable {
    /// Who made the code they joined with.
    let invitedBy: String
    /// Unix ms.
    let joinedAt: Int64
}
