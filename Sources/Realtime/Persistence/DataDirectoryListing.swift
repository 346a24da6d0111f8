import Glibc

/// The files of a data directory that are ours, by kind, each sorted by LSN: log segments,
/// snapshots, the published event stream's segments and leftover temporaries. Other files (the lock, the JWT secret, anything an
/// operator put there) are ignored.
public struct DataDirectoryListing: Sendable {
    /// A file of ours and the LSN its name gives.
    public struct Entry: Equatable, Sendable {
        /// The file name.
        public let name: String
        /// The directory joined with the name.
        public let path: String
        /// The LSN in the name: a segment's first, a snapshot's last applied, an event
        /// segment's first offset.
        public let lsn: UInt64
    }

    /// `wal-<LSN>.log` files, oldest first.
    public let segments: [Entry]
    /// `snapshot-<LSN>.snap` files, oldest first.
    public let snapshots: [Entry]
    /// `events-<offset>.log` files (the published event stream), oldest first.
    public let eventSegments: [Entry]
    /// Paths of `*.tmp` files left by a process that stopped while writing one.
    public let temporaries: [String]

    /// Lists `directory`.
    public init(fileSystem: any StorageFileSystem, directory: String) throws(StorageError) {
        var segments: [Entry] = []
        var snapshots: [Entry] = []
        var eventSegments: [Entry] = []
        var temporaries: [String] = []
        for name in try fileSystem.listDirectory(directory) {
            let path = FileSystem.join(directory, name)
            if let lsn = LogFormat.segmentLSN(fromName: name) {
                segments.append(Entry(name: name, path: path, lsn: lsn))
            } else if let lsn = LogFormat.snapshotLSN(fromName: name) {
                snapshots.append(Entry(name: name, path: path, lsn: lsn))
            } else if let offset = LogFormat.eventSegmentOffset(fromName: name) {
                eventSegments.append(Entry(name: name, path: path, lsn: offset))
            } else if LogFormat.isTemporary(name) {
                temporaries.append(path)
            }
        }
        self.segments = segments.sorted { $0.lsn < $1.lsn }
        self.snapshots = snapshots.sorted { $0.lsn < $1.lsn }
        self.eventSegments = eventSegments.sorted { $0.lsn < $1.lsn }
        self.temporaries = temporaries.sorted()
    }

    /// Whether there is no log and no snapshot: nothing to recover (event segments alone are
    /// derived from the log and bring nothing back).
    public var isEmpty: Bool { segments.isEmpty && snapshots.isEmpty }
}

extension DataDirectoryListing {
    /// The bytes the log segments, snapshots and event segments take (for the disk-use gauge).
    func byteCount(fileSystem: any StorageFileSystem) throws(StorageError) -> Int {
        var total = 0
        for entry in segments + snapshots + eventSegments {
            let file: StorageFile
            do {
                file = try fileSystem.openFile(entry.path, writable: false)
            } catch where error.errno == ENOENT {
                continue  // removed since it was listed (retention runs beside the snapshot thread)
            }
            defer { fileSystem.close(file) }
            total += try fileSystem.size(file)
        }
        return total
    }
}
