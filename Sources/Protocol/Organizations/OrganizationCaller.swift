/// Who sends an organization request: the `sub` of the token that signed it in, and whether
/// that token is a service's (`"role":"service"`), which may do everything an OWNER may in
/// every organization but is nobody's member.
public struct OrganizationCaller: Equatable, Sendable {
    /// The user id (a player's `sub`), or the service's name.
    public let user: String
    /// Whether the token had `"role":"service"`.
    public let isService: Bool

    public init(user: String, isService: Bool = false) {
        self.user = user
        self.isService = isService
    }
}
