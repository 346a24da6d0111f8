/// A member's role in an organization (docs/HTTP-API.md). An organization has exactly one
/// `OWNER`; `MODERATOR`s manage its groups and add members; `MEMBER`s see only their own groups.
public enum OrganizationRole: String, CaseIterable, Equatable, Sendable {
    case owner = "OWNER"
    case moderator = "MODERATOR"
    case member = "MEMBER"

    /// Whether the role manages the organization's groups (sees them all, and their codes).
    public var managesGroups: Bool { self != .member }
}
