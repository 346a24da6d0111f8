/// How the published event stream is kept (docs/PERSISTENCE.md, "Event segments"), with the
/// documented defaults.
public struct EventStreamConfiguration: Equatable, Sendable {
    /// Events kept in the data directory (`--event-retention`, default 1,000,000). Whole old
    /// segments are deleted once the segments after them hold this many events, so between
    /// `retention` and `retention` plus one segment's worth are kept.
    public var retention = 1_000_000
    /// An event segment is closed and a new one begun past this size (default 16 MiB): the
    /// step in which retention deletes.
    public var segmentBytes = 16 << 20
    /// The newest events also held in memory, already framed, for readers near the head of
    /// the stream (default 65,536; older reads go to the files).
    public var memoryTail = 65_536

    public init() {}
}
