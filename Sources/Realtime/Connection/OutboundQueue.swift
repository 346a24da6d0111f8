import Glibc

/// A connection's unsent output: references to shared frames and how much of the first has
/// gone. Frames are appended during a loop turn (corked) and written with one writev at its end.
struct OutboundQueue {
    private var chunks: [OutboundBytes] = []
    private var head = 0
    private var headOffset = 0
    /// Bytes queued and not yet written.
    private(set) var pendingBytes = 0

    var isEmpty: Bool { pendingBytes == 0 }

    mutating func append(_ bytes: OutboundBytes) {
        if bytes.count == 0 { return }
        chunks.append(bytes)
        pendingBytes += bytes.count
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

    /// Forgets everything queued (the connection is gone).
    mutating func removeAll() {
        chunks = []
        head = 0
        headOffset = 0
        pendingBytes = 0
    }
}
