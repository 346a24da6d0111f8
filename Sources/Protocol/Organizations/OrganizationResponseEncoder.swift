/// The HTTP responses of the organizations and groups API (docs/HTTP-API.md): each reply's
/// status and JSON body, and the `{"error":{"code","message","field"?}}` body of a refusal.
public enum OrganizationResponseEncoder {
    /// The response to `reply`. `publicURL` (`--public-url`, without a trailing slash) adds
    /// `invite_link` wherever an invite code is shown. `writer` is scratch space.
    public static func response(to reply: OrganizationReply, publicURL: String?, using writer: ByteWriter)
        -> HTTPResponse
    {
        writer.reset()
        let status: HTTPStatus
        switch reply {
        case .organization(let organization, let created):
            status = created ? .created : .ok
            writer.append("{\"organization\":")
            appendOrganization(organization, writer)
            writer.append("}")
        case .organizationMembers(let members):
            status = .ok
            writer.append("{\"members\":[")
            for (index, member) in members.enumerated() {
                if index > 0 { writer.append(",") }
                appendOrganizationMember(member, writer)
            }
            writer.append("]}")
        case .organizationMember(let member):
            status = .ok
            writer.append("{\"member\":")
            appendOrganizationMember(member, writer)
            writer.append("}")
        case .group(let group, let created):
            status = created ? .created : .ok
            writer.append("{\"group\":")
            appendGroup(group, publicURL: publicURL, writer)
            writer.append("}")
        case .groups(let groups):
            status = .ok
            writer.append("{\"groups\":[")
            for (index, group) in groups.enumerated() {
                if index > 0 { writer.append(",") }
                appendGroup(group, publicURL: publicURL, writer)
            }
            writer.append("]}")
        case .inviteCode(let code):
            status = .ok
            writer.append("{")
            appendInviteCode(code, publicURL: publicURL, writer)
            writer.append("}")
        case .groupMembers(let members):
            status = .ok
            writer.append("{\"members\":[")
            for (index, member) in members.enumerated() {
                if index > 0 { writer.append(",") }
                writer.append("{\"user_id\":")
                writer.appendJSONString(member.user)
                writer.append(",\"invited_by\":")
                writer.appendJSONString(member.invitedBy)
                writer.append(",\"joined_at\":")
                writer.append(decimal: member.joinedAt)
                writer.append("}")
            }
            writer.append("]}")
        case .done:
            return HTTPResponse(status: .noContent)
        case .refused(let error):
            return errorResponse(error)
        }
        return .json(status, writer.array)
    }

    /// A refusal: its code's status and `{"error":{"code","message","field"?}}`.
    public static func errorResponse(_ error: OrganizationError, headers: [(name: String, value: String)] = [])
        -> HTTPResponse
    {
        .json(error.code.status, errorBody(error), headers: headers)
    }

    /// `{"error":{"code":..,"message":..}}`, with `"field"` when the error names one.
    public static func errorBody(_ error: OrganizationError) -> [UInt8] {
        let writer = ByteWriter(capacity: 160 + error.message.utf8.count)
        writer.append("{\"error\":{\"code\":")
        writer.appendJSONString(error.code.rawValue)
        writer.append(",\"message\":")
        writer.appendJSONString(error.message)
        if let field = error.field {
            writer.append(",\"field\":")
            writer.appendJSONString(field)
        }
        writer.append("}}")
        return writer.array
    }

    // MARK: Objects

    private static func appendOrganization(_ organization: OrganizationSnapshot, _ writer: ByteWriter) {
        writer.append("{\"id\":")
        writer.appendJSONString(organization.id)
        writer.append(",\"name\":")
        writer.appendJSONString(organization.name)
        writer.append(",\"owner\":")
        writer.appendJSONString(organization.owner)
        writer.append(",\"created_at\":")
        writer.append(decimal: organization.createdAt)
        writer.append(",\"member_count\":")
        writer.append(decimal: Int64(organization.memberCount))
        writer.append("}")
    }

    private static func appendOrganizationMember(_ member: OrganizationMemberSnapshot, _ writer: ByteWriter) {
        writer.append("{\"user_id\":")
        writer.appendJSONString(member.user)
        writer.append(",\"role\":")
        writer.appendJSONString(member.role.rawValue)
        writer.append(",\"joined_at\":")
        writer.append(decimal: member.joinedAt)
        writer.append("}")
    }

    private static func appendGroup(_ group: GroupSnapshot, publicURL: String?, _ writer: ByteWriter) {
        writer.append("{\"id\":")
        writer.appendJSONString(group.id)
        writer.append(",\"organization_id\":")
        writer.appendJSONString(group.organizationID)
        writer.append(",\"name\":")
        writer.appendJSONString(group.name)
        writer.append(",\"description\":")
        if let description = group.description { writer.appendJSONString(description) } else { writer.append("null") }
        writer.append(",")
        if let code = group.inviteCode {
            appendInviteCode(code, publicURL: publicURL, writer)
        } else {
            writer.append("\"invite_code\":null")
        }
        writer.append(",\"created_by\":")
        writer.appendJSONString(group.createdBy)
        writer.append(",\"created_at\":")
        writer.append(decimal: group.createdAt)
        writer.append(",\"updated_at\":")
        writer.append(decimal: group.updatedAt)
        writer.append(",\"member_count\":")
        writer.append(decimal: Int64(group.memberCount))
        writer.append("}")
    }

    /// `"invite_code":"...",` and, with a public URL, `"invite_link":"<url>/groups/join/<code>"`.
    private static func appendInviteCode(_ code: String, publicURL: String?, _ writer: ByteWriter) {
        writer.append("\"invite_code\":")
        writer.appendJSONString(code)
        if let publicURL {
            writer.append(",\"invite_link\":")
            writer.appendJSONString(publicURL + "/groups/join/" + code)
        }
    }
}
