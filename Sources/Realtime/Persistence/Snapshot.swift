/// A snapshot as loaded: the hub state after applying every input through `lsn`, opaque to
/// the storage layer.
public struct Snapshot: Sendable {
    /// The last LSN the state includes; recovery replays the log from `lsn + 1`.
    public let lsn: UInt64
    /// When it was written, Unix ms.
    public let createdAt: Int64
    /// The pinned blob written with it (hub configuration, process epoch).
    public let pinned: [UInt8]
    /// The serialized state.
    public let payload: [UInt8]
    /// The file it was read from.
    public let path: String
}
