import CPartyHubSystem
import Glibc

/// Writes, loads and prunes snapshots in the data directory. A snapshot is written to a
/// temporary file, synced, renamed into place and the directory synced, so a crash leaves
/// either the whole new file or none of it; the previous snapshots are never touched by a
/// write. Used by one thread (the one serializing the state), beside the log writer's.
public final class SnapshotStore {
    /// A snapshot `loadNewest` passed over, and why.
    public struct Skipped: Sendable {
        /// The file.
        public let path: String
        /// Why it was not used.
        public let reason: String
    }

    /// What `loadNewest` found.
    public struct Loaded: Sendable {
        /// The newest snapshot that verifies, or nil when none does (or there is none).
        public let snapshot: Snapshot?
        /// Newer snapshots that did not verify, newest first.
        public let skipped: [Skipped]
    }

    /// What `prune` removed.
    public struct Pruned: Sendable {
        /// Snapshots older than the ones kept.
        public let removedSnapshots: [String]
        /// Log segments wholly older than the older kept snapshot.
        public let removedSegments: [String]
    }

    /// The directory the snapshots are in.
    public let directory: String
    /// Bytes written back at a time while a snapshot is written.
    static let writeBackSlice = 256 << 10
    /// The most bytes a second a snapshot is written at (0: as fast as the disk takes them).
    public var writeBackBytesPerSecond = 32 << 20
    private let fileSystem: any StorageFileSystem
    private let clock: () -> Int64

    /// A store for `directory`; `clock` gives the creation time written in the header.
    public init(
        fileSystem: any StorageFileSystem, directory: String, clock: @escaping () -> Int64 = { partyhub_wall_ms() }
    ) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.clock = clock
    }

    /// Writes `snapshot-<lsn>.snap` durably (temporary file, write, fdatasync, rename,
    /// directory fsync) and returns its path. On failure the temporary file is removed, the
    /// previous snapshots are as they were, and the error is thrown; nothing is retried.
    @discardableResult
    public func write(lsn: UInt64, pinned: [UInt8], payload: UnsafeRawBufferPointer) throws(StorageError) -> String {
        precondition(
            pinned.count <= LogFormat.maxPinnedBytes, "a pinned blob has at most \(LogFormat.maxPinnedBytes) bytes")
        precondition(
            payload.count <= LogFormat.maxSnapshotPayloadBytes,
            "a snapshot has at most \(LogFormat.maxSnapshotPayloadBytes) bytes")
        let path = FileSystem.join(directory, LogFormat.snapshotName(lsn: lsn))
        let temporary = path + LogFormat.temporarySuffix
        var header = LogFormat.snapshotMagic
        header.append(LogFormat.snapshotVersion)
        header += [0, 0]
        LittleEndian.append(lsn, to: &header)
        LittleEndian.append(clock(), to: &header)
        LittleEndian.append(UInt32(pinned.count), to: &header)
        LittleEndian.append(UInt64(payload.count), to: &header)
        header += pinned
        var trailer: [UInt8] = []
        let crc = CRC32C.checksum(payload, continuing: header.withUnsafeBytes { CRC32C.checksum($0) })
        LittleEndian.append(CRC32C.mask(crc), to: &trailer)

        // A temporary left by a process that died mid-write would make the create fail.
        try? fileSystem.remove(temporary)
        let file = try fileSystem.createFile(temporary)
        var isOpen = true
        do {
            try header.withStorageBytes { (bytes) throws(StorageError) in try fileSystem.append(file, bytes) }
            // In slices, each written back before the next, and no faster than
            // `writeBackBytesPerSecond`: a large snapshot must not queue a hundred megabytes on
            // the disk in front of the log's next fdatasync (measured: the log's syncs went
            // from 0.3 ms to 5-10 ms for the seconds a 116 MB snapshot took, and every reply
            // waited with them).
            var offset = 0
            var fileOffset = header.count
            let started = partyhub_monotonic_ns()
            while offset < payload.count {
                let slice = UnsafeRawBufferPointer(rebasing: payload[offset..<min(offset + Self.writeBackSlice, payload.count)])
                try fileSystem.append(file, slice)
                try fileSystem.writeBack(file, offset: fileOffset, length: slice.count)
                offset += slice.count
                fileOffset += slice.count
                if writeBackBytesPerSecond > 0 {
                    let due = started + Int64(Double(offset) / Double(writeBackBytesPerSecond) * 1e9)
                    let ahead = due - partyhub_monotonic_ns()
                    if ahead > 0 { usleep(useconds_t(ahead / 1000)) }
                }
            }
            try trailer.withStorageBytes { (bytes) throws(StorageError) in try fileSystem.append(file, bytes) }
            try fileSystem.sync(file)
            fileSystem.close(file)
            isOpen = false
            try fileSystem.rename(temporary, to: path)
        } catch {
            if isOpen { fileSystem.close(file) }
            try? fileSystem.remove(temporary)
            throw error
        }
        // Renamed: the temporary is gone. If this sync fails the new snapshot may or may not
        // survive a crash; either way it is complete, and the error says so.
        try fileSystem.syncDirectory(directory)
        return path
    }

    /// The newest snapshot that verifies, falling back to older ones past any that do not
    /// (each reported with the reason).
    public func loadNewest() throws(StorageError) -> Loaded {
        let listing = try DataDirectoryListing(fileSystem: fileSystem, directory: directory)
        var skipped: [Skipped] = []
        for entry in listing.snapshots.reversed() {
            do {
                return Loaded(snapshot: try load(entry), skipped: skipped)
            } catch {
                skipped.append(Skipped(path: entry.path, reason: error.description))
            }
        }
        return Loaded(snapshot: nil, skipped: skipped)
    }

    /// Keeps the newest `keeping` snapshots (two by default) and removes older ones; then, when
    /// at least two are kept, removes the log segments wholly older than the older kept
    /// snapshot's LSN: a segment is, when the next segment's first LSN is at most that LSN + 1
    /// (so the log from either kept snapshot on is still there). The newest segment is never
    /// removed. Removals are made durable with a directory fsync.
    @discardableResult
    public func prune(keeping: Int = 2) throws(StorageError) -> Pruned {
        precondition(keeping >= 1, "prune keeps at least one snapshot")
        let listing = try DataDirectoryListing(fileSystem: fileSystem, directory: directory)
        var removedSnapshots: [String] = []
        var removedSegments: [String] = []
        let kept = listing.snapshots.suffix(keeping)
        for entry in listing.snapshots.dropLast(keeping) {
            try fileSystem.remove(entry.path)
            removedSnapshots.append(entry.path)
        }
        // With a single snapshot the whole log stays: if that snapshot is found damaged,
        // recovery replays from LSN 1.
        if kept.count >= 2, let olderKept = kept.first?.lsn {
            let segments = listing.segments
            for index in segments.indices.dropLast() where segments[index + 1].lsn <= olderKept + 1 {
                try fileSystem.remove(segments[index].path)
                removedSegments.append(segments[index].path)
            }
        }
        if !removedSnapshots.isEmpty || !removedSegments.isEmpty { try fileSystem.syncDirectory(directory) }
        return Pruned(removedSnapshots: removedSnapshots, removedSegments: removedSegments)
    }

    /// Reads and verifies one snapshot file (`loadNewest` tries them newest first; `partyhub
    /// data check` verifies every one): its length, magic, version, checksum, and the LSN its
    /// name gives. Changes nothing.
    public func load(_ entry: DataDirectoryListing.Entry) throws(StorageError) -> Snapshot {
        let fixed = LogFormat.snapshotHeaderFixedBytes
        let limit = fixed + LogFormat.maxPinnedBytes + LogFormat.maxSnapshotPayloadBytes + LogFormat.checksumBytes
        let bytes = try fileSystem.readAll(entry.path, limit: limit)
        return try bytes.withStorageBytes { (bytes) throws(StorageError) -> Snapshot in
            func damaged(_ what: String) -> StorageError { .damaged(entry.path, offset: 0, what) }
            guard bytes.count >= fixed + LogFormat.checksumBytes else {
                throw damaged("\(bytes.count) bytes is shorter than a snapshot header")
            }
            guard bytes.starts(with: LogFormat.snapshotMagic) else { throw damaged("no PHSNP magic") }
            let version = bytes[LogFormat.snapshotVersionOffset]
            guard version == LogFormat.snapshotVersion else {
                throw damaged("snapshot format version \(version), this build reads \(LogFormat.snapshotVersion)")
            }
            let pinnedCount = Int(LittleEndian.load(UInt32.self, from: bytes, at: LogFormat.snapshotPinnedLengthOffset))
            let payloadCount = LittleEndian.load(UInt64.self, from: bytes, at: LogFormat.snapshotPayloadLengthOffset)
            let expected = UInt64(fixed + pinnedCount + LogFormat.checksumBytes).addingReportingOverflow(payloadCount)
            guard !expected.overflow, expected.partialValue == UInt64(bytes.count) else {
                throw damaged(
                    "the header says \(pinnedCount) pinned and \(payloadCount) payload bytes, the file has \(bytes.count)"
                )
            }
            let checked = bytes.count - LogFormat.checksumBytes
            let stored = LittleEndian.load(UInt32.self, from: bytes, at: checked)
            guard CRC32C.unmask(stored) == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<checked])) else {
                throw damaged("snapshot checksum mismatch")
            }
            let lsn = LittleEndian.load(UInt64.self, from: bytes, at: LogFormat.snapshotLSNOffset)
            guard lsn == entry.lsn else {
                throw damaged("the header's LSN \(lsn) is not the \(entry.lsn) of the file name")
            }
            let pinnedEnd = fixed + pinnedCount
            return Snapshot(
                lsn: lsn, createdAt: LittleEndian.load(Int64.self, from: bytes, at: LogFormat.snapshotCreatedAtOffset),
                pinned: Array(bytes[fixed..<pinnedEnd]), payload: Array(bytes[pinnedEnd..<checked]), path: entry.path)
        }
    }
}
