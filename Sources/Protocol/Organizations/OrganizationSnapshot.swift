/// An organization as the API shows it: `{"id","name","owner","created_at","member_count"}`.
public struct OrganizationSnapshot: Equatable, Sendable {
    /// A UUID.
    public let id: String
    /// 1-100 characters.
    public let name: String
    /// The OWNER's user id.
    public let owner: String
    /// Unix ms.
    public let createdAt: Int64
    /// Members of every role, the OWNER included.
    public let memberCount: Int

    public init(id: String, name: String, owner: String, createdAt: Int64, memberCount: Int) {
        self.id = id
        self.name = name
        self.owner = owner
        self.createdAt = createdAt
        self.memberCount = memberCount
    }
}
