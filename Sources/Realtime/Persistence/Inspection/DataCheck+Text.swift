extension DataCheck {
    /// The report `partyhub data check` prints: each snapshot and each log segment on a line
    /// with what was found, then the warnings, the damage, what a start would do, and the
    /// verdict.
    public var lines: [String] {
        var lines = ["data directory \(directory)"]
        lines.append("snapshots: \(snapshots.isEmpty ? "none" : String(snapshots.count))")
        for snapshot in snapshots { lines.append("  " + Self.line(snapshot)) }
        lines.append("log segments: \(segments.isEmpty ? "none" : String(segments.count))")
        for segment in segments { lines.append("  " + Self.line(segment)) }
        lines.append("event segments: \(eventSegments.isEmpty ? "none" : String(eventSegments.count))")
        for segment in eventSegments { lines.append("  " + Self.line(segment)) }
        for warning in warnings { lines.append("warning: \(warning)") }
        for problem in problems { lines.append("damage: \(problem)") }
        lines.append("a start: " + plan.joined(separator: "; "))
        lines.append(
            passed
                ? "result: ok, a start recovers everything"
                : "result: DAMAGED, a start would refuse the directory or lose what is listed above")
        return lines
    }

    private static func line(_ snapshot: SnapshotFinding) -> String {
        var fields = ["LSN \(snapshot.lsn)"]
        if let bytes = snapshot.byteCount { fields.append("\(bytes) bytes") }
        if let created = snapshot.createdAt { fields.append("created \(UTCTime.iso8601(milliseconds: created))") }
        if let epoch = snapshot.epoch { fields.append("epoch \(epoch)") }
        if let parties = snapshot.parties, let players = snapshot.players {
            fields.append("\(parties) part\(parties == 1 ? "y" : "ies"), \(players) player\(players == 1 ? "" : "s")")
        }
        if let offset = snapshot.lastPublishedOffset { fields.append("events through offset \(offset)") }
        return line(snapshot.name, fields, status: snapshot.damage.map { "DAMAGED, \($0)" } ?? "ok")
    }

    private static func line(_ segment: SegmentFinding) -> String {
        guard segment.isRead else { return line(segment.name, [], status: "not read (reading stopped at the damage)") }
        var fields: [String] = []
        if let last = segment.lastLSN {
            fields.append("LSN \(segment.firstLSN) to \(last)")
            fields.append("\(segment.records) record\(segment.records == 1 ? "" : "s")")
        } else if segment.createdAt != nil {
            fields.append("no records (from LSN \(segment.firstLSN))")
        }
        if let bytes = segment.byteCount { fields.append("\(bytes) bytes") }
        if let created = segment.createdAt { fields.append("created \(UTCTime.iso8601(milliseconds: created))") }
        if let epoch = segment.epoch { fields.append("epoch \(epoch)") }
        if !segment.ruleChanges.isEmpty {
            fields.append("rules changed from the previous segment (\(segment.ruleChanges.joined(separator: ", ")))")
        }
        var status = "ok"
        if !segment.problems.isEmpty {
            status = "DAMAGED, " + segment.problems.joined(separator: "; ")
        } else if !segment.warnings.isEmpty {
            status = "warning, " + segment.warnings.joined(separator: "; ")
        }
        return line(segment.name, fields, status: status)
    }

    private static func line(_ segment: EventSegmentFinding) -> String {
        guard segment.isRead else { return line(segment.name, [], status: "not read (reading stopped at the damage)") }
        var fields: [String] = []
        if let offsets = segment.offsets {
            fields.append("offsets \(offsets.lowerBound) to \(offsets.upperBound)")
            fields.append("\(segment.records) event\(segment.records == 1 ? "" : "s")")
        } else if segment.createdAt != nil {
            fields.append("no events")
        }
        fields.append("\(segment.byteCount) bytes")
        if let created = segment.createdAt { fields.append("created \(UTCTime.iso8601(milliseconds: created))") }
        var status = "ok"
        if let problem = segment.problem {
            status = "DAMAGED, " + problem
        } else if let warning = segment.warning {
            status = "warning, " + warning
        }
        return line(segment.name, fields, status: status)
    }

    /// `name: field, field, ...: status`.
    private static func line(_ name: String, _ fields: [String], status: String) -> String {
        ([name] + (fields.isEmpty ? [] : [fields.joined(separator: ", ")]) + [status]).joined(separator: ": ")
    }
}
