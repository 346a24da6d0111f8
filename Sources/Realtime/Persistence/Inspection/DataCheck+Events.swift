extension DataCheck {
    /// An event segment and what was found in it.
    struct EventSegmentFinding: Sendable {
        let name: String
        /// The offsets its good records hold, nil when none.
        var offsets: ClosedRange<UInt64>?
        var records = 0
        var byteCount: Int
        var createdAt: Int64?
        /// Whether it was read: reading stops at the first break.
        var isRead = true
        var problem: String?
        var warning: String?
    }

    /// Checks the published event stream's segments as a start would (`EventFilesScan`, then
    /// `EventStreamRecovery`'s rule) against `durableOffset`, the last offset the snapshot a
    /// start loads had published: every event through it must be there (the files were synced
    /// through it before the snapshot was written); damage after it is what a crash leaves and
    /// a start cuts and regenerates from the log. Returns the plan's clause for the stream.
    static func checkEvents(
        listing: DataDirectoryListing, durableOffset: UInt64, fileSystem: any StorageFileSystem, into check: inout DataCheck
    ) throws -> String {
        let scan = try EventFilesScan.run(fileSystem: fileSystem, entries: listing.eventSegments)
        let segments = Dictionary(scan.index.segments.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        check.eventSegments = scan.files.map { file in
            var finding = EventSegmentFinding(
                name: file.entry.name, records: file.records, byteCount: file.byteCount, createdAt: file.createdAt,
                isRead: file.isRead)
            if let segment = segments[file.entry.path], !segment.isEmpty {
                finding.offsets = segment.firstOffset...segment.lastOffset
            }
            return finding
        }
        if let lost = scan.lostDurableEvents(through: durableOffset, directory: check.directory) {
            let name = InspectionText.fileName(lost.path)
            check.problems.append(
                "\(name): \(lost.what); a strict start refuses it, --recover=truncate deletes the event segments"
                    + " and the stream goes on after offset \(durableOffset)")
            if let index = check.eventSegments.firstIndex(where: { $0.name == name }) {
                check.eventSegments[index].problem = scan.firstBreak.map { "damaged at \(where: $0): \($0.what)" } ?? lost.what
            }
            return "refuses the event segments unless --recover=truncate (the damage above)"
        }
        var cut = ""
        if let broken = scan.firstBreak {
            let name = InspectionText.fileName(broken.path)
            check.warnings.append(
                "\(name): \(broken.what) at offset \(broken.offset), after the snapshot's offset \(durableOffset)"
                    + " (what a crash leaves); a start cuts the event segments there and regenerates the rest from the log")
            if let index = check.eventSegments.firstIndex(where: { $0.name == name }) {
                check.eventSegments[index].warning = "cut at \(where: broken)"
            }
            cut = "cuts the event segments at offset \(broken.offset); "
        }
        guard let first = scan.firstHeldOffset, let last = scan.index.lastOffset else {
            return cut + "keeps no published event (the stream goes on after offset \(max(durableOffset, scan.heldThrough ?? 0)))"
        }
        let checked = last > durableOffset ? " (those after offset \(durableOffset) checked against the replay)" : ""
        return cut + "keeps published events \(first) to \(last)\(checked)"
    }
}

extension DefaultStringInterpolation {
    /// `offset 123` (a cut inside a segment), or `its header` for a segment dropped whole.
    fileprivate mutating func appendInterpolation(where broken: EventFilesScan.Break) {
        appendLiteral(broken.position.map { "offset \($0)" } ?? "its header")
    }
}
