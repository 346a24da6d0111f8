import Glibc

/// A small structured logger writing one line per record to standard error, as text or JSON.
/// Lines go through a bounded buffer that a writer thread drains (`LogSink`): an event loop
/// that logs never waits on a slow standard error; under a storm, lines are dropped and counted.
public struct Logger: Sendable {
    /// Severity, in increasing order.
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case debug, info, warning, error

        public var name: String {
            switch self {
            case .debug: return "debug"
            case .info: return "info"
            case .warning: return "warning"
            case .error: return "error"
            }
        }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Line format.
    public enum Format: String, Sendable {
        case text, json
    }

    public let minimumLevel: Level
    public let format: Format
    private let sink: LogSink

    public init(minimumLevel: Level = .info, format: Format = .text) {
        self.init(minimumLevel: minimumLevel, format: format, sink: .standardError)
    }

    init(minimumLevel: Level, format: Format, sink: LogSink) {
        self.minimumLevel = minimumLevel
        self.format = format
        self.sink = sink
    }

    /// Lines dropped so far because standard error could not keep up (every logger of the
    /// process shares one buffer).
    public var droppedLines: Int64 { sink.droppedLines }

    /// Waits (up to 2 s) until the lines logged so far are written: before the process exits.
    public func flush() { sink.flush() }

    /// Whether records at `level` are written (check before building costly messages).
    public func isEnabled(_ level: Level) -> Bool { level >= minimumLevel }

    public func debug(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.debug, message(), fields)
    }

    public func info(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.info, message(), fields)
    }

    public func warning(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.warning, message(), fields)
    }

    public func error(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.error, message(), fields)
    }

    private func log(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, String>) {
        guard isEnabled(level) else { return }
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let stamp = UTCTime.iso8601(milliseconds: Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000)
        var line: String
        switch format {
        case .text:
            line = "\(stamp) \(level.name.uppercased()) \(message)"
            for (key, value) in fields { line += " \(key)=\(value)" }
        case .json:
            line = "{\"time\":\"\(stamp)\",\"level\":\"\(level.name)\",\"msg\":\(QuotedText.json(message))"
            for (key, value) in fields { line += ",\(QuotedText.json(key)):\(QuotedText.json(value))" }
            line += "}"
        }
        line += "\n"
        sink.enqueue(line)
    }
}
