import Glibc

/// A connection's unsent output: references to shared frames and how much of the first has
/// gone. Frames are appended during a loop turn (corked) and written with one writev at its end.
///
/// The queue is sealed by its last frame (a close frame, or a response after which the socket
/// closes): nothing is queued after it, whoever asks. RFC 6455 §5.5.1: "The application MUST NOT
/// send any more data frames after sending a Close frame", and a browser fails a connection
/// that does (1006). Making it a property of the queue, not a check at each call site, covers
/// every path: hub events, deliveries from other loops, pongs, echoes.
struct OutboundQueue {
    private var chunks: [OutboundBytes] = []
    private var head = 0
    private var headOffset = 0
    /// Bytes queued and not yet written.
    private(set) var pendingBytes = 0
    /// The last frame is queued: later appends are refused.
    private(set) var isSealed = false

    var isEmpty: Bool { pendingBytes == 0 }

    /// Queues `bytes`; returns false (and queues nothing) once the queue is sealed.
    @discardableResult
    mutating func append(_ bytes: OutboundBytes) -> Bool {
        if isSealed { return false }
        if bytes.count == 0 { return true }
        chunks.append(bytes)
        pendingBytes += bytes.count
        return true
    }

    /// Queues the connection's last frame and seals the queue; returns false when it was
    /// already sealed (a close frame is never sent twice).
    @discardableResult
    mutating func appendFinal(_ bytes: OutboundBytes) -> Bool {
        guard append(bytes) else { return false }
        isSealed = true
        return true
    }

    /// Fills up to `capacity` iovecs with the unsent bytes, in order; returns how many.
    func fill(_ iovecs: UnsafeMutablePointer<iovec>, capacity: Int) -> Int {
        var filled = 0
        var index = head
        while index < chunks.count && filled < capacity {
            let chunk = chunks[index]
            let offset = index == head ? headOffset : 0
            iovecs[filled] = iovec(iov_base: UnsafeMutableRawPointer(chunk.base + offset), iov_len: chunk.count - offset)
            filled += 1
            index += 1
        }
        return filled
    }

    /// Drops `written` bytes from the front.
    mutating func didWrite(_ written: Int) {
        var remaining = written
        pendingBytes -= written
        while remaining > 0 && head < chunks.count {
            let available = chunks[head].count - headOffset
            if remaining >= available {
                remaining -= available
                head += 1
                headOffset = 0
            } else {
                headOffset += remaining
                remaining = 0
            }
        }
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: chunks.count <= 64)
            head = 0
        } else if head > 64 && head * 2 > chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }

    /// Forgets every frame not yet begun, but keeps the unsent rest of one partly written:
    /// bytes queued after it then start on a frame boundary, not inside its payload.
    mutating func removeAllButPartlyWrittenHead() {
        guard headOffset > 0, head < chunks.count else {
            removeAll()
            return
        }
        let partial = chunks[head]
        chunks = [partial]
        head = 0
        pendingBytes = partial.count - headOffset
    }

    /// Forgets everything queued and seals the queue (the connection is gone).
    mutating func removeAll() {
        chunks = []
        head = 0
        headOffset = 0
        pendingBytes = 0
        isSealed = true
    }
}
