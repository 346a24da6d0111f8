/// The paths of the organizations and groups API (docs/HTTP-API.md), parsed: which resource,
/// and its path parameters percent-decoded (RFC 3986 §2.1) but not yet checked; the decoder
/// checks them with the method and body.
public enum OrganizationPath: Equatable, Sendable {
    /// `/api/v1/organizations`
    case organizations
    /// `/api/v1/organizations/{id}`
    case organization(String)
    /// `/api/v1/organizations/{id}/members`
    case organizationMembers(String)
    /// `/api/v1/organizations/{id}/members/{userId}`
    case organizationMember(String, user: String)
    /// `/api/v1/organizations/{id}/groups`
    case organizationGroups(String)
    /// `/api/v1/groups/{id}`
    case group(String)
    /// `/api/v1/groups/{id}/regenerate-code`
    case groupRegenerateCode(String)
    /// `/api/v1/groups/{id}/members`
    case groupMembers(String)
    /// `/api/v1/groups/{id}/members/{userId}`
    case groupMember(String, user: String)
    /// `/api/v1/groups/{id}/leave`
    case groupLeave(String)
    /// `/api/v1/groups/join/{inviteCode}`. `join` is never a group id (ids are UUIDs), so
    /// `/groups/join/...` is always this.
    case groupJoin(code: String)

    private static let organizationsPrefix = "/api/v1/organizations"
    private static let groupsPrefix = "/api/v1/groups"

    /// Whether the path is under the API's two roots, so that a path that matches no
    /// endpoint is still answered in the API's way (a JSON 404).
    public static func isUnderAPI(_ path: Substring) -> Bool {
        hasRoot(path, organizationsPrefix) || hasRoot(path, groupsPrefix)
    }

    /// The endpoint's path, or nil when `path` is none of the API's.
    public static func parse(_ path: Substring) -> OrganizationPath? {
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
        // ["api", "v1", root, parameters...]; a trailing slash gives an empty last segment,
        // which matches no parameter's form later.
        guard segments.count >= 3, segments.count <= 6 else { return nil }
        let parts = segments.map { Substring($0) }
        guard parts[0] == "api", parts[1] == "v1" else { return nil }
        let rest = Array(parts.dropFirst(3))
        switch parts[2] {
        case "organizations":
            guard let first = rest.first else { return .organizations }
            let id = decode(first)
            switch (rest.count, rest.dropFirst().first) {
            case (1, _): return .organization(id)
            case (2, "members"): return .organizationMembers(id)
            case (2, "groups"): return .organizationGroups(id)
            case (3, "members"): return .organizationMember(id, user: decode(rest[2]))
            default: return nil
            }
        case "groups":
            guard let first = rest.first else { return nil }
            if first == "join" {
                return rest.count == 2 ? .groupJoin(code: decode(rest[1])) : nil
            }
            let id = decode(first)
            switch (rest.count, rest.dropFirst().first) {
            case (1, _): return .group(id)
            case (2, "regenerate-code"): return .groupRegenerateCode(id)
            case (2, "members"): return .groupMembers(id)
            case (2, "leave"): return .groupLeave(id)
            case (3, "members"): return .groupMember(id, user: decode(rest[2]))
            default: return nil
            }
        default:
            return nil
        }
    }

    /// The methods the path takes, for `405` and its `Allow`.
    public var allowedMethods: [String] {
        switch self {
        case .organizations, .groupRegenerateCode, .groupLeave, .groupJoin: return ["POST"]
        case .organization, .organizationMembers, .groupMembers: return ["GET"]
        case .organizationMember: return ["PUT", "DELETE"]
        case .organizationGroups: return ["GET", "POST"]
        case .group: return ["GET", "PUT", "DELETE"]
        case .groupMember: return ["DELETE"]
        }
    }

    /// The endpoint `method` reaches at this path; nil when the path does not take it (405).
    public func endpoint(method: String) -> OrganizationOperation.Kind? {
        switch (self, method) {
        case (.organizations, "POST"): return .createOrganization
        case (.organization, "GET"): return .getOrganization
        case (.organizationMembers, "GET"): return .listOrganizationMembers
        case (.organizationMember, "PUT"): return .setOrganizationMember
        case (.organizationMember, "DELETE"): return .removeOrganizationMember
        case (.organizationGroups, "POST"): return .createGroup
        case (.organizationGroups, "GET"): return .listGroups
        case (.group, "GET"): return .getGroup
        case (.group, "PUT"): return .updateGroup
        case (.group, "DELETE"): return .deleteGroup
        case (.groupRegenerateCode, "POST"): return .regenerateGroupCode
        case (.groupMembers, "GET"): return .listGroupMembers
        case (.groupMember, "DELETE"): return .removeGroupMember
        case (.groupLeave, "POST"): return .leaveGroup
        case (.groupJoin, "POST"): return .joinGroup
        default: return nil
        }
    }

    private static func hasRoot(_ path: Substring, _ root: String) -> Bool {
        guard path.utf8.starts(with: root.utf8) else { return false }
        let next = path.utf8.dropFirst(root.utf8.count).first
        return next == nil || next == UInt8(ascii: "/")
    }

    /// A path segment with its `%XX` escapes decoded (`+` is itself in a path); an escape that
    /// is broken or decodes to bytes that are not UTF-8 gives "", which no parameter accepts.
    private static func decode(_ segment: Substring) -> String {
        guard segment.utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
        var bytes: [UInt8] = []
        var iterator = segment.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(ASCII.hexValue), let low = iterator.next().flatMap(ASCII.hexValue)
            else {
                return ""
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self) ?? ""
    }
}
