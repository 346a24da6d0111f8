/// The `code` of an organization API error (docs/HTTP-API.md lists when each is sent); each
/// has one HTTP status.
public struct OrganizationErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// 400: the body is not JSON or not an object, or a field or path parameter is missing or
    /// bad (the error names which).
    public static let invalidRequest = OrganizationErrorCode(rawValue: "invalid_request")
    /// 401: no token, or one that does not verify.
    public static let unauthorized = OrganizationErrorCode(rawValue: "unauthorized")
    /// 403: the caller may see the thing but may not do this to it.
    public static let forbidden = OrganizationErrorCode(rawValue: "forbidden")
    /// 403: joining a group of an organization the caller is not a member of.
    public static let notOrgMember = OrganizationErrorCode(rawValue: "not_org_member")
    /// 404: unknown, or hidden from the caller (the two are never told apart).
    public static let notFound = OrganizationErrorCode(rawValue: "not_found")
    /// 405: the path does not take this method (`Allow` lists those it takes).
    public static let methodNotAllowed = OrganizationErrorCode(rawValue: "method_not_allowed")
    /// 409: the caller is already a member of the group.
    public static let alreadyMember = OrganizationErrorCode(rawValue: "already_member")
    /// 409: the organization has as many groups as it may.
    public static let limitReached = OrganizationErrorCode(rawValue: "limit_reached")
    /// 413: the body is over 1 MiB.
    public static let payloadTooLarge = OrganizationErrorCode(rawValue: "payload_too_large")
    /// 500: the server could not carry the request out.
    public static let internalError = OrganizationErrorCode(rawValue: "internal_error")
    /// 503: the server is shutting down.
    public static let unavailable = OrganizationErrorCode(rawValue: "unavailable")

    /// The HTTP status this code is answered with.
    public var status: HTTPStatus {
        switch self {
        case .invalidRequest: return .badRequest
        case .unauthorized: return .unauthorized
        case .forbidden, .notOrgMember: return .forbidden
        case .notFound: return .notFound
        case .methodNotAllowed: return .methodNotAllowed
        case .alreadyMember, .limitReached: return .conflict
        case .payloadTooLarge: return .payloadTooLarge
        case .unavailable: return .serviceUnavailable
        default: return .internalServerError
        }
    }

    public var description: String { rawValue }
}

/// A refused organization request: the code, a message for people, and for
/// `invalid_request` the field or path parameter at fault.
public struct OrganizationError: Error, Equatable, Sendable {
    /// The `code`, which decides the status.
    public let code: OrganizationErrorCode
    /// The `message`, for people.
    public let message: String
    /// The body field (`name`) or path parameter (`userId`) that is missing or bad.
    public let field: String?

    public init(_ code: OrganizationErrorCode, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }
}
