/// Renders every loop's counters, summed, in the Prometheus text exposition format (0.0.4).
enum MetricsRenderer {
    static func render(_ loops: [LoopMetrics]) -> String {
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
        single("partyhub_parties", "gauge", "Live parties.", .parties)
        single("partyhub_players", "gauge", "Signed-in players with at least one connection.", .players)
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
        return out
    }
}
