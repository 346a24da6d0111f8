/// A member of a group: `{"user_id","invited_by","joined_at"}`. `invitedBy` is who made the
/// code the member joined with (the group's creator or the code's last regenerator).
public struct GroupMemberSnapshot: Equatable, Sendable {
    /// The member's user id (`user_id`).
    public let user: String
    /// `invited_by`.
    public let invitedBy: String
    /// Unix ms.
    public let joinedAt: Int64

    public init(user: String, invitedBy: String, joinedAt: Int64) {
        self.user = user
        self.invitedBy = invitedBy
        self.joinedAt = joinedAt
    }
}
