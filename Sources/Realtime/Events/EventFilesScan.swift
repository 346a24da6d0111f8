/// What the stream's segments in a data directory hold, read without changing anything (the
/// start's recovery, `partyhub data check`): from the oldest segment on, every record verified
/// and indexed, up to the first place where the files stop holding consecutive events (the
/// break). Reading stops there, as the log's recovery does.
struct EventFilesScan {
    /// Where the files stop holding consecutive events.
    struct Break: Equatable {
        /// The first offset the files do not hold in order.
        let offset: UInt64
        /// The segment the break is in.
        let path: String
        /// Where that segment's good records end (the cut), or nil when the segment is not
        /// used at all (its header does not verify, or it does not follow the one before).
        let position: Int?
        /// What is wrong, for the operator.
        let what: String
        /// Whether a writer stopping mid-write could have left it (a torn record or header,
        /// zeros). The files are never synced per write, so this is what a crash leaves after
        /// the last sync, in any segment written since.
        let couldBeTornWrite: Bool
    }

    /// One segment file and what was found in it.
    struct File: Equatable {
        /// Its name, path and first offset.
        let entry: DataDirectoryListing.Entry
        /// The file's size.
        var byteCount: Int
        /// Its good records before any break (0 for a file not read).
        var records = 0
        /// When it was created (its header's time), when the header verifies.
        var createdAt: Int64?
        /// Whether it was read: reading stops at the break.
        var isRead = true
    }

    /// The segments from the oldest to the break (that one up to its good end), indexed.
    private(set) var index = EventSegmentIndex()
    /// Every segment file in the directory, oldest first.
    private(set) var files: [File] = []
    /// The first break, nil when the files end cleanly.
    private(set) var firstBreak: Break?

    /// The last offset the files hold in order, counting a segment with no record as holding
    /// everything before its first offset (a start that wrote nothing leaves one); nil when no
    /// segment is usable.
    var heldThrough: UInt64? { index.segments.last.map { $0.lastOffset } }

    /// The first offset a record holds, nil when none does.
    var firstHeldOffset: UInt64? { index.segments.first(where: { !$0.isEmpty })?.firstOffset }

    /// Why the files cannot give every event through `durableOffset` (a snapshot's last
    /// published offset, which they were synced through before it was written), and where: nil
    /// when they can. No file at all is a loss once anything was published: every start leaves
    /// a synced segment, and retention never deletes the newest.
    func lostDurableEvents(through durableOffset: UInt64, directory: String) -> (path: String, position: Int?, what: String)? {
        let held = heldThrough ?? 0
        if held >= durableOffset && (heldThrough != nil || durableOffset == 0) { return nil }
        let what = "the event segments hold offsets only through \(held), but the snapshot's events run through \(durableOffset)"
        if let broken = firstBreak {
            return (broken.path, broken.position, "\(what): \(broken.what) at offset \(broken.offset)")
        }
        return (files.last?.entry.path ?? directory, nil, what)
    }

    /// Reads the event segments `entries` (a listing's `eventSegments`, oldest first).
    static func run(fileSystem: any StorageFileSystem, entries: [DataDirectoryListing.Entry]) throws(StorageError) -> EventFilesScan {
        var scan = EventFilesScan()
        for (position, entry) in entries.enumerated() {
            let reader = try LogReader(fileSystem: fileSystem, path: entry.path)
            defer { reader.close() }
            scan.files.append(File(entry: entry, byteCount: reader.fileSize))
            if !(try scan.read(reader, entry: entry)) {
                for later in entries[(position + 1)...] {
                    let size = (try? Self.size(of: later.path, fileSystem: fileSystem)) ?? 0
                    scan.files.append(File(entry: later, byteCount: size, isRead: false))
                }
                break
            }
        }
        return scan
    }

    /// Reads one segment into the index; returns false at a break.
    private mutating func read(_ reader: LogReader, entry: DataDirectoryListing.Entry) throws(StorageError) -> Bool {
        let expected = index.segments.last.map { $0.lastOffset + 1 }
        let header: LogSegmentHeader
        switch try reader.readHeader() {
        case .header(let found):
            header = found
            files[files.count - 1].createdAt = found.createdAt
        case .damaged(let damage):
            firstBreak = Break(
                offset: expected ?? entry.lsn, path: entry.path, position: nil, what: damage.what,
                couldBeTornWrite: damage.couldBeTornWrite)
            return false
        }
        if header.firstLSN != entry.lsn {
            firstBreak = Break(
                offset: expected ?? entry.lsn, path: entry.path, position: nil,
                what: "the header's first offset \(header.firstLSN) is not the \(entry.lsn) of the file name",
                couldBeTornWrite: false)
            return false
        }
        if let expected, header.firstLSN != expected {
            firstBreak = Break(
                offset: expected, path: entry.path, position: nil,
                what: "offset gap: the previous segment ends at offset \(expected - 1), this one starts at \(header.firstLSN)",
                couldBeTornWrite: false)
            return false
        }
        index.startSegment(path: entry.path, firstOffset: header.firstLSN)
        while true {
            let position = reader.offset
            switch try reader.next() {
            case .record(let record) where record.type == .publishedEvent:
                index.recorded(offset: record.lsn, position: position)
                files[files.count - 1].records += 1
            case .record(let record):
                firstBreak = Break(
                    offset: record.lsn, path: entry.path, position: position,
                    what: "record LSN \(record.lsn) is not a published event (type \(record.type.rawValue))", couldBeTornWrite: false)
                return false
            case .end:
                return true
            case .damaged(let damage):
                firstBreak = Break(
                    offset: reader.nextLSN, path: entry.path, position: damage.offset, what: damage.what,
                    couldBeTornWrite: damage.couldBeTornWrite)
                return false
            }
        }
    }

    private static func size(of path: String, fileSystem: any StorageFileSystem) throws(StorageError) -> Int {
        let file = try fileSystem.openFile(path, writable: false)
        defer { fileSystem.close(file) }
        return try fileSystem.size(file)
    }
}
