/// What `LogRecovery.scanLog` read, and what it cut off or dropped (or, from `verifyLog`, what
/// a start would cut off or refuse).
public struct LogScanReport: Sendable {
    /// A segment that was read.
    public struct Segment: Sendable {
        /// Its path.
        public let path: String
        /// Its header: the first LSN, the creation time, the pinned blob.
        public let header: LogSegmentHeader
        /// Its last good record's LSN after the scan (`header.firstLSN - 1` when it has none).
        public let lastLSN: UInt64
        /// How many good records it holds after the scan.
        public let recordCount: Int
        /// The file's size when it was read (before any cut).
        public let byteCount: Int
    }

    /// What kind of damage was found.
    public enum DamageKind: Sendable {
        /// The end of the newest segment is a partial record or zeros, with nothing readable
        /// after: what a writer crashing in the middle of a write leaves. Cut off.
        case tornTail
        /// Damage anywhere else: dropped only when the scan was asked to (`truncateDamage`).
        case corruption
    }

    /// Damage the scan cut off, and what was lost with it.
    public struct Damage: Sendable, CustomStringConvertible {
        /// Torn tail or corruption.
        public let kind: DamageKind
        /// The segment it was found in.
        public let path: String
        /// Where in that segment: everything from here on was dropped.
        public let offset: Int
        /// What was wrong.
        public let what: String
        /// Bytes cut off or deleted, from `offset` through the last segment.
        public let droppedBytes: Int
        /// Records lost: the partial record of a torn tail, or the records still readable
        /// after corruption and in the deleted segments.
        public let droppedRecords: Int
        /// Segments deleted whole (the damaged one when nothing good was left in it, and every
        /// later one).
        public let removedSegments: [String]

        public var description: String {
            let kindText = kind == .tornTail ? "torn tail (the writer crashed mid-write)" : "corruption"
            var text = "\(kindText) in \(path) at offset \(offset): \(what); dropped \(droppedBytes) bytes"
            text += ", \(droppedRecords) record\(droppedRecords == 1 ? "" : "s")"
            if !removedSegments.isEmpty { text += ", removed \(removedSegments.joined(separator: ", "))" }
            return text
        }
    }

    /// Records handed to the body (those from `fromLSN` on).
    public internal(set) var recordsRead = 0
    /// Good records before `fromLSN`, verified but not handed over.
    public internal(set) var recordsSkipped = 0
    /// The last LSN the log holds after the scan (0 when it holds none).
    public internal(set) var lastLSN: UInt64 = 0
    /// The LSN to give the next `LogWriter`: one past the log's end, or `fromLSN` when the log
    /// ends before it.
    public internal(set) var nextLSN: UInt64 = 1
    /// The segments read, in order.
    public internal(set) var segments: [Segment] = []
    /// The torn tail that was cut off, or the corruption that was dropped.
    public internal(set) var damage: Damage?
    /// The newest segment when it held no record and was removed, so that the next writer
    /// can create its segment under the same name (by `verifyLog`: would be removed).
    public internal(set) var removedEmptySegment: String?
}
