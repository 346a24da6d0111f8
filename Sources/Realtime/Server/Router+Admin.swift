import Protocol

/// The operators' admin API: `GET /api/v1/admin/stats`, read from the loops' and the
/// persistence's counters (no hub input). Service tokens only; every request is logged.
extension Router {
    static let adminStatsPath = "/api/v1/admin/stats"
    static let adminPartiesPrefix = "/api/v1/admin/parties/"
    static let adminPlayersPrefix = "/api/v1/admin/players/"

    /// The refusal of an admin read that is not a GET, not a service's, or comes while the
    /// server shuts down; nil when it may go to the hub.
    private func refuseAdminRead(_ request: HTTPRequest, nowSeconds: Int64, shuttingDown: Bool) -> RouteDecision? {
        guard request.method == "GET" else {
            return .respond(
                .text(.methodNotAllowed, "method not allowed\n", headers: [("Allow", "GET")]), keepAlive: request.keepAlive,
                failure: .methodNotAllowed)
        }
        if let refusal = refuseUnlessService(request, nowSeconds: nowSeconds) { return refusal }
        if shuttingDown {
            return .respond(.jsonError(.serviceUnavailable, code: "unavailable", "shutting down"), keepAlive: false, failure: nil)
        }
        return nil
    }

    /// `GET /api/v1/admin/players/{id}`: a read through the hub.
    func adminPlayerRequest(_ request: HTTPRequest, nowSeconds: Int64, shuttingDown: Bool) -> RouteDecision {
        let keepAlive = request.keepAlive
        let player = request.path.dropFirst(Self.adminPlayersPrefix.count)
        guard !player.isEmpty, player.utf8.count <= 64, !player.contains("/") else {
            return .respond(.jsonError(.notFound, code: "not_found", "not found"), keepAlive: keepAlive, failure: .notFound)
        }
        if let refusal = refuseAdminRead(request, nowSeconds: nowSeconds, shuttingDown: shuttingDown) { return refusal }
        context.logger.info(
            "admin request",
            ["action": "read_player", "service": serviceName(of: request, nowSeconds: nowSeconds), "player": QuotedText.json(String(player))])
        return .toHub(.adminReadPlayer(player: String(player)), keepAlive: keepAlive)
    }
    /// The longest `reason` of an admin disband, in characters.
    static let maxAdminReason = 128

    /// `POST /api/v1/admin/parties/{id}/disband` with `{"reason": "..."}`: a hub input, logged
    /// and replayed like a command; the answer comes once it is durable.
    func adminPartyRequest(_ request: HTTPRequest, nowSeconds: Int64, shuttingDown: Bool) -> RouteDecision {
        let keepAlive = request.keepAlive
        let rest = request.path.dropFirst(Self.adminPartiesPrefix.count)
        if !rest.isEmpty, rest.utf8.count <= 64, !rest.contains("/") {
            // GET /api/v1/admin/parties/{id}
            if let refusal = refuseAdminRead(request, nowSeconds: nowSeconds, shuttingDown: shuttingDown) { return refusal }
            context.logger.info(
                "admin request",
                ["action": "read_party", "service": serviceName(of: request, nowSeconds: nowSeconds), "party": QuotedText.json(String(rest))])
            return .toHub(.adminReadParty(party: String(rest)), keepAlive: keepAlive)
        }
        guard rest.hasSuffix("/disband") else {
            return .respond(.jsonError(.notFound, code: "not_found", "not found"), keepAlive: keepAlive, failure: .notFound)
        }
        let party = String(rest.dropLast("/disband".count))
        guard (1...64).contains(party.utf8.count), !party.contains("/") else {
            return .respond(.jsonError(.notFound, code: "not_found", "not found"), keepAlive: keepAlive, failure: .notFound)
        }
        guard request.method == "POST" else {
            return .respond(
                .text(.methodNotAllowed, "method not allowed\n", headers: [("Allow", "POST")]), keepAlive: keepAlive,
                failure: .methodNotAllowed)
        }
        if let refusal = refuseUnlessService(request, nowSeconds: nowSeconds) { return refusal }
        if shuttingDown {
            return .respond(.jsonError(.serviceUnavailable, code: "unavailable", "shutting down"), keepAlive: false, failure: nil)
        }
        let reason: String
        do {
            let body = try JSONParser.parse(request.body, maxBytes: 4096, maxDepth: 4)
            guard let text = body["reason"]?.stringValue, (1...Self.maxAdminReason).contains(text.count) else {
                return .respond(
                    .jsonError(.badRequest, code: "invalid_message", "reason must be a string of 1-\(Self.maxAdminReason) characters"),
                    keepAlive: keepAlive, failure: nil)
            }
            reason = text
        } catch {
            return .respond(
                .jsonError(.badRequest, code: "invalid_message", "the body must be a JSON object with reason"), keepAlive: keepAlive,
                failure: nil)
        }
        let service = serviceName(of: request, nowSeconds: nowSeconds)
        context.logger.info(
            "admin request", ["action": "disband", "service": service, "party": QuotedText.json(party), "reason": QuotedText.json(reason)])
        return .toHub(.adminDisband(party: party, reason: reason, by: service), keepAlive: keepAlive)
    }

    /// The subject of the request's (already checked) token.
    private func serviceName(of request: HTTPRequest, nowSeconds: Int64) -> String {
        Self.token(of: request).flatMap { token -> String? in
            if case .success(let claims) = context.jwt.verify(token, now: nowSeconds) { return claims.subject }
            return nil
        } ?? "?"
    }

    func adminStats(_ request: HTTPRequest, nowSeconds: Int64) -> RouteDecision {
        guard request.method == "GET" else {
            return .respond(
                .text(.methodNotAllowed, "method not allowed\n", headers: [("Allow", "GET")]), keepAlive: request.keepAlive,
                failure: .methodNotAllowed)
        }
        if let refusal = refuseUnlessService(request, nowSeconds: nowSeconds) { return refusal }
        context.logger.info("admin request", ["action": "stats", "service": serviceName(of: request, nowSeconds: nowSeconds)])
        let body = Self.statsJSON(context.loopMetrics, persistence: context.persistenceMetrics)
        return .respond(
            HTTPResponse(
                status: .ok, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                body: Array(body.utf8)),
            keepAlive: request.keepAlive, failure: nil)
    }

    /// The stats as one JSON object of whole numbers (summed over the loops where per loop).
    static func statsJSON(_ loops: [LoopMetrics], persistence: PersistenceMetrics) -> String {
        func sum(_ counter: LoopMetrics.Counter) -> Int64 { loops.reduce(0) { $0 + $1.value(counter) } }
        let fields: [(String, Int64)] = [
            ("parties", sum(.parties)),
            ("players", sum(.players)),
            ("organizations", sum(.organizations)),
            ("open_connections", sum(.openConnections)),
            ("websocket_sessions", sum(.webSocketSessions)),
            ("wal_durable_lsn", persistence.value(.durableLSN)),
            ("wal_records", persistence.value(.records)),
            ("wal_bytes", persistence.value(.bytes)),
            ("data_disk_bytes", persistence.value(.diskBytes)),
            ("snapshot_lsn", persistence.value(.snapshotLSN)),
            ("snapshots", persistence.value(.snapshots)),
            ("event_stream_last_offset", sum(.eventStreamLastOffset)),
            ("event_stream_oldest_offset", sum(.eventStreamOldestOffset)),
            ("event_stream_subscribers", sum(.eventStreamSubscribers)),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
