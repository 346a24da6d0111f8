/// The formats of the data directory in one place, read by every writer and reader alike
/// (LevelDB's `db/log_format.h` is the model): the write-ahead log's segment header and
/// record framing, the snapshot header, the file names. `docs/PERSISTENCE.md` writes them
/// out as a grammar. All integers are little-endian; every checksum is a masked CRC32C
/// (`CRC32C.mask`).
public enum LogFormat {
    // MARK: Log segments

    /// The first bytes of every segment file.
    public static let segmentMagic: [UInt8] = Array("PHWAL".utf8)
    /// The segment format version this code writes and reads. 2: `party.set_loot` records
    /// carry the loot threshold.
    public static let segmentVersion: UInt8 = 2
    /// Bytes of a segment header before the pinned blob: magic (5), version (1), reserved
    /// zeros (2), first LSN (8), creation time in Unix ms (8), pinned length (4).
    public static let segmentHeaderFixedBytes = 28
    /// Where each field of the segment header starts.
    public static let segmentVersionOffset = 5
    public static let segmentFirstLSNOffset = 8
    public static let segmentCreatedAtOffset = 16
    public static let segmentPinnedLengthOffset = 24
    /// The most bytes the pinned blob (hub configuration, process epoch) may have.
    public static let maxPinnedBytes = 1 << 20

    /// The size of a segment header with `pinnedCount` pinned bytes: the fixed part, the
    /// pinned blob, and the header's checksum.
    public static func segmentHeaderBytes(pinnedCount: Int) -> Int {
        segmentHeaderFixedBytes + pinnedCount + checksumBytes
    }

    /// A segment is closed and a new one started, before a batch is written, once it holds
    /// this many bytes (the writer's default).
    public static let defaultSegmentBytes = 64 << 20

    // MARK: Records

    /// A record's `length` (4) and `checksum` (4) fields, which come before what `length` counts.
    public static let recordHeaderBytes = 8
    /// Where each field of a record starts.
    public static let recordLengthOffset = 0
    public static let recordChecksumOffset = 4
    public static let recordLSNOffset = 8
    public static let recordTypeOffset = 16
    public static let recordPayloadOffset = 17
    /// The least `length`: an LSN (8) and a type (1), with an empty payload.
    public static let minRecordLength = 9
    /// The most `length` may say (16 MiB); a larger one is damage, refused before any
    /// allocation.
    public static let maxRecordLength = 16 << 20
    /// The largest payload a record can carry.
    public static let maxPayloadBytes = maxRecordLength - minRecordLength

    // MARK: Snapshots

    /// The first bytes of every snapshot file.
    public static let snapshotMagic: [UInt8] = Array("PHSNP".utf8)
    /// The snapshot format version this code writes and reads.
    public static let snapshotVersion: UInt8 = 1
    /// Bytes of a snapshot header before the pinned blob: magic (5), version (1), reserved
    /// zeros (2), LSN (8), creation time in Unix ms (8), pinned length (4), payload length (8).
    public static let snapshotHeaderFixedBytes = 36
    /// Where each field of the snapshot header starts.
    public static let snapshotVersionOffset = 5
    public static let snapshotLSNOffset = 8
    public static let snapshotCreatedAtOffset = 16
    public static let snapshotPinnedLengthOffset = 24
    public static let snapshotPayloadLengthOffset = 28
    /// The largest snapshot payload (4 GiB).
    public static let maxSnapshotPayloadBytes = 1 << 32

    // MARK: Checksums

    /// A stored checksum: a masked CRC32C, little-endian.
    public static let checksumBytes = 4

    // MARK: File names

    /// The lock file every process takes (flock) before touching the directory.
    public static let lockFileName = "LOCK"
    /// The suffix of a file being written, renamed into place when complete.
    public static let temporarySuffix = ".tmp"
    private static let segmentPrefix = "wal-"
    private static let segmentSuffix = ".log"
    private static let snapshotPrefix = "snapshot-"
    private static let snapshotSuffix = ".snap"
    private static let eventSegmentPrefix = "events-"
    private static let lsnDigits = 20

    /// `wal-<first LSN as 20 digits>.log`: names sort as their LSNs do.
    public static func segmentName(firstLSN: UInt64) -> String {
        segmentPrefix + digits(firstLSN) + segmentSuffix
    }

    /// `snapshot-<LSN as 20 digits>.snap`.
    public static func snapshotName(lsn: UInt64) -> String {
        snapshotPrefix + digits(lsn) + snapshotSuffix
    }

    /// `events-<first offset as 20 digits>.log`: a segment of the published event stream, in
    /// the log's own format with the event's offset as each record's LSN.
    public static func eventSegmentName(firstOffset: UInt64) -> String {
        eventSegmentPrefix + digits(firstOffset) + segmentSuffix
    }

    /// The first LSN a segment's name gives, or nil when the name is not a segment's.
    public static func segmentLSN(fromName name: String) -> UInt64? {
        lsn(in: name, prefix: segmentPrefix, suffix: segmentSuffix)
    }

    /// The LSN a snapshot's name gives, or nil when the name is not a snapshot's.
    public static func snapshotLSN(fromName name: String) -> UInt64? {
        lsn(in: name, prefix: snapshotPrefix, suffix: snapshotSuffix)
    }

    /// The first offset an event segment's name gives, or nil when the name is not one.
    public static func eventSegmentOffset(fromName name: String) -> UInt64? {
        lsn(in: name, prefix: eventSegmentPrefix, suffix: segmentSuffix)
    }

    /// Whether `name` is a temporary file of ours (a snapshot or segment being written).
    public static func isTemporary(_ name: String) -> Bool {
        guard name.hasSuffix(temporarySuffix) else { return false }
        let base = String(name.dropLast(temporarySuffix.count))
        return segmentLSN(fromName: base) != nil || snapshotLSN(fromName: base) != nil
    }

    private static func digits(_ value: UInt64) -> String {
        let text = String(value)
        return String(repeating: "0", count: lsnDigits - text.count) + text
    }

    private static func lsn(in name: String, prefix: String, suffix: String) -> UInt64? {
        let bytes = Array(name.utf8)
        let prefixBytes = Array(prefix.utf8)
        let suffixBytes = Array(suffix.utf8)
        guard bytes.count == prefixBytes.count + lsnDigits + suffixBytes.count,
            bytes.starts(with: prefixBytes), bytes.suffix(suffixBytes.count).elementsEqual(suffixBytes)
        else { return nil }
        var value: UInt64 = 0
        for byte in bytes[prefixBytes.count..<(prefixBytes.count + lsnDigits)] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}

/// What a log record holds. Stored as one byte; values not listed are refused by the reader.
/// Room is left: add cases, never renumber.
public enum LogRecordType: UInt8, Sendable {
    /// A hub input, as the hub host applied it (the payload codec's bytes).
    case hubInput = 1
    /// A process started writing the log (its epoch and configuration in the payload).
    case processStarted = 2
    /// An event of the published stream (`events-*.log` only): its JSON, as served; the
    /// record's LSN is the event's offset.
    case publishedEvent = 3
}
