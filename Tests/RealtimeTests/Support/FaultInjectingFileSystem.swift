import Glibc

@testable import Realtime

/// An in-memory `StorageFileSystem` that knows what is durable and what is only written,
/// after SQLite's crash VFS and RocksDB's FaultInjectionTestFS:
///
/// - file data is durable once `sync`ed; a directory's entries (files created, renamed,
///   removed) once `syncDirectory` ran on that directory. `simulateCrash()` drops everything
///   else and closes every file.
/// - `tearLastWrite(keeping:)` models the machine going down part way through the last write.
/// - `failNext(_:with:)` makes the next call of an operation fail with an errno (EIO, ENOSPC),
///   a write optionally after writing some of its bytes; `powerOff(afterOperations:)` makes
///   every call after the next n fail, as if the machine stopped there.
/// - every call is counted in `calls`; `willCall` sees each call before it runs (to hold a
///   slow fdatasync, or note when it came).
///
/// Directories themselves are durable as soon as they are created. Not thread-safe: one thread
/// at a time (a test may hand it to a log thread and wait).
final class FaultInjectingFileSystem: StorageFileSystem {
    enum Operation: Hashable, CaseIterable, Sendable {
        case createDirectory, listDirectory, create, open, write, read, size, truncate, sync, writeBack, preallocate
        case syncDirectory
        case rename, remove, lock
    }

    private final class Inode {
        var data: [UInt8] = []
        var durable: [UInt8] = []
    }

    private struct Directory {
        var entries: [String: Inode] = [:]
        var durableEntries: [String: Inode] = [:]
    }

    private struct Handle {
        let inode: Inode
        let writable: Bool
        let lockedPath: String?
    }

    private struct Fault {
        let code: Int32
        let afterWriting: Int
        var skipping: Int
    }

    private var directories: [String: Directory] = [:]
    private var handles: [Int32: Handle] = [:]
    private var nextDescriptor: Int32 = 3
    private var lockedPaths: Set<String> = []
    private var faults: [Operation: [Fault]] = [:]
    private var operationsUntilPowerOff: Int?
    private var lastWrite: (inode: Inode, start: Int, count: Int)?

    /// How many times each operation was called (failed calls included).
    private(set) var calls: [Operation: Int] = [:]

    /// Called at the start of every call, on the calling thread, before its fault if any: a
    /// test can hold the call there (a slow fdatasync) or note when it came.
    var willCall: ((Operation) -> Void)?

    // MARK: Faults

    /// The next call of `operation` (after `skipping` calls that succeed) fails with `code`; a
    /// write first writes `afterWriting` of its bytes (a short write that then failed).
    func failNext(_ operation: Operation, with code: Int32, afterWriting: Int = 0, skipping: Int = 0) {
        faults[operation, default: []].append(Fault(code: code, afterWriting: afterWriting, skipping: skipping))
    }

    /// The next `count` calls succeed; every call after them fails with EIO until
    /// `simulateCrash()`: the machine stopped there.
    func powerOff(afterOperations count: Int) {
        operationsUntilPowerOff = count
    }

    /// Whether `powerOff` stopped a call since the last crash.
    private(set) var poweredOff = false

    /// Loses everything not durable: file data not synced, directory changes not followed by a
    /// sync of their directory. Closes every file, releases every lock, clears the faults.
    func simulateCrash() {
        for (path, directory) in directories {
            directories[path]!.entries = directory.durableEntries
            for inode in directory.durableEntries.values { inode.data = inode.durable }
        }
        handles.removeAll()
        lockedPaths.removeAll()
        faults.removeAll()
        operationsUntilPowerOff = nil
        poweredOff = false
        lastWrite = nil
    }

    /// How many bytes the last write wrote (nil after a crash or a tear).
    var lastWriteCount: Int? { lastWrite?.count }

    /// The machine went down part way through the last write: only its first `keeping` bytes
    /// reached the disk, with everything the file held before it.
    func tearLastWrite(keeping: Int) {
        guard let (inode, start, count) = lastWrite else { preconditionFailure("nothing was written") }
        precondition(keeping <= count, "a write cannot keep more than it wrote")
        precondition(inode.data.count == start + count, "the torn write was the file's last")
        inode.data.removeSubrange((start + keeping)...)
        inode.durable = inode.data
        lastWrite = nil
    }

    // MARK: Inspection and byte editing (for tests)

    /// A file's current contents, or nil when there is no such file.
    func contents(of path: String) -> [UInt8]? {
        let (directory, name) = split(path)
        return directories[directory]?.entries[name]?.data
    }

    /// The names in a directory now.
    func names(in directory: String) -> [String] {
        (directories[directory]?.entries.keys).map { $0.sorted() } ?? []
    }

    /// Replaces a file's contents, durably (as if the disk held them).
    func setContents(_ bytes: [UInt8], of path: String) {
        let (directory, name) = split(path)
        guard let inode = directories[directory]?.entries[name] else { preconditionFailure("no file \(path)") }
        inode.data = bytes
        inode.durable = bytes
    }

    /// Puts a file in place durably (entry and data), as a disk would hold it.
    func install(_ bytes: [UInt8], at path: String) {
        let (directory, name) = split(path)
        precondition(directories[directory] != nil, "no directory \(directory)")
        let inode = Inode()
        inode.data = bytes
        inode.durable = bytes
        directories[directory]!.entries[name] = inode
        directories[directory]!.durableEntries[name] = inode
    }

    // MARK: StorageFileSystem

    func createDirectory(_ path: String) throws(StorageError) -> Bool {
        try begin(.createDirectory, path)
        if directories[path] != nil { return false }
        directories[path] = Directory()
        return true
    }

    func listDirectory(_ path: String) throws(StorageError) -> [String] {
        try begin(.listDirectory, path)
        guard let directory = directories[path] else { throw .system("opendir", path: path, code: ENOENT) }
        return Array(directory.entries.keys)
    }

    func createFile(_ path: String) throws(StorageError) -> StorageFile {
        try begin(.create, path)
        let (directory, name) = split(path)
        guard directories[directory] != nil else { throw .system("create", path: path, code: ENOENT) }
        guard directories[directory]!.entries[name] == nil else { throw .system("create", path: path, code: EEXIST) }
        let inode = Inode()
        directories[directory]!.entries[name] = inode
        return open(inode, path: path, writable: true)
    }

    func openFile(_ path: String, writable: Bool) throws(StorageError) -> StorageFile {
        try begin(.open, path)
        let (directory, name) = split(path)
        guard let inode = directories[directory]?.entries[name] else { throw .system("open", path: path, code: ENOENT) }
        return open(inode, path: path, writable: writable)
    }

    func append(_ file: StorageFile, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        let handle = try handleFor(file)
        guard handle.writable else { throw .system("write", path: file.path, code: EBADF) }
        let start = handle.inode.data.count
        do {
            try begin(.write, file.path)
        } catch {
            if let written = lastFaultWritten, written > 0 {
                handle.inode.data.append(contentsOf: bytes.prefix(written))
                lastWrite = (handle.inode, start, written)
            }
            throw error
        }
        handle.inode.data.append(contentsOf: bytes)
        lastWrite = (handle.inode, start, bytes.count)
    }

    func read(_ file: StorageFile, at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(StorageError)
        -> Int
    {
        try begin(.read, file.path)
        let data = try handleFor(file).inode.data
        guard offset < data.count else { return 0 }
        let count = min(buffer.count, data.count - offset)
        data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        return count
    }

    func size(_ file: StorageFile) throws(StorageError) -> Int {
        try begin(.size, file.path)
        return try handleFor(file).inode.data.count
    }

    func truncate(_ file: StorageFile, to length: Int) throws(StorageError) {
        try begin(.truncate, file.path)
        let handle = try handleFor(file)
        guard handle.writable else { throw .system("ftruncate", path: file.path, code: EBADF) }
        if length < handle.inode.data.count {
            handle.inode.data.removeSubrange(length...)
        } else {
            handle.inode.data += [UInt8](repeating: 0, count: length - handle.inode.data.count)
        }
    }

    func sync(_ file: StorageFile) throws(StorageError) {
        try begin(.sync, file.path)
        let inode = try handleFor(file).inode
        inode.durable = inode.data
    }

    /// Pacing only: nothing becomes durable here (a crash still drops what `sync` did not make durable).
    func writeBack(_ file: StorageFile, offset: Int, length: Int) throws(StorageError) {
        try begin(.writeBack, file.path)
        _ = try handleFor(file)
    }

    func preallocate(_ file: StorageFile, length: Int) throws(StorageError) {
        try begin(.preallocate, file.path)
        _ = try handleFor(file)
    }

    func close(_ file: StorageFile) {
        if let lockedPath = handles[file.descriptor]?.lockedPath { lockedPaths.remove(lockedPath) }
        handles[file.descriptor] = nil
    }

    func syncDirectory(_ path: String) throws(StorageError) {
        try begin(.syncDirectory, path)
        guard directories[path] != nil else { throw .system("open", path: path, code: ENOENT) }
        directories[path]!.durableEntries = directories[path]!.entries
    }

    func rename(_ from: String, to: String) throws(StorageError) {
        try begin(.rename, from)
        let (fromDirectory, fromName) = split(from)
        let (toDirectory, toName) = split(to)
        guard let inode = directories[fromDirectory]?.entries[fromName] else {
            throw .system("rename", path: "\(from) -> \(to)", code: ENOENT)
        }
        guard directories[toDirectory] != nil else { throw .system("rename", path: "\(from) -> \(to)", code: ENOENT) }
        directories[fromDirectory]!.entries[fromName] = nil
        directories[toDirectory]!.entries[toName] = inode
    }

    func remove(_ path: String) throws(StorageError) {
        try begin(.remove, path)
        let (directory, name) = split(path)
        guard directories[directory]?.entries[name] != nil else { throw .system("unlink", path: path, code: ENOENT) }
        directories[directory]!.entries[name] = nil
    }

    func lock(_ path: String) throws(StorageError) -> StorageFile {
        try begin(.lock, path)
        let (directory, name) = split(path)
        guard directories[directory] != nil else { throw .system("open", path: path, code: ENOENT) }
        guard !lockedPaths.contains(path) else { throw .system("flock", path: path, code: EWOULDBLOCK) }
        let inode = directories[directory]!.entries[name] ?? Inode()
        directories[directory]!.entries[name] = inode
        lockedPaths.insert(path)
        let descriptor = nextDescriptor
        nextDescriptor += 1
        handles[descriptor] = Handle(inode: inode, writable: true, lockedPath: path)
        return StorageFile(descriptor: descriptor, path: path)
    }

    // MARK: Internals

    private var lastFaultWritten: Int?

    /// Counts the call and throws the fault due for it, if any.
    private func begin(_ operation: Operation, _ path: String) throws(StorageError) {
        willCall?(operation)
        calls[operation, default: 0] += 1
        lastFaultWritten = nil
        if let remaining = operationsUntilPowerOff {
            if remaining == 0 {
                poweredOff = true
                throw .system("\(operation) (powered off)", path: path, code: EIO)
            }
            operationsUntilPowerOff = remaining - 1
        }
        if var queued = faults[operation], !queued.isEmpty {
            if queued[0].skipping > 0 {
                queued[0].skipping -= 1
                faults[operation] = queued
                return
            }
            let fault = queued.removeFirst()
            faults[operation] = queued
            lastFaultWritten = fault.afterWriting
            throw .system("\(operation)", path: path, code: fault.code)
        }
    }

    private func open(_ inode: Inode, path: String, writable: Bool) -> StorageFile {
        let descriptor = nextDescriptor
        nextDescriptor += 1
        handles[descriptor] = Handle(inode: inode, writable: writable, lockedPath: nil)
        return StorageFile(descriptor: descriptor, path: path)
    }

    private func handleFor(_ file: StorageFile) throws(StorageError) -> Handle {
        guard let handle = handles[file.descriptor] else { throw .system("use", path: file.path, code: EBADF) }
        return handle
    }

    private func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }
}
