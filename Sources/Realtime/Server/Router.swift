import Protocol

/// What to do with one HTTP request.
enum RouteDecision {
    /// Answer and, when `keepAlive`, wait for the next request on the connection.
    case respond(HTTPResponse, keepAlive: Bool, failure: HandshakeFailure?)
    /// Switch to WebSocket: the 101 response, then the endpoint's session.
    case upgrade(HTTPResponse, endpoint: WebSocketEndpoint)
    /// Hand the request to the hub; its answer is the response, sent once what it shows is
    /// durable.
    case toHub(HubBoundRequest, keepAlive: Bool)
    /// Ask the hub's loop for a page of the published event stream; its answer is the response.
    case eventsRead(after: UInt64, limit: Int, keepAlive: Bool)
}

/// The WebSocket endpoints a connection can be upgraded to.
enum WebSocketEndpoint {
    /// The party protocol, for a signed-in player; `readOnly` for a `"scope":"read"` token,
    /// whose commands that change anything are refused with `forbidden`.
    case party(player: String, readOnly: Bool)
    /// Echo of every message (conformance testing).
    case echo
    /// The published event stream for a service, from the event after `after` on.
    case eventStream(after: UInt64)
}

/// Maps requests to responses and upgrades: the party WebSocket (JWT sign-in), the service
/// events endpoints (service tokens: events in, the published events out as pages and as a
/// WebSocket stream), the organizations and groups API (`Router+Organizations`), the optional
/// echo endpoint, the stream overlay page (`/overlay`), `/healthz` and `/metrics`. Pure apart from reading the metrics.
struct Router {
    let context: ServerContext
    /// The loop's counters (the organizations API counts its refusals by endpoint).
    let metrics: LoopMetrics

    /// Where other services send events (POST).
    static let eventsPath = "/api/v1/social/party/events"
    /// Where other services follow the published events over a WebSocket.
    static let eventStreamPath = "/api/v1/social/party/events/stream"
    /// `limit` of a page of events: the default and the range.
    static let defaultEventsLimit = 100
    static let eventsLimitRange: ClosedRange<UInt64> = 1...1000

    func route(_ request: HTTPRequest, nowSeconds: Int64, shuttingDown: Bool) -> RouteDecision {
        let configuration = context.configuration
        let path = request.path
        let keepAlive = request.keepAlive
        switch path {
        case _ where path.utf8.elementsEqual(configuration.partyPath.utf8):
            guard request.method == "GET" else { return methodNotAllowed(keepAlive) }
            let acceptKey: String
            switch acceptedUpgrade(request, shuttingDown: shuttingDown) {
            case .refused(let refusal): return refusal
            case .accepted(let key): acceptKey = key
            }
            guard let token = Self.token(of: request) else {
                return unauthorized("missing token (use ?token= or Authorization: Bearer)")
            }
            switch context.jwt.verify(token, now: nowSeconds) {
            case .failure(let error): return unauthorized(error.description)
            case .success(let claims) where claims.isService:
                return .respond(
                    .text(.forbidden, "a service token cannot sign in a player\n"), keepAlive: false, failure: .unauthorized)
            case .success(let claims):
                return .upgrade(
                    WebSocketHandshake.switchingProtocolsResponse(acceptKey: acceptKey),
                    endpoint: .party(player: claims.subject, readOnly: claims.isReadOnly))
            }
        case Self.eventsPath:
            switch request.method {
            case "POST": return receiveServiceEvents(request, nowSeconds: nowSeconds, shuttingDown: shuttingDown)
            case "GET": return readEvents(request, nowSeconds: nowSeconds, shuttingDown: shuttingDown)
            default: return methodNotAllowed(keepAlive, allow: "GET, POST")
            }
        case Self.eventStreamPath:
            guard request.method == "GET" else { return methodNotAllowed(keepAlive) }
            return subscribeToEvents(request, nowSeconds: nowSeconds, shuttingDown: shuttingDown)
        case _ where configuration.echoPath.map({ path.utf8.elementsEqual($0.utf8) }) ?? false:
            guard request.method == "GET" else { return methodNotAllowed(keepAlive) }
            switch acceptedUpgrade(request, shuttingDown: shuttingDown) {
            case .refused(let refusal): return refusal
            case .accepted(let key): return .upgrade(WebSocketHandshake.switchingProtocolsResponse(acceptKey: key), endpoint: .echo)
            }
        case "/healthz":
            guard request.method == "GET" else { return methodNotAllowed(keepAlive) }
            let response: HTTPResponse = shuttingDown ? .text(.serviceUnavailable, "shutting down\n") : .text(.ok, "ok\n")
            return .respond(response, keepAlive: keepAlive, failure: nil)
        case Self.adminStatsPath:
            return adminStats(request, nowSeconds: nowSeconds)
        case _ where path.hasPrefix(Self.adminPlayersPrefix):
            return adminPlayerRequest(request, nowSeconds: nowSeconds, shuttingDown: shuttingDown)
        case _ where path.hasPrefix(Self.adminPartiesPrefix):
            return adminPartyRequest(request, nowSeconds: nowSeconds, shuttingDown: shuttingDown)
        case "/overlay":
            guard request.method == "GET" || request.method == "HEAD" else { return methodNotAllowed(keepAlive, allow: "GET, HEAD") }
            var response = OverlayPage.response(partyPath: configuration.partyPath)
            if request.method == "HEAD" { response.body = [] }
            return .respond(response, keepAlive: keepAlive, failure: nil)
        case "/metrics":
            guard request.method == "GET" else { return methodNotAllowed(keepAlive) }
            let body = MetricsRenderer.render(
                context.loopMetrics, persistence: context.persistenceMetrics, logLinesDropped: context.logger.droppedLines)
            let response = HTTPResponse(
                status: .ok, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: Array(body.utf8))
            return .respond(response, keepAlive: keepAlive, failure: nil)
        case _ where OrganizationPath.isUnderAPI(path):
            return routeOrganizationRequest(request, nowSeconds: nowSeconds, shuttingDown: shuttingDown)
        default:
            return .respond(.text(.notFound, "not found\n"), keepAlive: keepAlive, failure: .notFound)
        }
    }

    /// The token from `?token=` or `Authorization: Bearer`.
    static func token(of request: HTTPRequest) -> Substring? {
        if let query = request.queryParameter("token"), !query.isEmpty { return Substring(query) }
        // RFC 6750 §2.1: "Bearer" (any case), one or more spaces, the token.
        if let authorization = request.header("authorization"), authorization.utf8.count > 7,
            authorization.utf8.prefix(6).map({ $0 | 0x20 }) == Array("bearer".utf8),
            authorization.utf8.dropFirst(6).first == UInt8(ascii: " ")
        {
            let token = authorization.utf8.dropFirst(7).drop(while: { $0 == UInt8(ascii: " ") })
            let trimmed = Substring(token).trimmingSuffix(" ")
            return trimmed.isEmpty ? nil : trimmed
        }
        return nil
    }

    /// `POST /api/v1/social/party/events`: a service's batch of events, for the hub.
    private func receiveServiceEvents(_ request: HTTPRequest, nowSeconds: Int64, shuttingDown: Bool) -> RouteDecision {
        if let refusal = refuseUnlessService(request, nowSeconds: nowSeconds) { return refusal }
        if shuttingDown {
            return .respond(.jsonError(.serviceUnavailable, code: "unavailable", "shutting down"), keepAlive: false, failure: nil)
        }
        switch ServiceEventDecoder.decode(request.body) {
        case .failure(let error):
            return .respond(.jsonError(.badRequest, code: "invalid_message", error.message), keepAlive: request.keepAlive, failure: nil)
        case .success(let events):
            return .toHub(.serviceEvents(events), keepAlive: request.keepAlive)
        }
    }

    /// `GET /api/v1/social/party/events?after=N&limit=M`: a page of the published stream, read
    /// by the hub's loop (which owns it).
    private func readEvents(_ request: HTTPRequest, nowSeconds: Int64, shuttingDown: Bool) -> RouteDecision {
        if let refusal = refuseUnlessService(request, nowSeconds: nowSeconds) { return refusal }
        if shuttingDown {
            return .respond(.jsonError(.serviceUnavailable, code: "unavailable", "shutting down"), keepAlive: false, failure: nil)
        }
        let after: UInt64
        let limit: UInt64
        switch (
            Self.wholeNumber("after", of: request, default: 0, in: 0...UInt64.max),
            Self.wholeNumber("limit", of: request, default: UInt64(Self.defaultEventsLimit), in: Self.eventsLimitRange)
        ) {
        case (.success(let first), .success(let second)):
            after = first
            limit = second
        case (.failure(let error), _), (_, .failure(let error)):
            return .respond(.jsonError(.badRequest, code: "invalid_message", error.message), keepAlive: request.keepAlive, failure: nil)
        }
        return .eventsRead(after: after, limit: Int(limit), keepAlive: request.keepAlive)
    }

    /// `GET /api/v1/social/party/events/stream?after=N`, a WebSocket upgrade: the handshake is
    /// checked first, then the service token, then `after`.
    private func subscribeToEvents(_ request: HTTPRequest, nowSeconds: Int64, shuttingDown: Bool) -> RouteDecision {
        let acceptKey: String
        switch acceptedUpgrade(request, shuttingDown: shuttingDown) {
        case .refused(let refusal): return refusal
        case .accepted(let key): acceptKey = key
        }
        if case .respond(let response, _, let failure)? = refuseUnlessService(request, nowSeconds: nowSeconds) {
            return .respond(response, keepAlive: false, failure: failure ?? .other)
        }
        switch Self.wholeNumber("after", of: request, default: 0, in: 0...UInt64.max) {
        case .failure(let error):
            return .respond(.jsonError(.badRequest, code: "invalid_message", error.message), keepAlive: false, failure: .badRequest)
        case .success(let after):
            return .upgrade(WebSocketHandshake.switchingProtocolsResponse(acceptKey: acceptKey), endpoint: .eventStream(after: after))
        }
    }

    /// A query parameter that must be a whole number in `range`, written as decimal digits
    /// only (no sign, no space, no leading `+`); `defaultValue` when absent.
    static func wholeNumber(
        _ name: String, of request: HTTPRequest, default defaultValue: UInt64, in range: ClosedRange<UInt64>
    ) -> Result<UInt64, WholeNumberError> {
        guard let text = request.queryParameter(name) else { return .success(defaultValue) }
        let digits = text.utf8
        guard !digits.isEmpty, digits.count <= 20, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = UInt64(text), range.contains(value)
        else {
            let bounds = range.upperBound == .max ? "a whole number from \(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
            return .failure(WholeNumberError(message: "\(name) must be \(bounds)"))
        }
        return .success(value)
    }

    /// Why a query parameter is not the whole number it must be, for the 400's message.
    struct WholeNumberError: Error {
        /// `limit must be 1-1000`, for the body.
        let message: String
    }

    /// What every WebSocket endpoint checks first.
    private enum UpgradeCheck {
        case accepted(key: String)
        case refused(RouteDecision)
    }

    /// In this order: a valid RFC 6455 handshake (its accept key), a server not shutting down,
    /// an allowed `Origin`.
    private func acceptedUpgrade(_ request: HTTPRequest, shuttingDown: Bool) -> UpgradeCheck {
        switch WebSocketHandshake.validate(request) {
        case .failure(let refusal):
            return .refused(.respond(refusal.response, keepAlive: false, failure: HandshakeFailure(status: refusal.status)))
        case .success(let key):
            if shuttingDown { return .refused(unavailable()) }
            if let refusal = refuseForeignOrigin(request) { return .refused(refusal) }
            return .accepted(key: key)
        }
    }

    /// The 403 for a browser upgrade from an origin `--allowed-origins` does not list
    /// (cross-site WebSocket hijacking: a page on another site would ride the player's token);
    /// nil when it may go on. A request without `Origin` is a native client and passes (RFC
    /// 6455 §10.2: only browsers are required to send it).
    func refuseForeignOrigin(_ request: HTTPRequest) -> RouteDecision? {
        let allowed = context.configuration.allowedOrigins
        guard !allowed.isEmpty, !allowed.contains("*"), let origin = request.header("origin") else { return nil }
        // RFC 6454 §6.1: an origin is serialised in lower case scheme and host; compare so.
        if allowed.contains(where: { $0.lowercased() == origin.lowercased() }) { return nil }
        return .respond(.text(.forbidden, "origin not allowed\n"), keepAlive: false, failure: .forbiddenOrigin)
    }

    /// The refusal of a request to a service endpoint without a valid service token: 401 for
    /// no token or a bad one, 403 for a player's or for a read-only one's `POST`; nil when the
    /// caller is a service.
    func refuseUnlessService(_ request: HTTPRequest, nowSeconds: Int64) -> RouteDecision? {
        guard let token = Self.token(of: request) else {
            return jsonUnauthorized("missing token (use Authorization: Bearer or ?token=)")
        }
        switch context.jwt.verify(token, now: nowSeconds) {
        case .failure(let error): return jsonUnauthorized(error.description)
        case .success(let claims) where !claims.isService:
            return .respond(
                .jsonError(.forbidden, code: "forbidden", "this endpoint takes a service token (\"role\":\"service\")"),
                keepAlive: request.keepAlive, failure: nil)
        case .success(let claims) where claims.isReadOnly && request.method != "GET":
            return .respond(
                .jsonError(.forbidden, code: "forbidden", "this token is read-only (\"scope\":\"read\")"),
                keepAlive: request.keepAlive, failure: nil)
        case .success: return nil
        }
    }

    private func jsonUnauthorized(_ reason: String) -> RouteDecision {
        .respond(
            .jsonError(.unauthorized, code: "unauthorized", reason, headers: [("WWW-Authenticate", "Bearer")]), keepAlive: false,
            failure: .unauthorized)
    }

    private func methodNotAllowed(_ keepAlive: Bool, allow: String = "GET") -> RouteDecision {
        .respond(.text(.methodNotAllowed, "method not allowed\n", headers: [("Allow", allow)]), keepAlive: keepAlive, failure: .methodNotAllowed)
    }

    private func unauthorized(_ reason: String) -> RouteDecision {
        .respond(
            .text(.unauthorized, reason + "\n", headers: [("WWW-Authenticate", "Bearer")]), keepAlive: false, failure: .unauthorized)
    }

    private func unavailable() -> RouteDecision {
        .respond(.text(.serviceUnavailable, "shutting down\n"), keepAlive: false, failure: .other)
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ character: Character) -> Substring {
        var slice = self
        while slice.last == character { slice = slice.dropLast() }
        return slice
    }
}
