/// A group as one caller may see it: `{"id","organization_id","name","description",
/// "invite_code","created_by","created_at","updated_at","member_count"}`. The invite code is
/// shown to the organization's OWNER and MODERATORs (and services) only: nil for the others.
public struct GroupSnapshot: Equatable, Sendable {
    /// A UUID.
    public let id: String
    /// `organization_id`.
    public let organizationID: String
    /// 1-100 characters.
    public let name: String
    /// At most 2000 characters; nil shows as `null`.
    public let description: String?
    /// The live code for those who manage groups; nil (`null`) for the others.
    public let inviteCode: String?
    /// Who created it (a user id, or a service's name).
    public let createdBy: String
    /// Unix ms; `updatedAt` moves when the name, description or code changes.
    public let createdAt: Int64
    public let updatedAt: Int64
    /// `member_count`.
    public let memberCount: Int

    public init(
        id: String, organizationID: String, name: String, description: String?, inviteCode: String?, createdBy: String,
        createdAt: Int64, updatedAt: Int64, memberCount: Int
    ) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.description = description
        self.inviteCode = inviteCode
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.memberCount = memberCount
    }
}
