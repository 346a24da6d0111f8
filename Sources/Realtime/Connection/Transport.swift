import Glibc

/// How a connection's bytes cross the socket: plain TCP, or TLS (OpenSSL's `SSL_read` and
/// `SSL_write` over the same non-blocking fd, with the handshake as the session's state). The
/// connection, the framing and the hub are the same for both.
enum Transport {
    case plain
    case tls(TLSSession)

    /// Result of a read or write attempt.
    enum IOResult {
        case transferred(Int)
        case wouldBlock
        case closed
        case failed(Int32)
    }

    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        switch self {
        case .plain:
            while true {
                let result = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if result > 0 { return .transferred(result) }
                if result == 0 { return .closed }
                let error = errno
                if error == EINTR { continue }
                if error == EAGAIN || error == EWOULDBLOCK { return .wouldBlock }
                return .failed(error)
            }
        case .tls(let session):
            return session.read(into: buffer)
        }
    }

    func writev(_ fd: Int32, _ iovecs: UnsafeMutablePointer<iovec>, count: Int) -> IOResult {
        switch self {
        case .plain:
            while true {
                let result = Glibc.writev(fd, iovecs, Int32(count))
                if result >= 0 { return .transferred(result) }
                let error = errno
                if error == EINTR { continue }
                if error == EAGAIN || error == EWOULDBLOCK { return .wouldBlock }
                return .failed(error)
            }
        case .tls(let session):
            return session.write(iovecs, count: count)
        }
    }

    /// Bytes a write reported as taken but still held by the transport (TLS: a blocked record).
    var hasUnsentOutput: Bool {
        switch self {
        case .plain: return false
        case .tls(let session): return session.hasUnsentOutput
        }
    }

    /// Sends what the transport holds; `.transferred(0)` once nothing is left.
    func flushUnsent() -> IOResult {
        switch self {
        case .plain: return .transferred(0)
        case .tls(let session): return session.flushUnsent()
        }
    }

    /// Input already taken off the socket and not yet read (TLS: records OpenSSL buffered).
    /// A level-triggered loop is not woken for it, so it reads again on its own.
    var hasBufferedInput: Bool {
        switch self {
        case .plain: return false
        case .tls(let session): return session.hasBufferedInput
        }
    }

    /// The last read waits for the socket to become writable (TLS: OpenSSL's WANT_WRITE).
    var readWaitsForWritable: Bool {
        switch self {
        case .plain: return false
        case .tls(let session): return session.readWaitsForWritable
        }
    }

    /// The last write waits for the peer's bytes (TLS: OpenSSL's WANT_READ).
    var writeWaitsForReadable: Bool {
        switch self {
        case .plain: return false
        case .tls(let session): return session.writeWaitsForReadable
        }
    }

    /// The transport's own goodbye before the socket closes or half-closes (TLS: close_notify).
    func sendCloseNotify() {
        if case .tls(let session) = self { session.sendCloseNotify() }
    }

    /// Frees what the transport holds (TLS: the `SSL`); the socket's owner closes the fd.
    func release() {
        if case .tls(let session) = self { session.release() }
    }
}
