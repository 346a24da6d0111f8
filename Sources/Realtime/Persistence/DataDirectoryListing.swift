/// The files of a data directory that are ours, by kind, each sorted by LSN: log segments,
/// snapshots and leftover temporaries. Other files (the lock, the JWT secret, anything an
/// operator put there) are ignored.
public struct DataDirectoryListing: Sendable {
    /// A file of ours and the LSN its name gives.
    public struct Entry: Equatable, Sendable {
        /// The file name.
        public let name: String
        /// The directory joined with the name.
        public let path: String
        /// The LSN in the name: a segment's first, a snapshot's last applied.
        public let lsn: UInt64
    }

    /// `wal-<LSN>.log` files, oldest first.
    public let segments: [Entry]
    /// `snapshot-<LSN>.snap` files, oldest first.
    public let snapshots: [Entry]
    /// Paths of `*.tmp` files left by a process that stopped while writing one.
    public let temporaries: [String]

    /// Lists `directory`.
    public init(fileSystem: any StorageFileSystem, directory: String) throws(StorageError) {
        var segments: [Entry] = []
        var snapshots: [Entry] = []
        var temporaries: [String] = []
        for name in try fileSystem.listDirectory(directory) {
            let path = FileSystem.join(directory, name)
            if let lsn = LogFormat.segmentLSN(fromName: name) {
                segments.append(Entry(name: name, path: path, lsn: lsn))
            } else if let lsn = LogFormat.snapshotLSN(fromName: name) {
                snapshots.append(Entry(name: name, path: path, lsn: lsn))
            } else if LogFormat.isTemporary(name) {
                temporaries.append(path)
            }
        }
        self.segments = segments.sorted { $0.lsn < $1.lsn }
        self.snapshots = snapshots.sorted { $0.lsn < $1.lsn }
        self.temporaries = temporaries.sorted()
    }

    /// Whether there is no log and no snapshot: nothing to recover.
    public var isEmpty: Bool { segments.isEmpty && snapshots.isEmpty }
}

extension DataDirectoryListing {
    /// The bytes the log segments and snapshots take (for the disk-use gauge).
    func byteCount(fileSystem: any StorageFileSystem) throws(StorageError) -> Int {
        var total = 0
        for entry in segments + snapshots {
            let file = try fileSystem.openFile(entry.path, writable: false)
            defer { fileSystem.close(file) }
            total += try fileSystem.size(file)
        }
        return total
    }
}
