import CPartyHubSystem

/// Appends batches of records to the write-ahead log's segment files, for one thread (the
/// log thread). Each `write` is one `append` of the whole batch; `sync` makes everything
/// written so far durable (fdatasync). A new segment is started, before a batch is written,
/// once the current one holds `segmentBytes`, so segments end at batch boundaries; the
/// segment being left is synced first, so that only the newest segment can ever have a torn
/// tail.
///
/// Fail-stop (PostgreSQL's rule since 2018): after any error the writer is poisoned and
/// refuses every later call, because a failed write or fdatasync leaves the file in a state
/// nothing can vouch for. The process stops; recovery at the next start cuts what was torn.
///
/// The published event stream writes its own segments (`events-*.log`) with the same writer,
/// named by its own prefix and with `SegmentDurability.deferred`: its records are derived from
/// the log, so the writer never syncs on its own and the owner makes the files durable when it
/// must (before a snapshot that no longer lets the log regenerate them).
public final class LogWriter {
    /// When the writer itself makes segments durable.
    public enum SegmentDurability: Sendable {
        /// A new segment is synced (file and directory) before it is used, and a full one before
        /// the next is begun: only the newest segment can have a torn tail (the write-ahead log).
        case synced
        /// The writer never syncs: every sync is the owner's (`sync()`, or another thread's
        /// fdatasync of the files), so any segment written since the last one may be torn.
        case deferred
    }

    /// The directory the segments are in.
    public let directory: String
    /// A segment is closed once it holds this many bytes.
    public let segmentBytes: Int
    /// Whether each new segment's blocks are reserved up front (fallocate KEEP_SIZE).
    public let preallocates: Bool
    /// The pinned blob written into the header of every new segment; a change takes effect at
    /// the next segment.
    public var pinned: [UInt8] {
        didSet {
            precondition(
                pinned.count <= LogFormat.maxPinnedBytes, "a pinned blob has at most \(LogFormat.maxPinnedBytes) bytes")
        }
    }
    /// The LSN the next batch must start with.
    public private(set) var nextLSN: UInt64
    /// The last LSN made durable (by `sync`, or by the sync before a segment change); the
    /// first LSN minus 1 until then.
    public private(set) var syncedLSN: UInt64
    /// The path of the segment being written.
    public private(set) var segmentPath: String
    /// The first LSN of the segment being written.
    public private(set) var segmentFirstLSN: UInt64 = 0
    /// The bytes the segment being written holds, its header included.
    public private(set) var segmentByteCount = 0
    /// How segments are made durable.
    public let durability: SegmentDurability

    private let fileSystem: any StorageFileSystem
    private let clock: () -> Int64
    private var file: StorageFile?
    private let segmentName: @Sendable (UInt64) -> String
    private var failure: StorageError?
    private var isClosed = false

    /// Creates the segment `wal-<firstLSN>.log` (it must not exist) and makes it durable
    /// before returning: header written, file synced, directory synced.
    ///
    /// - Parameters:
    ///   - segmentBytes: the size after which a new segment is started (a batch is never split).
    ///   - pinned: opaque bytes for every segment header (hub configuration, process epoch).
    ///   - firstLSN: the LSN of the first record to come (`LogScanReport.nextLSN` after recovery).
    ///   - preallocate: reserve `segmentBytes` of blocks for each segment up front (fallocate
    ///     KEEP_SIZE). Off by default: on ext4 it changed neither the p50 nor the p99 of
    ///     fdatasync for 4 KiB appends (docs/PERSISTENCE.md, Measurements), since every append
    ///     still changes the file's size, and it holds the blocks of a short last segment.
    ///   - clock: the creation time written in segment headers, Unix ms.
    ///   - segmentName: a segment's file name from its first LSN (`wal-<LSN>.log` by default).
    ///   - durability: whether the writer syncs segments itself (`.synced`, the log's default).
    public init(
        fileSystem: any StorageFileSystem, directory: String, segmentBytes: Int = LogFormat.defaultSegmentBytes,
        pinned: [UInt8], firstLSN: UInt64, preallocate: Bool = false,
        clock: @escaping () -> Int64 = { partyhub_wall_ms() },
        segmentName: @escaping @Sendable (UInt64) -> String = { LogFormat.segmentName(firstLSN: $0) },
        durability: SegmentDurability = .synced
    ) throws(StorageError) {
        precondition(firstLSN > 0, "LSNs start at 1")
        precondition(segmentBytes > 0, "a segment must be allowed some bytes")
        precondition(
            pinned.count <= LogFormat.maxPinnedBytes, "a pinned blob has at most \(LogFormat.maxPinnedBytes) bytes")
        self.fileSystem = fileSystem
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.preallocates = preallocate
        self.pinned = pinned
        self.clock = clock
        self.segmentName = segmentName
        self.durability = durability
        self.nextLSN = firstLSN
        self.syncedLSN = firstLSN - 1
        self.segmentPath = FileSystem.join(directory, segmentName(firstLSN))
        try startSegment(firstLSN: firstLSN)
    }

    deinit { close() }

    /// Appends the batch with one write, first starting a new segment if the current one is
    /// full. The batch must start at `nextLSN`. Not durable until `sync`.
    public func write(_ batch: borrowing LogBatch) throws(StorageError) {
        precondition(!isClosed, "the log writer is closed")
        if let failure { throw .writerFailedEarlier(failure) }
        guard !batch.isEmpty else { return }
        precondition(batch.firstLSN == nextLSN, "batch starts at LSN \(batch.firstLSN), the log is at \(nextLSN)")
        do {
            // A segment holds at least one batch, however small `segmentBytes` is.
            if segmentByteCount >= segmentBytes && nextLSN > segmentFirstLSN {
                try finishSegment()
                try startSegment(firstLSN: batch.firstLSN)
            }
            guard let file else { preconditionFailure("a writer without failure has a segment open") }
            try batch.bytes.withStorageBytes { (bytes) throws(StorageError) in try fileSystem.append(file, bytes) }
        } catch {
            failure = error
            throw error
        }
        segmentByteCount += batch.bytes.count
        nextLSN = batch.lastLSN + 1
    }

    /// Makes every batch written so far durable (fdatasync of the current segment).
    public func sync() throws(StorageError) {
        precondition(!isClosed, "the log writer is closed")
        if let failure { throw .writerFailedEarlier(failure) }
        guard let file else { preconditionFailure("a writer without failure has a segment open") }
        do {
            try fileSystem.sync(file)
        } catch {
            failure = error
            throw error
        }
        syncedLSN = nextLSN - 1
    }

    /// Closes the current segment without syncing it. The writer may not be used afterwards.
    public func close() {
        if let file { fileSystem.close(file) }
        file = nil
        isClosed = true
    }

    /// Syncs (unless durability is deferred) and closes the current segment.
    private func finishSegment() throws(StorageError) {
        guard let file else { return }
        if durability == .synced {
            try fileSystem.sync(file)
            syncedLSN = nextLSN - 1
        }
        fileSystem.close(file)
        self.file = nil
    }

    /// Creates, fills in and (unless durability is deferred) makes durable a new segment
    /// starting at `firstLSN`. A file this call created is removed again if it fails.
    private func startSegment(firstLSN: UInt64) throws(StorageError) {
        let path = FileSystem.join(directory, segmentName(firstLSN))
        let created = try fileSystem.createFile(path)
        do {
            if preallocates { try fileSystem.preallocate(created, length: segmentBytes) }
            let header = LogSegmentHeader(firstLSN: firstLSN, createdAt: clock(), pinned: pinned).encoded()
            try header.withStorageBytes { (bytes) throws(StorageError) in try fileSystem.append(created, bytes) }
            if durability == .synced {
                try fileSystem.sync(created)
                try fileSystem.syncDirectory(directory)
            }
            segmentByteCount = header.count
        } catch {
            fileSystem.close(created)
            try? fileSystem.remove(path)
            throw error
        }
        file = created
        segmentPath = path
        segmentFirstLSN = firstLSN
    }
}
