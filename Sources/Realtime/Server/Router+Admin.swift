import Protocol

/// The operators' admin API: `GET /api/v1/admin/stats`, read from the loops' and the
/// persistence's counters (no hub input). Service tokens only; every request is logged.
extension Router {
    static let adminStatsPath = "/api/v1/admin/stats"

    func adminStats(_ request: HTTPRequest, nowSeconds: Int64) -> RouteDecision {
        guard request.method == "GET" else {
            return .respond(
                .text(.methodNotAllowed, "method not allowed\n", headers: [("Allow", "GET")]), keepAlive: request.keepAlive,
                failure: .methodNotAllowed)
        }
        if let refusal = refuseUnlessService(request, nowSeconds: nowSeconds) { return refusal }
        let service = Self.token(of: request).flatMap { token -> String? in
            if case .success(let claims) = context.jwt.verify(token, now: nowSeconds) { return claims.subject }
            return nil
        } ?? "?"
        context.logger.info("admin request", ["action": "stats", "service": service])
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
