import Protocol

/// The organizations and groups API (docs/HTTP-API.md): JSON in and out, every request signed
/// in with a player's or a service's token. The router refuses what it can tell without the
/// state (an unknown path, a method the path does not take, no valid token, a body or
/// parameter of the wrong form); the rest goes to the hub, whose answer is the response.
extension Router {
    func routeOrganizationRequest(_ request: HTTPRequest, nowSeconds: Int64, shuttingDown: Bool) -> RouteDecision {
        let keepAlive = request.keepAlive
        guard let path = OrganizationPath.parse(request.path) else {
            return .respond(
                OrganizationResponseEncoder.errorResponse(OrganizationError(.notFound, "no such endpoint")),
                keepAlive: keepAlive,
                failure: .notFound)
        }
        guard let endpoint = path.endpoint(method: request.method) else {
            let allow = path.allowedMethods.joined(separator: ", ")
            let error = OrganizationError(.methodNotAllowed, "\(request.method) is not allowed here (\(allow))")
            return .respond(
                OrganizationResponseEncoder.errorResponse(error, headers: [("Allow", allow)]), keepAlive: keepAlive,
                failure: .methodNotAllowed)
        }
        let caller: OrganizationCaller
        switch signIn(request, nowSeconds: nowSeconds) {
        case .failure(let error):
            metrics.apiRequest(endpoint, status: .unauthorized)
            let response = OrganizationResponseEncoder.errorResponse(error, headers: [("WWW-Authenticate", "Bearer")])
            return .respond(response, keepAlive: false, failure: .unauthorized)
        case .success(let signedIn) where signedIn.isReadOnly && request.method != "GET":
            // A read-only token (a stream overlay's) may look, never change anything.
            metrics.apiRequest(endpoint, status: .forbidden)
            let error = OrganizationError(.forbidden, "this token is read-only (\"scope\":\"read\")")
            return .respond(OrganizationResponseEncoder.errorResponse(error), keepAlive: keepAlive, failure: nil)
        case .success(let signedIn):
            caller = signedIn.caller
        }
        if shuttingDown {
            metrics.apiRequest(endpoint, status: .serviceUnavailable)
            let response = OrganizationResponseEncoder.errorResponse(OrganizationError(.unavailable, "shutting down"))
            return .respond(response, keepAlive: false, failure: nil)
        }
        switch OrganizationRequestDecoder.decode(method: request.method, path: path, body: request.body) {
        case .success(let operation):
            return .toHub(
                .organization(OrganizationRequest(caller: caller, operation: operation)), keepAlive: keepAlive)
        case .failure(.invalid(let error)):
            metrics.apiRequest(endpoint, status: error.code.status)
            return .respond(OrganizationResponseEncoder.errorResponse(error), keepAlive: keepAlive, failure: nil)
        case .failure(.methodNotAllowed(let allow)):
            // `endpoint(method:)` already let the method through; kept for completeness.
            let error = OrganizationError(.methodNotAllowed, "\(request.method) is not allowed here (\(allow))")
            return .respond(
                OrganizationResponseEncoder.errorResponse(error, headers: [("Allow", allow)]), keepAlive: keepAlive,
                failure: .methodNotAllowed)
        }
    }

    /// The caller of a token from `Authorization: Bearer` (or `?token=`): a player, or a
    /// service (`"role":"service"`); and whether the token is read-only (`"scope":"read"`).
    private func signIn(_ request: HTTPRequest, nowSeconds: Int64)
        -> Result<(caller: OrganizationCaller, isReadOnly: Bool), OrganizationError>
    {
        guard let token = Self.token(of: request) else {
            return .failure(OrganizationError(.unauthorized, "missing token (use Authorization: Bearer)"))
        }
        switch context.jwt.verify(token, now: nowSeconds) {
        case .failure(let error): return .failure(OrganizationError(.unauthorized, error.description))
        case .success(let claims):
            return .success((OrganizationCaller(user: claims.subject, isService: claims.isService), claims.isReadOnly))
        }
    }
}
