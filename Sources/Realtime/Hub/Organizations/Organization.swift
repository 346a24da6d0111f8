import Protocol

/// An organization (a guild, a clan): its members by user id, and its groups' ids in the
/// order they were made.
struct Organization: Equatable, Sendable {
    let id: String
    var name: String
    /// The one member whose role is `OWNER`.
    var owner: String
    /// Unix ms.
    let createdAt: Int64
    var members: [String: OrganizationMembership]
    /// Creation order, which listings keep.
    var groupIDs: [String]
}

/// One user's place in an organization.
struct OrganizationMembership: Equatable, Sendable {
    var role: OrganizationRole
    /// Unix ms.
    let joinedAt: Int64
}
