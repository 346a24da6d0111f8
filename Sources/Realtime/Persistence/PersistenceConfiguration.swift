/// When the write-ahead log is made durable, and so when replies may leave.
public enum FsyncPolicy: String, CaseIterable, Sendable {
    /// Every batch of records is `fdatasync`ed before any output it caused is released (group
    /// commit): nothing acknowledged is lost, even by a power cut.
    case always
    /// Records are written before their outputs are released and synced about once a second:
    /// a process crash loses nothing; a power cut loses at most about the last second.
    case everysec
    /// Records are written before their outputs are released and never synced by the server:
    /// a process crash loses nothing; a power cut loses what the kernel had not yet written.
    case none
}

/// How the hub's state is kept on disk, with the documented defaults.
public struct PersistenceConfiguration: Equatable, Sendable {
    /// When the log is synced (default `always`).
    public var fsync = FsyncPolicy.always
    /// A log segment is closed and a new one begun past this size (default 64 MiB).
    public var segmentBytes = 64 << 20
    /// A snapshot is taken after this many records since the last one (default 1,000,000).
    public var snapshotEveryRecords = 1_000_000
    /// Damage in the log other than a torn tail of the newest segment stops the start unless
    /// this is set (`--recover=truncate`): then the log is cut at the damage, and it is reported.
    public var truncateDamage = false
    /// The published event stream's files.
    public var events = EventStreamConfiguration()

    public init() {}
}
