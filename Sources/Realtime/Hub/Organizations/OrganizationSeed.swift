/// What a new organization, a new group or a group's new code is made of, drawn by the hub's
/// driver from the CSPRNG so that the hub holds no randomness and a logged request replays the
/// same. A new organization uses the id, a new group both, a new code only the code.
public struct OrganizationSeed: Equatable, Sendable {
    /// A UUID string.
    public let id: String
    /// A group invite code unused among live groups when drawn (`InviteCode.isWellFormed`).
    public let inviteCode: String

    public init(id: String, inviteCode: String) {
        self.id = id
        self.inviteCode = inviteCode
    }
}
