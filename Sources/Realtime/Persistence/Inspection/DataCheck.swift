/// `partyhub data check DIR`: verifies a data directory without changing it (no lock, files
/// opened read-only, so it may run beside a live server, say before a backup copies the
/// directory) and says what a start would do with it.
///
/// Every snapshot is verified, not only the newest (length, magic, checksum, the LSN of its
/// name, the pinned blob as a `PinnedState`, the payload as a `Hub`), and the whole log through
/// `LogRecovery.verifyLog`, with every segment's pinned blob and every hub input record
/// decoded. The check `passed` when a start would recover with nothing lost: a torn tail of
/// the newest segment (what a crash leaves, cut off by every start) is only a warning; any
/// damage a strict start refuses, and any snapshot that does not verify, fails it.
public struct DataCheck: Sendable {
    /// A snapshot file and what was found in it.
    struct SnapshotFinding: Sendable {
        let name: String
        let lsn: UInt64
        var byteCount: Int?
        var createdAt: Int64?
        var epoch: UInt16?
        var parties: Int?
        var players: Int?
        /// The last offset the state had published: the event segments hold everything through it.
        var lastPublishedOffset: UInt64?
        /// Whether the file's own checks passed (length, magic, checksum, LSN): a start takes
        /// the newest such snapshot.
        var isIntact = false
        /// What is wrong with it, nil when it verifies.
        var damage: String?
    }

    /// A log segment and what was found in it.
    struct SegmentFinding: Sendable {
        let name: String
        var firstLSN: UInt64
        /// Its last good record's LSN, nil when it has none.
        var lastLSN: UInt64?
        var records = 0
        var byteCount: Int?
        var createdAt: Int64?
        var epoch: UInt16?
        /// The rules that differ from the previous segment's.
        var ruleChanges: [String] = []
        /// Whether it was read: reading stops at the first damage.
        var isRead = true
        var problems: [String] = []
        var warnings: [String] = []
        /// The first record whose payload does not decode, and how many do not.
        var undecodable: (lsn: UInt64, error: String)?
        var undecodableCount = 0
    }

    /// The directory checked.
    let directory: String
    var snapshots: [SnapshotFinding] = []
    var segments: [SegmentFinding] = []
    /// The published event stream's segments, oldest first.
    var eventSegments: [EventSegmentFinding] = []
    /// What a start would do, one clause each (`loads ...`, `replays ...`).
    var plan: [String] = []
    /// What makes a start refuse the directory or lose something, one sentence each.
    public internal(set) var problems: [String] = []
    /// What a start fixes on its own (a torn tail, an empty newest segment), one sentence each.
    public internal(set) var warnings: [String] = []

    /// Whether a start would recover everything: no damage, every snapshot verifies.
    public var passed: Bool { problems.isEmpty }

    /// Checks the data directory at `directory`. Throws when it cannot be read (missing, not a
    /// directory, a failed read); damage is reported, never thrown.
    public static func run(directory: String, fileSystem: any StorageFileSystem = PosixFileSystem()) throws
        -> DataCheck
    {
        let listing = try DataDirectoryListing(fileSystem: fileSystem, directory: directory)
        var check = DataCheck(directory: directory)
        let store = SnapshotStore(fileSystem: fileSystem, directory: directory)
        check.snapshots = listing.snapshots.map { checkSnapshot($0, store: store, fileSystem: fileSystem) }
        for snapshot in check.snapshots {
            if let damage = snapshot.damage { check.problems.append("\(snapshot.name): \(damage)") }
        }
        // The start's snapshot: the newest whose file verifies (`SnapshotStore.loadNewest`).
        let loaded = check.snapshots.last(where: \.isIntact)
        let fromLSN = (loaded?.lsn ?? 0) + 1
        let log = try checkLog(listing: listing, fromLSN: fromLSN, fileSystem: fileSystem, into: &check)
        check.plan = plan(listing: listing, loaded: loaded, fromLSN: fromLSN, log: log, check: check)
        let events = try checkEvents(listing: listing, durableOffset: loaded?.lastPublishedOffset ?? 0, fileSystem: fileSystem, into: &check)
        // Said after a plan that goes through; a refused or failed one says why, and that is all.
        if check.plan.last?.hasPrefix("logs on from") == true { check.plan.append(events) }
        return check
    }

    // MARK: Snapshots

    private static func checkSnapshot(
        _ entry: DataDirectoryListing.Entry, store: SnapshotStore, fileSystem: any StorageFileSystem
    ) -> SnapshotFinding {
        var finding = SnapshotFinding(name: entry.name, lsn: entry.lsn)
        finding.byteCount = fileSize(entry.path, fileSystem: fileSystem)
        let snapshot: Snapshot
        do {
            snapshot = try store.load(entry)
        } catch {
            finding.damage = describe(error)
            return finding
        }
        finding.isIntact = true
        finding.createdAt = snapshot.createdAt
        do {
            finding.epoch = try PinnedState(decoding: snapshot.pinned).epoch
        } catch {
            finding.damage = "its pinned blob does not decode as the rules and epoch (\(error))"
            return finding
        }
        do {
            let hub = try snapshot.payload.decodeBinary { (reader) throws(BinaryDecodingError) in
                try Hub(decodingState: &reader)
            }
            finding.parties = hub.partyCount
            finding.lastPublishedOffset = hub.lastPublishedOffset
            finding.players = hub.playerCount
        } catch {
            let start = LogFormat.snapshotHeaderFixedBytes + snapshot.pinned.count
            finding.damage = "its payload (from offset \(start)) does not decode as a hub state (\(error))"
        }
        return finding
    }

    // MARK: The log

    /// What reading the log found that the plan needs.
    private struct LogOutcome {
        let report: LogScanReport
        /// Hub input records from `fromLSN` on: what a start replays.
        let replayed: Int
    }

    private static func checkLog(
        listing: DataDirectoryListing, fromLSN: UInt64, fileSystem: any StorageFileSystem, into check: inout DataCheck
    ) throws -> LogOutcome {
        var read: [SegmentFinding] = []
        var previousRules: HubConfiguration?
        var replayed = 0
        let report = try LogRecovery.verifyLog(
            fileSystem: fileSystem, directory: check.directory, fromLSN: fromLSN,
            onSegment: { header in
                var finding = SegmentFinding(
                    name: LogFormat.segmentName(firstLSN: header.firstLSN), firstLSN: header.firstLSN,
                    createdAt: header.createdAt)
                do {
                    let pinned = try PinnedState(decoding: header.pinned)
                    finding.epoch = pinned.epoch
                    if let previousRules { finding.ruleChanges = pinned.configuration.changes(from: previousRules) }
                    previousRules = pinned.configuration
                } catch {
                    finding.problems.append("its pinned blob does not decode as the rules and epoch (\(error))")
                }
                read.append(finding)
            },
            { record in
                guard record.type == .hubInput else { return }
                if record.lsn >= fromLSN { replayed += 1 }
                do {
                    _ = try HubInput(decodingPayload: record.payload)
                } catch {
                    if read[read.count - 1].undecodable == nil {
                        read[read.count - 1].undecodable = (record.lsn, "\(error)")
                    }
                    read[read.count - 1].undecodableCount += 1
                }
            })
        for (index, segment) in report.segments.enumerated() {
            read[index].records = segment.recordCount
            read[index].lastLSN = segment.recordCount > 0 ? segment.lastLSN : nil
            read[index].byteCount = segment.byteCount
            if let undecodable = read[index].undecodable {
                let more = read[index].undecodableCount - 1
                read[index].problems.append(
                    "record LSN \(undecodable.lsn) does not decode as a hub input (\(undecodable.error))"
                        + (more > 0 ? "; \(more) more records do not decode" : ""))
            }
        }
        if let empty = report.removedEmptySegment, let index = read.firstIndex(where: { $0.name == fileName(empty) }) {
            read[index].warnings.append("it holds no record; a start removes it")
        }

        // Every segment of the directory: the ones read, the one damaged at its header, and the
        // ones after the damage that were not read.
        var readIndex = 0
        for entry in listing.segments {
            if readIndex < read.count && read[readIndex].name == entry.name {
                check.segments.append(read[readIndex])
                readIndex += 1
            } else {
                var finding = SegmentFinding(name: entry.name, firstLSN: entry.lsn)
                finding.byteCount = fileSize(entry.path, fileSystem: fileSystem)
                // Damaged at its header, unless the damage is the log's missing start.
                finding.isRead = report.damage?.path == entry.path && !startsLate(listing, fromLSN)
                check.segments.append(finding)
            }
        }
        for segment in check.segments {
            for problem in segment.problems { check.problems.append("\(segment.name): \(problem)") }
            for warning in segment.warnings { check.warnings.append("\(segment.name): \(warning)") }
        }
        if let damage = report.damage { note(damage, listing: listing, fromLSN: fromLSN, into: &check) }
        return LogOutcome(report: report, replayed: replayed)
    }

    /// Adds the scan's damage to the segment it is in and to the problems (or, for a torn
    /// tail, the warnings).
    private static func note(
        _ damage: LogScanReport.Damage, listing: DataDirectoryListing, fromLSN: UInt64, into check: inout DataCheck
    ) {
        let sentence = Self.sentence(for: damage, listing: listing, fromLSN: fromLSN)
        let segment = check.segments.firstIndex { $0.name == fileName(damage.path) && $0.isRead }
        switch damage.kind {
        case .tornTail:
            check.warnings.append(sentence)
            segment.map { check.segments[$0].warnings.append("torn tail at offset \(damage.offset)") }
        case .corruption:
            check.problems.append(sentence)
            segment.map { check.segments[$0].problems.append("damaged at offset \(damage.offset): \(damage.what)") }
        }
    }

    /// The damage `verifyLog` reported, and what a start would do about it, in one sentence.
    static func sentence(for damage: LogScanReport.Damage, listing: DataDirectoryListing, fromLSN: UInt64) -> String {
        let records = "\(damage.droppedRecords) record\(damage.droppedRecords == 1 ? "" : "s")"
        let removed = damage.removedSegments.map(fileName).joined(separator: ", ")
        if damage.kind == .tornTail {
            return "torn tail in \(fileName(damage.path)) at offset \(damage.offset): \(damage.what) (what a crash"
                + " leaves); a start cuts off \(damage.droppedBytes) bytes (\(records))"
                + (removed.isEmpty ? "" : " and removes \(removed)")
        }
        if startsLate(listing, fromLSN) {
            return "\(damage.what); --recover=truncate cannot repair a log missing its start"
        }
        guard listing.segments.contains(where: { $0.path == damage.path }) else {
            // Files that do not fit together, such as a log ending before the snapshot.
            return "\(damage.what); --recover=truncate would go on at LSN \(fromLSN) anyway"
        }
        return "\(damage.path) is damaged at offset \(damage.offset): \(damage.what); a strict start refuses it,"
            + " --recover=truncate would cut the log there, dropping \(damage.droppedBytes) bytes (\(records))"
            + (removed.isEmpty ? "" : " and removing \(removed)")
    }

    // MARK: What a start does

    private static func plan(
        listing: DataDirectoryListing, loaded: SnapshotFinding?, fromLSN: UInt64, log: LogOutcome, check: DataCheck
    ) -> [String] {
        if listing.isEmpty { return ["nothing to recover, it begins with an empty hub"] }
        var plan: [String] = []
        let passedOver = check.snapshots.filter { !$0.isIntact && $0.lsn > (loaded?.lsn ?? 0) }.map(\.name)
        if !passedOver.isEmpty {
            plan.append("passes over \(passedOver.joined(separator: ", ")), which does not verify")
        }
        if let loaded {
            if let damage = loaded.damage {
                return plan + ["fails: \(loaded.name) is the newest snapshot that is whole, and \(damage)"]
            }
            plan.append("loads \(loaded.name) (LSN \(loaded.lsn))")
        } else {
            plan.append("loads no snapshot (the log from LSN 1)")
        }
        if log.report.damage?.kind == .corruption {
            return plan + ["refuses the log unless --recover=truncate (the damage above)"]
        }
        if check.segments.contains(where: { !$0.problems.isEmpty }) {
            return plan + ["fails on the log (the damage above)"]
        }
        let last = log.report.lastLSN
        plan.append(
            log.replayed == 0
                ? "replays no record"
                : "replays \(log.replayed) record\(log.replayed == 1 ? "" : "s") (LSN \(fromLSN) to \(last))")
        plan.append("logs on from LSN \(log.report.nextLSN)")
        return plan
    }

    // MARK: Helpers

    /// Whether the log starts after `fromLSN`: a segment a start needs is missing.
    private static func startsLate(_ listing: DataDirectoryListing, _ fromLSN: UInt64) -> Bool {
        (listing.segments.first?.lsn ?? 0) > fromLSN
    }

    private static func fileSize(_ path: String, fileSystem: any StorageFileSystem) -> Int? {
        guard let file = try? fileSystem.openFile(path, writable: false) else { return nil }
        defer { fileSystem.close(file) }
        return try? fileSystem.size(file)
    }

    private static func describe(_ error: StorageError) -> String {
        guard let damage = error.damage else { return error.description }
        return damage.offset.map { "damaged at offset \($0): \(damage.what)" } ?? damage.what
    }

    private static func fileName(_ path: String) -> String { InspectionText.fileName(path) }
}
