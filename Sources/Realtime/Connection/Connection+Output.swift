import Glibc

extension Connection {
    /// How a write of the queued output ended.
    enum WriteOutcome {
        /// Everything queued is written.
        case drained
        /// The socket's buffer is full; the rest waits for EPOLLOUT.
        case blocked
        /// The peer is gone or the socket failed: the connection is to be torn down.
        case failed
    }

    /// Writes what is queued with writev, as much as the socket takes, and says how it ended;
    /// the loop carries out what follows (EPOLLOUT, a pending close, a teardown). Nothing here
    /// calls back into the loop or the hub.
    func writeQueued(_ iovecs: UnsafeMutablePointer<iovec>, capacity: Int) -> (written: Int, outcome: WriteOutcome) {
        var total = 0
        while !output.isEmpty {
            let count = output.fill(iovecs, capacity: capacity)
            switch transport.writev(fd, iovecs, count: count) {
            case .transferred(let written):
                total += written
                output.didWrite(written)
            case .wouldBlock:
                return (total, .blocked)
            case .closed, .failed:
                return (total, .failed)
            }
        }
        // TLS may hold back the record a full socket refused; it is not drained until that is out.
        switch transport.flushUnsent() {
        case .transferred: return (total, .drained)
        case .wouldBlock: return (total, .blocked)
        case .closed, .failed: return (total, .failed)
        }
    }
}
