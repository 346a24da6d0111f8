import Protocol

/// Renders every loop's counters, summed, in the Prometheus text exposition format (0.0.4).
enum MetricsRenderer {
    static func render(_ loops: [LoopMetrics], persistence: PersistenceMetrics, logLinesDropped: Int64 = 0) -> String {
        func sum(_ read: (LoopMetrics) -> Int64) -> Int64 { loops.reduce(0) { $0 + read($1) } }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: String = "", value: Int64) {
            out += labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n"
        }
        /// A family with one unlabelled sample: the sum of a counter over every loop.
        func single(_ name: String, _ type: String, _ help: String, _ counter: LoopMetrics.Counter) {
            family(name, type, help)
            sample(name, value: sum { $0.value(counter) })
        }
        single("partyhub_open_connections", "gauge", "Open TCP connections (HTTP and WebSocket).", .openConnections)
        single("partyhub_websocket_sessions", "gauge", "Open WebSocket connections.", .webSocketSessions)
        family("partyhub_loop_connections", "gauge", "Open connections per event loop.")
        for (index, loop) in loops.enumerated() {
            sample("partyhub_loop_connections", "loop=\"\(index)\"", value: loop.value(.openConnections))
        }
        single("partyhub_connections_accepted_total", "counter", "TCP connections accepted.", .acceptedTotal)
        family("partyhub_handshake_failures_total", "counter", "Requests refused before or instead of an upgrade, by reason.")
        for reason in HandshakeFailure.allCases {
            sample("partyhub_handshake_failures_total", "reason=\"\(reason.label)\"", value: sum { $0.handshakeFailures(reason) })
        }
        single("partyhub_tls_handshakes_total", "counter", "TLS handshakes completed.", .tlsHandshakes)
        single("partyhub_tls_resumed_handshakes_total", "counter", "TLS handshakes that resumed an earlier session.", .tlsResumedHandshakes)
        single(
            "partyhub_tls_handshake_failures_total", "counter",
            "TLS handshakes that failed: a protocol error, a refused version or cipher, bytes that are not TLS, a timeout.",
            .tlsHandshakeFailures)
        single("partyhub_tls_certificate_reloads_total", "counter", "Certificate and key reloads (SIGHUP) taken by new connections.", .tlsCertificateReloads)
        single("partyhub_frames_received_total", "counter", "WebSocket frames received.", .framesIn)
        single("partyhub_frames_sent_total", "counter", "WebSocket frames queued for sending.", .framesOut)
        single(
            "partyhub_frames_dropped_after_close_total", "counter",
            "Frames not sent because the connection had already queued its close frame or final response.",
            .framesDroppedAfterClose)
        single("partyhub_bytes_received_total", "counter", "Bytes read from sockets.", .bytesIn)
        single("partyhub_bytes_sent_total", "counter", "Bytes written to sockets.", .bytesOut)
        family("partyhub_websocket_closes_total", "counter", "WebSocket connections ended, by close code (1006: no close handshake).")
        for (index, code) in countedCloseCodes.enumerated() {
            sample("partyhub_websocket_closes_total", "code=\"\(code)\"", value: sum { $0.closes(codeIndex: index) })
        }
        sample("partyhub_websocket_closes_total", "code=\"other\"", value: sum { $0.closes(codeIndex: nil) })
        single("partyhub_slow_consumer_drops_total", "counter", "Connections closed for unsent output over --max-outbound-bytes.", .slowConsumerDrops)
        single(
            "partyhub_invites_superseded_total", "counter",
            "Pending invites cancelled because their invitee held --max-invites-per-player newer ones.", .invitesSuperseded)
        single(
            "partyhub_hub_backlog_read_pauses_total", "counter",
            "Times a loop stopped reading its sockets because its requests piled up past --max-hub-backlog at the hub's loop.",
            .hubBacklogReadPauses)
        single(
            "partyhub_connection_backlog_read_pauses_total", "counter",
            "Times a connection's socket was no longer read because its own requests piled up past --max-connection-backlog at the hub's loop.",
            .connectionBacklogReadPauses)
        family("partyhub_log_lines_dropped_total", "counter", "Log lines dropped because standard error could not keep up.")
        sample("partyhub_log_lines_dropped_total", value: logLinesDropped)
        single(
            "partyhub_inbound_rate_warnings_total", "counter", "WebSockets warned for sending faster than --inbound-message-rate.",
            .inboundRateWarnings)
        single(
            "partyhub_inbound_rate_closes_total", "counter", "WebSockets closed with 1008 for sending too fast after a warning.",
            .inboundRateCloses)
        family("partyhub_commands_total", "counter", "Commands handled, by op and result.")
        let results = ["ok"] + commandResultCodes.map(\.rawValue)
        for (operation, operationLabel) in commandOperationLabels.enumerated() {
            for (result, resultLabel) in results.enumerated() {
                let value = sum { $0.commands(operation: operation, result: result) }
                if value > 0 || result == 0 {
                    sample("partyhub_commands_total", "op=\"\(operationLabel)\",result=\"\(resultLabel)\"", value: value)
                }
            }
        }
        family("partyhub_service_events_total", "counter", "Events from other services (POST .../events) answered, by status.")
        for (status, counter) in [
            ("applied", LoopMetrics.Counter.serviceEventsApplied), ("duplicate", .serviceEventsDuplicate),
            ("ignored", .serviceEventsIgnored), ("rejected", .serviceEventsRejected),
        ] {
            sample("partyhub_service_events_total", "status=\"\(status)\"", value: sum { $0.value(counter) })
        }
        family("partyhub_api_requests_total", "counter", "Requests to the organizations and groups API answered, by endpoint and status (those never answered are not shown).")
        for endpoint in OrganizationOperation.Kind.allCases {
            for statusIndex in 0...apiCountedStatuses.count {
                let value = sum { $0.apiRequests(endpoint, statusIndex: statusIndex) }
                guard value > 0 else { continue }
                let status = statusIndex < apiCountedStatuses.count ? String(apiCountedStatuses[statusIndex].rawValue) : "other"
                sample("partyhub_api_requests_total", "endpoint=\"\(endpoint.endpoint)\",status=\"\(status)\"", value: value)
            }
        }
        single("partyhub_organizations", "gauge", "Live organizations.", .organizations)
        single("partyhub_groups", "gauge", "Live groups, in every organization.", .groups)
        single("partyhub_event_stream_last_offset", "gauge", "The offset of the last event published to other services.", .eventStreamLastOffset)
        single(
            "partyhub_event_stream_oldest_offset", "gauge", "The oldest offset the event stream keeps (--event-retention).",
            .eventStreamOldestOffset)
        single("partyhub_event_stream_subscribers", "gauge", "WebSocket subscribers of the event stream.", .eventStreamSubscribers)
        single("partyhub_parties", "gauge", "Live parties.", .parties)
        single("partyhub_players", "gauge", "Players the hub holds: with a connection, or within their reconnect grace (members, and players holding idem keys).", .players)
        family("partyhub_event_loop_turn_seconds", "histogram", "Time an event loop spends handling one wake-up.")
        var cumulative: Int64 = 0
        for (index, bound) in turnTimeBucketsMicroseconds.enumerated() {
            cumulative += sum { $0.turns(bucket: index) }
            sample("partyhub_event_loop_turn_seconds_bucket", "le=\"\(Double(bound) / 1_000_000)\"", value: cumulative)
        }
        cumulative += sum { $0.turns(bucket: turnTimeBucketsMicroseconds.count) }
        sample("partyhub_event_loop_turn_seconds_bucket", "le=\"+Inf\"", value: cumulative)
        let seconds = Double(sum { $0.value(.turnTimeSumNanoseconds) }) / 1e9
        out += "partyhub_event_loop_turn_seconds_sum \(seconds)\n"
        sample("partyhub_event_loop_turn_seconds_count", value: sum { $0.value(.turnCount) })
        family("partyhub_event_loop_turn_max_seconds", "gauge", "The longest event loop turn since start, per loop.")
        for (index, loop) in loops.enumerated() {
            out += "partyhub_event_loop_turn_max_seconds{loop=\"\(index)\"} \(Double(loop.value(.turnMaxNanoseconds)) / 1e9)\n"
        }
        renderPersistence(persistence, into: &out)
        return out
    }

    private static func renderPersistence(_ metrics: PersistenceMetrics, into out: inout String) {
        func single(_ name: String, _ type: String, _ help: String, _ value: Int64) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        func seconds(_ nanoseconds: Int64) -> String { String(Double(nanoseconds) / 1e9) }
        single("partyhub_wal_records_total", "counter", "Records written to the write-ahead log.", metrics.value(.records))
        single("partyhub_wal_bytes_total", "counter", "Bytes written to the write-ahead log.", metrics.value(.bytes))
        single("partyhub_wal_batches_total", "counter", "Batches (one write each) written to the write-ahead log.", metrics.value(.batches))
        single("partyhub_wal_write_errors_total", "counter", "Failed log writes (each ends the process).", metrics.value(.writeErrors))
        single("partyhub_wal_fsync_errors_total", "counter", "Failed log syncs (each ends the process).", metrics.value(.syncErrors))
        single("partyhub_wal_durable_lsn", "gauge", "The log sequence number through which the log is durable.", metrics.value(.durableLSN))
        out += "# HELP partyhub_wal_fsync_seconds Time one fdatasync of the log took.\n# TYPE partyhub_wal_fsync_seconds histogram\n"
        var cumulative: Int64 = 0
        for (index, bound) in PersistenceMetrics.syncBucketsMicroseconds.enumerated() {
            cumulative += metrics.syncs(bucket: index)
            out += "partyhub_wal_fsync_seconds_bucket{le=\"\(Double(bound) / 1_000_000)\"} \(cumulative)\n"
        }
        cumulative += metrics.syncs(bucket: PersistenceMetrics.syncBucketsMicroseconds.count)
        out += "partyhub_wal_fsync_seconds_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "partyhub_wal_fsync_seconds_sum \(seconds(metrics.value(.syncTimeSumNanoseconds)))\n"
        out += "partyhub_wal_fsync_seconds_count \(metrics.value(.syncCount))\n"
        single("partyhub_snapshots_total", "counter", "Snapshots written.", metrics.value(.snapshots))
        single("partyhub_snapshot_failures_total", "counter", "Snapshots that failed (the log still holds everything).", metrics.value(.snapshotFailures))
        single("partyhub_snapshot_lsn", "gauge", "The log sequence number the last snapshot covers.", metrics.value(.snapshotLSN))
        single("partyhub_snapshot_bytes", "gauge", "Size of the last snapshot.", metrics.value(.snapshotBytes))
        out += "# HELP partyhub_snapshot_seconds How long the last snapshot took to encode and write.\n# TYPE partyhub_snapshot_seconds gauge\n"
        out += "partyhub_snapshot_seconds \(seconds(metrics.value(.snapshotNanoseconds)))\n"
        single("partyhub_data_directory_bytes", "gauge", "Bytes of log segments, snapshots and event segments in the data directory.", metrics.value(.diskBytes))
        single("partyhub_recovery_records", "gauge", "Log records replayed at the last start.", metrics.value(.recoveredRecords))
        out += "# HELP partyhub_recovery_seconds How long recovery took at the last start.\n# TYPE partyhub_recovery_seconds gauge\n"
        out += "partyhub_recovery_seconds \(seconds(metrics.value(.recoveryNanoseconds)))\n"
    }
}
