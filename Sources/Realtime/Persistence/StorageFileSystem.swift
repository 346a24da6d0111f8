/// The file operations under the log and the snapshots, and nothing more: small enough that a
/// test double can model what is durable after a crash (`FaultInjectingFileSystem` in the
/// tests; `PosixFileSystem` in the server).
///
/// Every failure throws a `StorageError` carrying the errno, the path and the operation.
/// Nothing above this protocol retries a failed write or sync: after a failed `fdatasync` the
/// kernel may have dropped the dirty pages and cleared the error, so a retry that succeeds
/// proves nothing (PostgreSQL's "fsyncgate", 2018). The caller stops instead.
public protocol StorageFileSystem: AnyObject {
    /// Creates the directory and any missing parents (mode 0755). Returns whether the last
    /// component was created (false when it existed).
    func createDirectory(_ path: String) throws(StorageError) -> Bool

    /// The names in a directory, without `.` and `..`, in no particular order.
    func listDirectory(_ path: String) throws(StorageError) -> [String]

    /// Creates a new, empty file for appending; fails with EEXIST if `path` exists.
    func createFile(_ path: String) throws(StorageError) -> StorageFile

    /// Opens an existing file: for reading, or for reading, appending and truncation.
    func openFile(_ path: String, writable: Bool) throws(StorageError) -> StorageFile

    /// Writes all of `bytes` at the end of the file (a short write is continued).
    func append(_ file: StorageFile, _ bytes: UnsafeRawBufferPointer) throws(StorageError)

    /// Reads up to `buffer.count` bytes at `offset` (pread); returns how many, 0 at the end.
    func read(_ file: StorageFile, at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(StorageError)
        -> Int

    /// The file's size in bytes.
    func size(_ file: StorageFile) throws(StorageError) -> Int

    /// Cuts the file to `length` bytes (durable after `sync`).
    func truncate(_ file: StorageFile, to length: Int) throws(StorageError)

    /// Makes the file's data and size durable (fdatasync).
    func sync(_ file: StorageFile) throws(StorageError)

    /// Reserves `length` bytes of blocks for the file without changing its size
    /// (fallocate KEEP_SIZE). A file system that cannot does nothing.
    func preallocate(_ file: StorageFile, length: Int) throws(StorageError)

    /// Writes `length` bytes from `offset` back to the device and waits for them
    /// (sync_file_range): pacing for a large file, so that its write-back never queues far
    /// ahead of the log's syncs on the same disk. Not a durability point: `sync` still is.
    func writeBack(_ file: StorageFile, offset: Int, length: Int) throws(StorageError)

    /// Closes the file. Never fails: a close error says nothing `sync` did not.
    func close(_ file: StorageFile)

    /// Makes the directory's entries durable: files created, renamed or removed in it (fsync of
    /// the directory).
    func syncDirectory(_ path: String) throws(StorageError)

    /// Renames `from` to `to`, replacing `to` atomically if it exists.
    func rename(_ from: String, to: String) throws(StorageError)

    /// Removes a file (unlink).
    func remove(_ path: String) throws(StorageError)

    /// Takes an exclusive lock on `path` (created if missing) for as long as the returned file
    /// stays open, or fails at once with EWOULDBLOCK when another holder has it
    /// (flock LOCK_EX | LOCK_NB).
    func lock(_ path: String) throws(StorageError) -> StorageFile
}

extension StorageFileSystem {
    /// The whole contents of the file at `path`, refusing a file over `limit` bytes before
    /// allocating.
    public func readAll(_ path: String, limit: Int = Int.max) throws(StorageError) -> [UInt8] {
        let file = try openFile(path, writable: false)
        defer { close(file) }
        let count = try size(file)
        guard count <= limit else {
            throw .damaged(path, offset: 0, "the file is \(count) bytes, over the \(limit) bytes it may have")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            // Array's closures rethrow untyped errors; a Result keeps the type.
            let got = try bytes.withUnsafeMutableBytes { buffer in
                Result { () throws(StorageError) in
                    try read(file, at: filled, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                }
            }.get()
            guard got > 0 else { throw .damaged(path, offset: filled, "the file ended while it was read") }
            filled += got
        }
        return bytes
    }
}
