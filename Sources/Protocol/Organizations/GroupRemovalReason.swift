/// Why a member left a group, as `group.member.removed` tells it.
public enum GroupRemovalReason: String, CaseIterable, Equatable, Sendable {
    /// An OWNER or MODERATOR (or a service) removed them.
    case removed
    /// They left the group themselves.
    case left
    /// They left the group's organization, or were removed from it: its groups go with it.
    case orgLeft = "org_left"
    /// The group was deleted.
    case groupDeleted = "group_deleted"
}
