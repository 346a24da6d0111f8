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
        family("partyhub_open_connections", "gauge", "Open TCP connections (HTTP and WebSocket).")
        sample("partyhub_open_connections", value: sum { $0.value(.openConnections) })
        family("partyhub_websocket_sessions", "gauge", "Open WebSocket connections.")
        sample("partyhub_websocket_sessions", value: sum { $0.value(.webSocketSessions) })
        family("partyhub_loop_connections", "gauge", "Open connections per event loop.")
        for (index, loop) in loops.enumerated() {
            sample("partyhub_loop_connections", "loop=\"\(index)\"", value: loop.value(.openConnections))
        }
        family("partyhub_connections_accepted_total", "counter", "TCP connections accepted.")
        sample("partyhub_connections_accepted_total", value: sum { $0.value(.acceptedTotal) })
        family("partyhub_handshake_failures_total", "counter", "Requests refused before or instead of an upgrade, by reason.")
        for reason in HandshakeFailure.allCases {
            sample("partyhub_handshake_failures_total", "reason=\"\(reason.label)\"", value: sum { $0.handshakeFailures(reason) })
        }
        family("partyhub_frames_received_total", "counter", "WebSocket frames received.")
        sample("partyhub_frames_received_total", value: sum { $0.value(.framesIn) })
        family("partyhub_frames_sent_total", "counter", "WebSocket frames queued for sending.")
        sample("partyhub_frames_sent_total", value: sum { $0.value(.framesOut) })
        family("partyhub_bytes_received_total", "counter", "Bytes read from sockets.")
        sample("partyhub_bytes_received_total", value: sum { $0.value(.bytesIn) })
        family("partyhub_bytes_sent_total", "counter", "Bytes written to sockets.")
        sample("partyhub_bytes_sent_total", value: sum { $0.value(.bytesOut) })
        family("partyhub_websocket_closes_total", "counter", "WebSocket connections ended, by close code (1006: no close handshake).")
        for (index, code) in countedCloseCodes.enumerated() {
            sample("partyhub_websocket_closes_total", "code=\"\(code)\"", value: sum { $0.closes(codeIndex: index) })
        }
        sample("partyhub_websocket_closes_total", "code=\"other\"", value: sum { $0.closes(codeIndex: nil) })
        family("partyhub_slow_consumer_drops_total", "counter", "Connections closed for unsent output over --max-outbound-bytes.")
        sample("partyhub_slow_consumer_drops_total", value: sum { $0.value(.slowConsumerDrops) })
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
        family("partyhub_parties", "gauge", "Live parties.")
        sample("partyhub_parties", value: sum { $0.value(.parties) })
        family("partyhub_players", "gauge", "Signed-in players with at least one connection.")
        sample("partyhub_players", value: sum { $0.value(.players) })
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
