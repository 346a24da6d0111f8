import Glibc

/// How a connection's bytes cross the socket. Plain TCP today; TLS (OpenSSL's SSL_read and
/// SSL_write over the same non-blocking fd, with its handshake as a state here) slots in as
/// another case, without the connection or the framing code changing.
enum Transport {
    case plain

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
        }
    }
}
