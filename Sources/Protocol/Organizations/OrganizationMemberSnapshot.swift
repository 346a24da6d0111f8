/// A member of an organization: `{"user_id","role","joined_at"}`.
public struct OrganizationMemberSnapshot: Equatable, Sendable {
    /// The member's user id (`user_id`).
    public let user: String
    public let role: OrganizationRole
    /// Unix ms.
    public let joinedAt: Int64

    public init(user: String, role: OrganizationRole, joinedAt: Int64) {
        self.user = user
        self.role = role
        self.joinedAt = joinedAt
    }
}
