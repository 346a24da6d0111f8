/// `partyhub data dump DIR [--from LSN]`: the log's records, one line each, with the segment
/// boundaries and the rules and epoch each pins, read through `LogRecovery.verifyLog` (nothing
/// is changed; it may run beside a live server):
///
/// ```
/// segment wal-00000000000000000001.log first_lsn=1 created=1764601200000 (...) epoch=1 rules: max_members=5 ...
/// lsn=1 t=1764601234567 (2025-12-01T15:00:34.567Z) session.opened s=0001000000100001 player=alice
/// lsn=2 t=1764601234570 (2025-12-01T15:00:34.570Z) command s=0001000000100001 rid=1 party.create seed=<id>/<code>
/// ```
///
/// Free text is quoted and escaped (`QuotedText.json`): nothing a player typed reaches
/// the terminal as a control sequence.
public enum DataDump {
    /// What the dump found besides the records.
    public struct Outcome: Sendable {
        /// Damage: records that do not decode, corruption (reading stopped there).
        public let problems: [String]
        /// What a start fixes on its own: a torn tail of the newest segment.
        public let warnings: [String]

        /// Whether every record was read and decoded.
        public var passed: Bool { problems.isEmpty }
    }

    /// Writes every record from `fromLSN` on through `write`, a line at a time, each segment's
    /// line before its first record shown. Throws when the directory cannot be read.
    public static func run(
        directory: String, fromLSN: UInt64 = 1, fileSystem: any StorageFileSystem = PosixFileSystem(),
        write: (String) -> Void
    ) throws -> Outcome {
        let listing = try DataDirectoryListing(fileSystem: fileSystem, directory: directory)
        var problems: [String] = []
        var pendingSegment: String?
        // From the oldest segment on, whatever `fromLSN` is: a log pruned after a snapshot
        // is whole for a dump.
        let oldest = max(1, listing.segments.first?.lsn ?? 1)
        let report = try LogRecovery.verifyLog(
            fileSystem: fileSystem, directory: directory, fromLSN: oldest,
            onSegment: { header in
                var line = "segment \(LogFormat.segmentName(firstLSN: header.firstLSN)) first_lsn=\(header.firstLSN)"
                line += " created=\(InspectionText.time(header.createdAt))"
                do {
                    let pinned = try PinnedState(decoding: header.pinned)
                    line += " epoch=\(pinned.epoch) rules: \(pinned.configuration.settingsText)"
                } catch {
                    line += " pinned blob that does not decode (\(error))"
                    let name = LogFormat.segmentName(firstLSN: header.firstLSN)
                    problems.append("\(name): its pinned blob does not decode (\(error))")
                }
                pendingSegment = line
                if header.firstLSN >= fromLSN { flush(&pendingSegment, write) }
            },
            { record in
                guard record.lsn >= fromLSN else { return }
                flush(&pendingSegment, write)
                write(line(for: record, problems: &problems))
            })
        var warnings: [String] = []
        if let damage = report.damage {
            let sentence = DataCheck.sentence(for: damage, listing: listing, fromLSN: oldest)
            if damage.kind == .tornTail { warnings.append(sentence) } else { problems.append(sentence) }
        }
        return Outcome(problems: problems, warnings: warnings)
    }

    /// `partyhub data dump DIR --events [--from OFFSET]`: the published event stream's
    /// records, one line each (`offset=N <the event's JSON>`), from `fromOffset`, with a line at
    /// each segment start. Reading stops at the first damage: a torn record or header (what a
    /// crash leaves in segments written since their last sync) is a warning, anything else a
    /// problem. Whether a start keeps or regenerates the events depends on the snapshot it
    /// loads (`data check` says).
    public static func runEvents(
        directory: String, fromOffset: UInt64 = 1, fileSystem: any StorageFileSystem = PosixFileSystem(),
        write: (String) -> Void
    ) throws -> Outcome {
        let listing = try DataDirectoryListing(fileSystem: fileSystem, directory: directory)
        var problems: [String] = []
        var warnings: [String] = []
        var expected: UInt64?
        segments: for entry in listing.eventSegments {
            let reader = try LogReader(fileSystem: fileSystem, path: entry.path)
            defer { reader.close() }
            func stop(_ what: String, offset: Int, couldBeTornWrite: Bool) {
                let sentence = "\(entry.name) is damaged at offset \(offset): \(what)"
                if couldBeTornWrite { warnings.append(sentence + " (what a crash leaves)") } else { problems.append(sentence) }
            }
            let header: LogSegmentHeader
            switch try reader.readHeader() {
            case .header(let found): header = found
            case .damaged(let damage):
                stop(damage.what, offset: damage.offset, couldBeTornWrite: damage.couldBeTornWrite)
                break segments
            }
            if let expected, header.firstLSN != expected {
                stop("it starts at offset \(header.firstLSN), the previous segment ends at \(expected - 1)", offset: 0, couldBeTornWrite: false)
                break segments
            }
            if header.firstLSN >= fromOffset || expected == nil {
                write("segment \(entry.name) first_offset=\(header.firstLSN) created=\(InspectionText.time(header.createdAt))")
            }
            while true {
                switch try reader.next() {
                case .record(let record):
                    guard record.type == .publishedEvent else {
                        stop("record LSN \(record.lsn) is not a published event", offset: reader.offset, couldBeTornWrite: false)
                        break segments
                    }
                    if record.lsn >= fromOffset {
                        let json = String(decoding: record.payload, as: UTF8.self)
                        write("offset=\(record.lsn) \(QuotedText.controlsEscaped(json))")
                    }
                case .end:
                    expected = reader.nextLSN
                    continue segments
                case .damaged(let damage):
                    stop(damage.what, offset: damage.offset, couldBeTornWrite: damage.couldBeTornWrite)
                    break segments
                }
            }
        }
        return Outcome(problems: problems, warnings: warnings)
    }

    private static func flush(_ pending: inout String?, _ write: (String) -> Void) {
        if let line = pending { write(line) }
        pending = nil
    }

    /// `lsn=42 t=... (...) <the input>`, or what the record holds when it is not a hub input.
    private static func line(for record: LogRecord, problems: inout [String]) -> String {
        let head = "lsn=\(record.lsn)"
        switch record.type {
        case .processStarted: return "\(head) process.started (\(record.payload.count) payload bytes)"
        case .publishedEvent:
            problems.append("record LSN \(record.lsn) is a published event, which belongs in an events-*.log segment")
            return "\(head) published event (\(record.payload.count) payload bytes) in the log"
        case .hubInput: break
        }
        do {
            let input = try HubInput(decodingPayload: record.payload)
            return "\(head) t=\(InspectionText.time(input.now)) \(input.dumpText)"
        } catch {
            problems.append("record LSN \(record.lsn) does not decode as a hub input (\(error))")
            return "\(head) hub input of \(record.payload.count) bytes that does not decode (\(error))"
        }
    }
}
