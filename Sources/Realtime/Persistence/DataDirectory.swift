import Glibc

/// The data directory, opened for one process: created when missing, locked (flock on
/// `LOCK`, held until this object goes away, normally the process's lifetime), and cleared of
/// temporary files a stopped process left. Holds the log segments, the snapshots, and files
/// of others (the JWT secret) that are left alone.
public final class DataDirectory {
    /// The directory's path as given.
    public let path: String
    /// The file system it is on.
    public let fileSystem: any StorageFileSystem
    /// Whether it did not exist and was created.
    public let wasCreated: Bool
    /// Temporary files (`*.tmp`) of an earlier process, removed on opening.
    public let removedTemporaries: [String]
    private var lockFile: StorageFile?

    /// Opens (creating it if missing) and locks the directory at `path`. A second process on
    /// the same directory gets `StorageError.directoryInUse`: "data directory <path> is in use
    /// by another partyhub process".
    public init(path: String, fileSystem: any StorageFileSystem = PosixFileSystem()) throws(StorageError) {
        self.path = path
        self.fileSystem = fileSystem
        wasCreated = try fileSystem.createDirectory(path)
        if wasCreated { try fileSystem.syncDirectory(Self.parent(of: path)) }
        let lockFile: StorageFile
        do {
            lockFile = try fileSystem.lock(FileSystem.join(path, LogFormat.lockFileName))
        } catch  where error.errno == EWOULDBLOCK {
            throw .directoryInUse(path)
        }
        self.lockFile = lockFile
        do {
            let temporaries = try DataDirectoryListing(fileSystem: fileSystem, directory: path).temporaries
            for temporary in temporaries { try fileSystem.remove(temporary) }
            if !temporaries.isEmpty { try fileSystem.syncDirectory(path) }
            removedTemporaries = temporaries
        } catch {
            fileSystem.close(lockFile)
            throw error
        }
    }

    deinit { unlock() }

    /// The segments and snapshots, each sorted by LSN.
    public func listing() throws(StorageError) -> DataDirectoryListing {
        try DataDirectoryListing(fileSystem: fileSystem, directory: path)
    }

    /// Releases the lock now rather than when the object goes away.
    public func unlock() {
        if let lockFile { fileSystem.close(lockFile) }
        lockFile = nil
    }

    private static func parent(of path: String) -> String {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
