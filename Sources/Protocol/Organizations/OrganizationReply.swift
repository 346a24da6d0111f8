/// The hub's answer to an organization request: what the endpoint returns, or why not.
/// `OrganizationResponseEncoder` makes the HTTP response of it.
public enum OrganizationReply: Equatable, Sendable {
    /// `{"organization":{...}}`: 201 when just created, else 200.
    case organization(OrganizationSnapshot, created: Bool)
    /// `{"members":[{"user_id","role","joined_at"}]}`.
    case organizationMembers([OrganizationMemberSnapshot])
    /// `{"member":{"user_id","role","joined_at"}}`.
    case organizationMember(OrganizationMemberSnapshot)
    /// `{"group":{...}}`: 201 when just created, else 200.
    case group(GroupSnapshot, created: Bool)
    /// `{"groups":[...]}`.
    case groups([GroupSnapshot])
    /// `{"invite_code":"..."}`: a group's new code.
    case inviteCode(String)
    /// `{"members":[{"user_id","invited_by","joined_at"}]}`.
    case groupMembers([GroupMemberSnapshot])
    /// 204, no body: a removal, a leave, a deletion.
    case done
    /// Refused.
    case refused(OrganizationError)
}
