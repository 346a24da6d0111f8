import CPartyHubSystem
import Glibc

/// `StorageFileSystem` on the kernel, through Glibc (no Foundation). Holds no state, so one
/// instance may serve several threads. EINTR is retried for opening, reading and writing
/// (nothing was done); a short write is continued; every other failure is thrown, and a failed
/// `fdatasync` or `fsync` is never retried.
public final class PosixFileSystem: StorageFileSystem, @unchecked Sendable {
    public init() {}

    public func createDirectory(_ path: String) throws(StorageError) -> Bool {
        var prefix = path.hasPrefix("/") ? "/" : ""
        var created = false
        for component in path.split(separator: "/") {
            prefix += component
            created = mkdir(prefix, 0o755) == 0
            if !created && errno != EEXIST { throw .system("mkdir", path: prefix, code: errno) }
            prefix += "/"
        }
        return created
    }

    public func listDirectory(_ path: String) throws(StorageError) -> [String] {
        guard let directory = opendir(path) else { throw .system("opendir", path: path, code: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw .system("readdir", path: path, code: errno) }
                return names
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    public func createFile(_ path: String) throws(StorageError) -> StorageFile {
        try open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL, operation: "create")
    }

    public func openFile(_ path: String, writable: Bool) throws(StorageError) -> StorageFile {
        try open(path, writable ? O_RDWR | O_APPEND : O_RDONLY, operation: "open")
    }

    public func append(_ file: StorageFile, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        var written = 0
        while written < bytes.count {
            let count = Glibc.write(file.descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw .system("write", path: file.path, code: errno) }
            // write(2) returning 0 for a regular file means the device took nothing.
            if count == 0 { throw .system("write", path: file.path, code: EIO) }
            written += count
        }
    }

    public func read(_ file: StorageFile, at offset: Int, into buffer: UnsafeMutableRawBufferPointer)
        throws(StorageError) -> Int
    {
        guard buffer.count > 0 else { return 0 }
        while true {
            let count = pread(file.descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw .system("pread", path: file.path, code: errno) }
            return count
        }
    }

    public func size(_ file: StorageFile) throws(StorageError) -> Int {
        var status = stat()
        guard fstat(file.descriptor, &status) == 0 else { throw .system("fstat", path: file.path, code: errno) }
        return Int(status.st_size)
    }

    public func truncate(_ file: StorageFile, to length: Int) throws(StorageError) {
        guard ftruncate(file.descriptor, off_t(length)) == 0 else {
            throw .system("ftruncate", path: file.path, code: errno)
        }
    }

    public func sync(_ file: StorageFile) throws(StorageError) {
        // Not even EINTR is retried: a failed sync is reported and the caller stops.
        guard fdatasync(file.descriptor) == 0 else { throw .system("fdatasync", path: file.path, code: errno) }
    }

    public func writeBack(_ file: StorageFile, offset: Int, length: Int) throws(StorageError) {
        guard partyhub_write_back(file.descriptor, Int64(offset), Int64(length)) == 0 else {
            throw .system("sync_file_range", path: file.path, code: errno)
        }
    }

    public func preallocate(_ file: StorageFile, length: Int) throws(StorageError) {
        guard partyhub_preallocate(file.descriptor, Int64(length)) != 0 else { return }
        let code = errno
        if code == EOPNOTSUPP || code == ENOSYS { return }
        throw .system("fallocate", path: file.path, code: code)
    }

    public func close(_ file: StorageFile) {
        _ = Glibc.close(file.descriptor)
    }

    public func syncDirectory(_ path: String) throws(StorageError) {
        let directory = try open(path, O_RDONLY | O_DIRECTORY, operation: "open")
        defer { close(directory) }
        guard fsync(directory.descriptor) == 0 else { throw .system("fsync", path: path, code: errno) }
    }

    public func rename(_ from: String, to: String) throws(StorageError) {
        guard Glibc.rename(from, to) == 0 else { throw .system("rename", path: "\(from) -> \(to)", code: errno) }
    }

    public func remove(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 else { throw .system("unlink", path: path, code: errno) }
    }

    public func lock(_ path: String) throws(StorageError) -> StorageFile {
        let file = try open(path, O_RDWR | O_CREAT, operation: "open")
        guard flock(file.descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(file)
            throw .system("flock", path: path, code: code)
        }
        return file
    }

    private func open(_ path: String, _ flags: Int32, operation: String) throws(StorageError) -> StorageFile {
        while true {
            let descriptor = Glibc.open(path, flags | O_CLOEXEC, 0o644)
            if descriptor >= 0 { return StorageFile(descriptor: descriptor, path: path) }
            if errno == EINTR { continue }
            throw .system(operation, path: path, code: errno)
        }
    }
}
