/// Decodes one organization API request (docs/HTTP-API.md) from its method, parsed path and
/// body into an `OrganizationOperation`, checking the form of everything: path parameters,
/// the body's JSON and every field's type and length. A name is trimmed of surrounding white
/// space before it is measured and kept.
public enum OrganizationRequestDecoder {
    /// The longest organization or group name, in characters, after trimming.
    public static let maxNameLength = 100
    /// The longest group description, in characters.
    public static let maxDescriptionLength = 2000
    /// The longest organization or group id taken from a path. Ids are the server's UUIDs
    /// (36 characters); a longer or stranger one names nothing.
    public static let maxIDLength = 64

    /// Why a request is refused before the hub sees it.
    public enum Refusal: Error, Equatable, Sendable {
        /// The path does not take this method; `allow` is the `Allow` header's value.
        case methodNotAllowed(allow: String)
        /// A parameter or the body is refused: `invalid_request` (400), or `not_found` (404)
        /// for an id or code that cannot name anything.
        case invalid(OrganizationError)
    }

    public static func decode(method: String, path: OrganizationPath, body: [UInt8]) -> Result<
        OrganizationOperation, Refusal
    > {
        do throws(Refusal) {
            return .success(try operation(method: method, path: path, body: body))
        } catch {
            return .failure(error)
        }
    }

    private static func operation(method: String, path: OrganizationPath, body: [UInt8]) throws(Refusal)
        -> OrganizationOperation
    {
        switch (path, method) {
        case (.organizations, "POST"):
            let object = try jsonObject(body)
            return .createOrganization(name: try name(in: object), owner: try optionalUser(in: object, "owner"))
        case (.organization(let id), "GET"):
            return .getOrganization(id: try organizationID(id))
        case (.organizationMembers(let id), "GET"):
            return .listOrganizationMembers(organization: try organizationID(id))
        case (.organizationMember(let id, let user), "PUT"):
            let organization = try organizationID(id)
            let user = try userID(user)
            return .setOrganizationMember(organization: organization, user: user, role: try role(in: jsonObject(body)))
        case (.organizationMember(let id, let user), "DELETE"):
            return .removeOrganizationMember(organization: try organizationID(id), user: try userID(user))
        case (.organizationGroups(let id), "POST"):
            let organization = try organizationID(id)
            let object = try jsonObject(body)
            return .createGroup(
                organization: organization, name: try name(in: object), description: try description(in: object))
        case (.organizationGroups(let id), "GET"):
            return .listGroups(organization: try organizationID(id))
        case (.group(let id), "GET"):
            return .getGroup(id: try groupID(id))
        case (.group(let id), "PUT"):
            let group = try groupID(id)
            let object = try jsonObject(body)
            let name = object["name"] == nil ? nil : try self.name(in: object)
            let update: OrganizationOperation.DescriptionUpdate =
                object["description"] == nil ? .keep : .replace(with: try description(in: object))
            return .updateGroup(id: group, name: name, description: update)
        case (.group(let id), "DELETE"):
            return .deleteGroup(id: try groupID(id))
        case (.groupRegenerateCode(let id), "POST"):
            return .regenerateGroupCode(group: try groupID(id))
        case (.groupMembers(let id), "GET"):
            return .listGroupMembers(group: try groupID(id))
        case (.groupMember(let id, let user), "DELETE"):
            return .removeGroupMember(group: try groupID(id), user: try userID(user))
        case (.groupLeave(let id), "POST"):
            return .leaveGroup(group: try groupID(id))
        case (.groupJoin(let code), "POST"):
            // Typed by hand: any case. A code that is not of the form is no group's.
            guard let normalized = InviteCode.normalized(code) else {
                throw .invalid(OrganizationError(.notFound, "no group has the invite code \(quoted(code))"))
            }
            return .joinGroup(inviteCode: normalized)
        default:
            throw .methodNotAllowed(allow: path.allowedMethods.joined(separator: ", "))
        }
    }

    // MARK: Path parameters

    private static func organizationID(_ id: String) throws(Refusal) -> String {
        guard isPlausibleID(id) else { throw .invalid(OrganizationError(.notFound, "no organization \(quoted(id))")) }
        return id
    }

    private static func groupID(_ id: String) throws(Refusal) -> String {
        guard isPlausibleID(id) else { throw .invalid(OrganizationError(.notFound, "no group \(quoted(id))")) }
        return id
    }

    /// 1-`maxIDLength` characters of `[A-Za-z0-9_-]`: the form every id the server makes has.
    private static func isPlausibleID(_ id: String) -> Bool {
        (1...maxIDLength).contains(id.utf8.count)
            && id.utf8.allSatisfy { ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    private static func userID(_ user: String) throws(Refusal) -> String {
        guard JWTCodec.isValidSubject(user) else {
            throw .invalid(
                OrganizationError(
                    .invalidRequest, "userId must be a user id (1-64 characters of [A-Za-z0-9_.:-])", field: "userId"))
        }
        return user
    }

    // MARK: The body

    private static func jsonObject(_ body: [UInt8]) throws(Refusal) -> JSONValue {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body, maxDepth: 8)
        } catch {
            throw .invalid(OrganizationError(.invalidRequest, "the body is not JSON: \(error)"))
        }
        guard case .object = document else {
            throw .invalid(OrganizationError(.invalidRequest, "the body must be a JSON object"))
        }
        return document
    }

    private static func name(in object: JSONValue) throws(Refusal) -> String {
        guard let text = object["name"]?.stringValue else { throw nameRefusal }
        let trimmed = trimmingWhiteSpace(text)
        guard (1...maxNameLength).contains(trimmed.count) else { throw nameRefusal }
        return trimmed
    }

    private static let nameRefusal = Refusal.invalid(
        OrganizationError(
            .invalidRequest, "\"name\" must be a string of 1-\(maxNameLength) characters (after trimming)",
            field: "name"))

    /// `description`: absent or null (none), else a string of at most `maxDescriptionLength`.
    private static func description(in object: JSONValue) throws(Refusal) -> String? {
        guard let value = object["description"], value != .null else { return nil }
        guard let text = value.stringValue, text.count <= maxDescriptionLength else {
            throw .invalid(
                OrganizationError(
                    .invalidRequest,
                    "\"description\" must be null or a string of at most \(maxDescriptionLength) characters",
                    field: "description"))
        }
        return text
    }

    private static func optionalUser(in object: JSONValue, _ field: String) throws(Refusal) -> String? {
        guard let value = object[field], value != .null else { return nil }
        guard let user = value.stringValue, JWTCodec.isValidSubject(user) else {
            throw .invalid(
                OrganizationError(
                    .invalidRequest, "\"\(field)\" must be a user id (1-64 characters of [A-Za-z0-9_.:-])", field: field
                ))
        }
        return user
    }

    private static func role(in object: JSONValue) throws(Refusal) -> OrganizationRole {
        guard let text = object["role"]?.stringValue, let role = OrganizationRole(rawValue: text) else {
            throw .invalid(
                OrganizationError(.invalidRequest, "\"role\" must be OWNER, MODERATOR or MEMBER", field: "role"))
        }
        return role
    }

    // MARK: Text

    private static func trimmingWhiteSpace(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(text[first...last])
    }

    /// A parameter in a message, quoted and cut short: it came from the URL.
    private static func quoted(_ text: String) -> String {
        "\"" + (text.count > maxIDLength ? String(text.prefix(maxIDLength)) + "…" : text) + "\""
    }
}
