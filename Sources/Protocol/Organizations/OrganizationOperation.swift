/// What an organization request asks for, one case per endpoint (docs/HTTP-API.md), with its
/// path parameters and body fields decoded and checked for form (lengths, a valid user id, a
/// well-formed code), but not yet judged against the state; that is the hub's work.
public enum OrganizationOperation: Equatable, Sendable {
    /// `POST /api/v1/organizations {name, owner?}`: a new organization. `owner` is the caller
    /// unless a service names one.
    case createOrganization(name: String, owner: String?)
    /// `GET /api/v1/organizations/{id}`.
    case getOrganization(id: String)
    /// `GET /api/v1/organizations/{id}/members`.
    case listOrganizationMembers(organization: String)
    /// `PUT /api/v1/organizations/{id}/members/{userId} {role}`: adds a user or sets a role.
    case setOrganizationMember(organization: String, user: String, role: OrganizationRole)
    /// `DELETE /api/v1/organizations/{id}/members/{userId}`: removes a member (or leaves).
    case removeOrganizationMember(organization: String, user: String)
    /// `POST /api/v1/organizations/{id}/groups {name, description?}`.
    case createGroup(organization: String, name: String, description: String?)
    /// `GET /api/v1/organizations/{id}/groups`.
    case listGroups(organization: String)
    /// `GET /api/v1/groups/{id}`.
    case getGroup(id: String)
    /// `PUT /api/v1/groups/{id} {name?, description?}`.
    case updateGroup(id: String, name: String?, description: DescriptionUpdate)
    /// `DELETE /api/v1/groups/{id}`.
    case deleteGroup(id: String)
    /// `POST /api/v1/groups/{id}/regenerate-code`.
    case regenerateGroupCode(group: String)
    /// `GET /api/v1/groups/{id}/members`.
    case listGroupMembers(group: String)
    /// `DELETE /api/v1/groups/{id}/members/{userId}`.
    case removeGroupMember(group: String, user: String)
    /// `POST /api/v1/groups/{id}/leave`.
    case leaveGroup(group: String)
    /// `POST /api/v1/groups/join/{inviteCode}`; the code is normalized (upper case).
    case joinGroup(inviteCode: String)

    /// A group's description as a `PUT` changes it: absent keeps it, `null` clears it.
    public enum DescriptionUpdate: Equatable, Sendable {
        case keep
        case replace(with: String?)
    }

    /// The endpoint, without its values.
    public var kind: Kind {
        switch self {
        case .createOrganization: return .createOrganization
        case .getOrganization: return .getOrganization
        case .listOrganizationMembers: return .listOrganizationMembers
        case .setOrganizationMember: return .setOrganizationMember
        case .removeOrganizationMember: return .removeOrganizationMember
        case .createGroup: return .createGroup
        case .listGroups: return .listGroups
        case .getGroup: return .getGroup
        case .updateGroup: return .updateGroup
        case .deleteGroup: return .deleteGroup
        case .regenerateGroupCode: return .regenerateGroupCode
        case .listGroupMembers: return .listGroupMembers
        case .removeGroupMember: return .removeGroupMember
        case .leaveGroup: return .leaveGroup
        case .joinGroup: return .joinGroup
        }
    }

    /// The endpoints, in a fixed order (metrics index them).
    public enum Kind: Int, CaseIterable, Sendable {
        case createOrganization, getOrganization, listOrganizationMembers, setOrganizationMember,
            removeOrganizationMember
        case createGroup, listGroups, getGroup, updateGroup, deleteGroup, regenerateGroupCode, listGroupMembers
        case removeGroupMember, leaveGroup, joinGroup

        /// Whether the endpoint only reads (a `GET`): it changes nothing, so it is not logged.
        public var isReadOnly: Bool {
            switch self {
            case .getOrganization, .listOrganizationMembers, .listGroups, .getGroup, .listGroupMembers: return true
            default: return false
            }
        }

        /// Whether the hub needs a seed drawn from the CSPRNG for it: an id for a new
        /// organization, an id and an invite code for a new group, a code for a new code.
        public var needsSeed: Bool {
            switch self {
            case .createOrganization, .createGroup, .regenerateGroupCode: return true
            default: return false
            }
        }

        /// `METHOD /path/{param}`, as docs/HTTP-API.md names the endpoint (a metrics label).
        public var endpoint: String {
            switch self {
            case .createOrganization: return "POST /api/v1/organizations"
            case .getOrganization: return "GET /api/v1/organizations/{id}"
            case .listOrganizationMembers: return "GET /api/v1/organizations/{id}/members"
            case .setOrganizationMember: return "PUT /api/v1/organizations/{id}/members/{userId}"
            case .removeOrganizationMember: return "DELETE /api/v1/organizations/{id}/members/{userId}"
            case .createGroup: return "POST /api/v1/organizations/{id}/groups"
            case .listGroups: return "GET /api/v1/organizations/{id}/groups"
            case .getGroup: return "GET /api/v1/groups/{id}"
            case .updateGroup: return "PUT /api/v1/groups/{id}"
            case .deleteGroup: return "DELETE /api/v1/groups/{id}"
            case .regenerateGroupCode: return "POST /api/v1/groups/{id}/regenerate-code"
            case .listGroupMembers: return "GET /api/v1/groups/{id}/members"
            case .removeGroupMember: return "DELETE /api/v1/groups/{id}/members/{userId}"
            case .leaveGroup: return "POST /api/v1/groups/{id}/leave"
            case .joinGroup: return "POST /api/v1/groups/join/{inviteCode}"
            }
        }
    }
}
