import Glibc

/// Why the storage layer failed: a system call (with its errno, path and operation), damage
/// found in a file, a data directory held by another process, or a log writer that already
/// failed. A struct around a private enum, so reasons can be added.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    private enum Reason: Sendable {
        case system(operation: String, path: String, code: Int32)
        case damaged(path: String, offset: Int?, what: String)
        case directoryInUse(path: String)
        case writerFailedEarlier(cause: String)
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    /// A system call `operation` (`"write"`, `"fdatasync"`, ...) on `path` that left `code`.
    public static func system(_ operation: String, path: String, code: Int32) -> StorageError {
        StorageError(.system(operation: operation, path: path, code: code))
    }

    /// Bytes at `offset` of `path` that are not what the format says, or files that do not fit
    /// together (`what` explains).
    public static func damaged(_ path: String, offset: Int?, _ what: String) -> StorageError {
        StorageError(.damaged(path: path, offset: offset, what: what))
    }

    /// The data directory at `path` is locked by another process.
    public static func directoryInUse(_ path: String) -> StorageError {
        StorageError(.directoryInUse(path: path))
    }

    /// A log writer that failed before and refuses further use (fail-stop).
    static func writerFailedEarlier(_ cause: StorageError) -> StorageError {
        StorageError(.writerFailedEarlier(cause: cause.description))
    }

    /// The errno of a failed system call, nil for the other reasons.
    public var errno: Int32? {
        if case .system(_, _, let code) = reason { return code }
        return nil
    }

    /// The system call that failed (`"write"`, `"fdatasync"`, `"rename"`, ...), nil otherwise.
    public var operation: String? {
        if case .system(let operation, _, _) = reason { return operation }
        return nil
    }

    /// The file or directory concerned, when there is one.
    public var path: String? {
        switch reason {
        case .system(_, let path, _), .damaged(let path, _, _), .directoryInUse(let path): return path
        case .writerFailedEarlier: return nil
        }
    }

    /// Whether the device is full (ENOSPC, or EDQUOT for a quota).
    public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    /// Whether a file's contents were found damaged (rather than a call failing).
    public var isDamage: Bool {
        if case .damaged = reason { return true }
        return false
    }

    /// For damage, where it is in the file (nil when it concerns files together, such as a
    /// missing segment) and what is wrong, without the path; nil for the other reasons.
    public var damage: (offset: Int?, what: String)? {
        if case .damaged(_, let offset, let what) = reason { return (offset, what) }
        return nil
    }

    /// Whether the data directory is held by another process.
    public var isDirectoryInUse: Bool {
        if case .directoryInUse = reason { return true }
        return false
    }

    /// Whether this is a log writer refusing use after an earlier failure.
    public var isWriterFailedEarlier: Bool {
        if case .writerFailedEarlier = reason { return true }
        return false
    }

    /// One line: what failed, where, and why, e.g. `write ./partyhub-data/wal-….log: no space
    /// left on device (ENOSPC)`.
    public var description: String {
        switch reason {
        case .system(let operation, let path, let code):
            return "\(operation) \(path): \(Self.explain(code))"
        case .damaged(let path, let offset?, let what):
            return "\(path) is damaged at offset \(offset): \(what)"
        case .damaged(let path, nil, let what):
            return "\(path): \(what)"
        case .directoryInUse(let path):
            return "data directory \(path) is in use by another partyhub process"
        case .writerFailedEarlier(let cause):
            return "the log writer failed earlier and accepts no more writes (\(cause))"
        }
    }

    /// The errno's message in lower case and its symbolic name, for the common ones.
    private static func explain(_ code: Int32) -> String {
        let name: String?
        switch code {
        case ENOSPC: name = "ENOSPC"
        case EDQUOT: name = "EDQUOT"
        case EIO: name = "EIO"
        case EROFS: name = "EROFS"
        case EACCES: name = "EACCES"
        case EPERM: name = "EPERM"
        case ENOENT: name = "ENOENT"
        case EEXIST: name = "EEXIST"
        case EWOULDBLOCK: name = "EWOULDBLOCK"
        case EINTR: name = "EINTR"
        case EBADF: name = "EBADF"
        case ENOTDIR: name = "ENOTDIR"
        case EISDIR: name = "EISDIR"
        case EMFILE: name = "EMFILE"
        case EFBIG: name = "EFBIG"
        default: name = nil
        }
        var message = String(cString: strerror(code))
        if let first = message.first { message = first.lowercased() + message.dropFirst() }
        return name.map { "\(message) (\($0))" } ?? "\(message) (errno \(code))"
    }
}
