/// The newest events of the stream, framed, in a ring of fixed capacity: readers near the head
/// (live subscribers, consumers a little behind) are served from memory without touching the
/// files. Appends go in offset order; the oldest falls out when the ring is full.
struct EventTail {
    private var frames: [OutboundBytes] = []
    /// Where the oldest held frame is in `frames` once the ring is full.
    private var start = 0
    private let capacity: Int
    /// The offset of the oldest event held (the next offset to come while nothing is held).
    private(set) var firstOffset: UInt64

    /// An empty tail for a stream whose next event gets `nextOffset`.
    init(capacity: Int, nextOffset: UInt64) {
        precondition(capacity >= 0, "a tail holds no events or some")
        self.capacity = capacity
        self.firstOffset = nextOffset
        frames.reserveCapacity(min(capacity, 4096))
    }

    /// How many events are held.
    var count: Int { frames.count }

    /// The offset the next appended event must have.
    var nextOffset: UInt64 { firstOffset + UInt64(frames.count) }

    /// Adds the next event; the oldest is dropped when the ring is full.
    mutating func append(_ frame: OutboundBytes, offset: UInt64) {
        precondition(offset == nextOffset, "the tail takes offset \(nextOffset), not \(offset)")
        guard capacity > 0 else {
            firstOffset += 1
            return
        }
        if frames.count < capacity {
            frames.append(frame)
        } else {
            frames[start] = frame
            start = (start + 1) % capacity
            firstOffset += 1
        }
    }

    /// The frame of the event at `offset`, if held.
    func frame(at offset: UInt64) -> OutboundBytes? {
        guard offset >= firstOffset, offset < nextOffset else { return nil }
        let position = Int(offset - firstOffset)
        return frames[(start + position) % max(capacity, 1)]
    }
}
