/// Where the stream's events are in its files: each segment's path and offset range, and every
/// `checkpointInterval`th record's byte position, so a read from any offset starts at most
/// that many records before it instead of at the segment's start. Built by the start's scan
/// of the files and kept up to date by the stream as it writes (about 16 bytes per 128 events).
struct EventSegmentIndex {
    /// A record whose position is remembered.
    struct Checkpoint: Equatable {
        /// The record's offset.
        let offset: UInt64
        /// Where the record starts in its segment file.
        let position: Int
    }

    /// One `events-<offset>.log` file.
    struct Segment: Equatable {
        /// The file.
        let path: String
        /// The offset of its first record (from its name and header).
        let firstOffset: UInt64
        /// Its last record's offset; `firstOffset - 1` while it holds none.
        var lastOffset: UInt64
        /// The positions of the records at `firstOffset`, then every `checkpointInterval` on.
        var checkpoints: [Checkpoint] = []

        /// Whether it holds no record.
        var isEmpty: Bool { lastOffset < firstOffset }
    }

    /// Records between two checkpoints.
    static let checkpointInterval: UInt64 = 128

    /// The segments, oldest first; offsets run on from one to the next.
    private(set) var segments: [Segment] = []

    /// An index of `segments` (offsets running on from one to the next).
    init(segments: [Segment] = []) {
        self.segments = segments
    }

    /// The last offset any segment holds, nil when none holds a record.
    var lastOffset: UInt64? { segments.last(where: { !$0.isEmpty })?.lastOffset }

    /// Adds a segment after the others: it starts where the last one ends.
    mutating func startSegment(path: String, firstOffset: UInt64) {
        if let last = segments.last {
            precondition(firstOffset == last.lastOffset + 1, "segment at \(firstOffset) does not follow \(last.lastOffset)")
        }
        segments.append(Segment(path: path, firstOffset: firstOffset, lastOffset: firstOffset - 1))
    }

    /// The newest segment got the record `offset` at byte `position`.
    mutating func recorded(offset: UInt64, position: Int) {
        let last = segments.count - 1
        precondition(last >= 0 && offset == segments[last].lastOffset + 1, "records go to the newest segment in order")
        if (offset - segments[last].firstOffset) % Self.checkpointInterval == 0 {
            segments[last].checkpoints.append(Checkpoint(offset: offset, position: position))
        }
        segments[last].lastOffset = offset
    }

    /// Forgets the oldest segment (retention deleted its file).
    mutating func removeOldest() {
        segments.removeFirst()
    }

    /// Forgets every record from `offset` on (the files were cut there): segments starting at
    /// or after it go, the one holding it ends just before it.
    mutating func trim(from offset: UInt64) {
        segments.removeAll { $0.firstOffset >= offset }
        guard let last = segments.indices.last, segments[last].lastOffset >= offset else { return }
        segments[last].lastOffset = offset - 1
        segments[last].checkpoints.removeAll { $0.offset >= offset }
    }

    /// Forgets the segments that hold no record and returns their paths.
    mutating func removeEmptySegments() -> [String] {
        let empty = segments.filter(\.isEmpty).map(\.path)
        segments.removeAll(where: \.isEmpty)
        return empty
    }

    /// The segment holding `offset` and the last checkpoint at or before it: where a read of
    /// `offset` begins. Nil when no segment holds it.
    func location(of offset: UInt64) -> (segment: Int, checkpoint: Checkpoint)? {
        // Binary search: the last segment whose first offset is at most `offset`.
        var low = 0
        var high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].firstOffset <= offset { low = middle + 1 } else { high = middle }
        }
        let index = low - 1
        guard index >= 0, offset <= segments[index].lastOffset else { return nil }
        let checkpoints = segments[index].checkpoints
        let slot = Int((offset - segments[index].firstOffset) / Self.checkpointInterval)
        guard slot < checkpoints.count else { return nil }
        return (index, checkpoints[slot])
    }
}
