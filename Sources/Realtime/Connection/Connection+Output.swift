import Glibc

extension Connection {
    /// Writes what is queued with writev, as much as the socket takes. Leftovers arm EPOLLOUT;
    /// an emptied queue disarms it and carries out a pending close or half-close.
    func flush(_ loop: EventLoop) {
        while !output.isEmpty {
            let count = output.fill(loop.iovecs, capacity: EventLoop.iovecCapacity)
            switch transport.writev(fd, loop.iovecs, count: count) {
            case .transferred(let written):
                loop.metrics.add(.bytesOut, Int64(written))
                output.didWrite(written)
            case .wouldBlock:
                if !isWritableArmed {
                    isWritableArmed = true
                    loop.updateInterest(self)
                }
                return
            case .closed, .failed:
                loop.teardown(self)
                return
            }
        }
        if isWritableArmed {
            isWritableArmed = false
            loop.updateInterest(self)
        }
        if closeWhenFlushed {
            loop.teardown(self)
        } else if shutdownWriteWhenFlushed {
            shutdownWriteWhenFlushed = false
            shutdown(fd, Int32(SHUT_WR))
        }
    }
}
