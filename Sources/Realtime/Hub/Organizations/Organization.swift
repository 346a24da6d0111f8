import Protocol

/// An organization (a guild, a clan): its members by user id, and its groups' ids in the
/// order they were made.
struct Organization: Equatable, Sendable {
    /// A UUID, from the seed.
    let id: String
    /// 1-100 characters, trimmed.
    var name: String
    /// The one member whose role is `OWNER`.
    var owner: String
    /// Unix ms.
    let createdAt: Int64
    /// Every member (the OWNER included), by user id.
    var members: [String: OrganizationMembership]
    /// Creation order, which listings keep.
    var groupIDs: [String]
}

/// One user's place in an organization.
struct OrganizationMembership: Equatable, Sendable {
    /// `OWNER` for exactly one member, the organization's `owner`.
    var role: OrganizationRole
    /// Unix ms.
    let joinedAt: Int64
}
