import COpenSSL
import Glibc

/// One connection's TLS, over its non-blocking socket: OpenSSL's `SSL` in the server role.
///
/// Nothing here blocks or waits. The handshake is driven by reads (the client speaks first) and
/// each call that cannot go on says what it waits for: `readWaitsForWritable` when OpenSSL has
/// to send before it can read on (a handshake flight, a session ticket, on a full socket), so
/// the loop arms EPOLLOUT and reads again when the socket drains; a write that needs the peer's
/// bytes is retried after the next read.
///
/// Reads fill the caller's buffer with as many records as OpenSSL can decrypt. Because the loop
/// is level-triggered and reads once per wake, bytes OpenSSL already took off the socket would
/// never wake it again: `hasBufferedInput` tells the loop to read once more on its next turn.
///
/// Writes take the queued bytes as the kernel would: what `write` reports as transferred is
/// either on the socket or in the one record OpenSSL holds back (`hasUnsentOutput`), which is
/// sent before anything else. OpenSSL requires a blocked `SSL_write` to be called again with
/// the same bytes, so that record is copied here, out of the connection's queue, whose frames
/// may be dropped meanwhile (a slow consumer) without the retry seeing different bytes.
final class TLSSession {
    /// The most plaintext one TLS record carries (RFC 8446 §5.1): bytes are handed to
    /// `SSL_write` a record at a time, so small frames queued in one turn share a record.
    static let maxRecordPlaintext = 16_384

    private var ssl: OpaquePointer?
    private let metrics: LoopMetrics
    /// The loop's scratch for gathering a record (at least `maxRecordPlaintext` bytes).
    private let recordScratch: UnsafeMutableRawBufferPointer
    /// The handshake finished; application data flows.
    private(set) var isHandshakeComplete = false
    /// The last read could not go on until the socket takes more bytes (OpenSSL's WANT_WRITE).
    private(set) var readWaitsForWritable = false
    /// The last write could not go on until the peer sends (OpenSSL's WANT_READ).
    private(set) var writeWaitsForReadable = false
    /// OpenSSL's reason for the failure that ended the session, for the log.
    private(set) var failureReason: String?
    /// The last read stopped because the caller's buffer was full, not because the socket was
    /// empty: OpenSSL may hold more.
    private var stoppedForRoom = false
    /// A read that returned bytes also met the end of the stream; the next read reports it.
    private var deferredEnd: Transport.IOResult?
    /// The record `SSL_write` could not finish: it must be offered again, byte for byte.
    private var blockedRecord: UnsafeMutableRawBufferPointer?
    /// OpenSSL forbids `SSL_shutdown` after a fatal error (SSL_ERROR_SSL or SSL_ERROR_SYSCALL).
    private var isBroken = false

    /// A session for an accepted socket; nil when OpenSSL cannot make one (out of memory).
    init?(context: TLSContext, fd: Int32, metrics: LoopMetrics, recordScratch: UnsafeMutableRawBufferPointer) {
        precondition(recordScratch.count >= Self.maxRecordPlaintext, "the record scratch holds a whole record")
        guard let ssl = context.makeSession(fd: fd) else { return nil }
        self.ssl = ssl
        self.metrics = metrics
        self.recordScratch = recordScratch
    }

    deinit { release() }

    /// OpenSSL holds bytes it has read off the socket that no read has returned yet (or the
    /// stream's end): the loop must read again without waiting for the socket.
    var hasBufferedInput: Bool {
        guard let ssl else { return false }
        return deferredEnd != nil || (stoppedForRoom && SSL_has_pending(ssl) == 1)
    }

    /// The client has sent something of a handshake (a socket that stays silent is a probe).
    var handshakeBegan: Bool {
        guard let ssl, let socket = SSL_get_rbio(ssl) else { return false }
        return isHandshakeComplete || BIO_number_read(socket) > 0
    }

    /// A record reported as written waits for the socket.
    var hasUnsentOutput: Bool { blockedRecord != nil }

    /// Whether the handshake resumed an earlier session (a ticket or a cached session id).
    var resumedSession: Bool {
        guard let ssl else { return false }
        return partyhub_ssl_session_reused(ssl) == 1
    }

    // MARK: Reading

    /// Drives the handshake until it completes, then reads as many decrypted bytes as fit.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Transport.IOResult {
        guard let ssl else { return .failed(EBADF) }
        if let end = deferredEnd { return end }
        stoppedForRoom = false
        readWaitsForWritable = false
        if !isHandshakeComplete {
            ERR_clear_error()
            let result = SSL_do_handshake(ssl)
            guard result == 1 else {
                let outcome = interpret(result, of: ssl, reading: true)
                switch outcome {
                case .wouldBlock: break
                // A socket closed before its first byte is a probe, not a failed handshake.
                case .closed where !handshakeBegan: break
                default: metrics.add(.tlsHandshakeFailures)
                }
                return outcome
            }
            isHandshakeComplete = true
            metrics.add(.tlsHandshakes)
            if resumedSession { metrics.add(.tlsResumedHandshakes) }
        }
        guard let base = buffer.baseAddress else { return .wouldBlock }
        var filled = 0
        while filled < buffer.count {
            ERR_clear_error()
            let result = SSL_read(ssl, base + filled, Int32(clamping: buffer.count - filled))
            if result > 0 {
                filled += Int(result)
                continue
            }
            let outcome = interpret(result, of: ssl, reading: true)
            if case .wouldBlock = outcome { break }
            // Hand over what was read first; the end waits for the next read.
            if filled == 0 { return outcome }
            deferredEnd = outcome
            break
        }
        if filled == buffer.count { stoppedForRoom = true }
        return filled > 0 ? .transferred(filled) : .wouldBlock
    }

    // MARK: Writing

    /// Takes up to all the bytes of `iovecs`, a record at a time: each record is written, or
    /// kept here when the socket is full (then it counts as taken, and the rest waits).
    func write(_ iovecs: UnsafeMutablePointer<iovec>, count: Int) -> Transport.IOResult {
        guard let ssl else { return .failed(EBADF) }
        if blockedRecord != nil {
            let retried = writeBlockedRecord(ssl)
            guard case .transferred = retried else { return retried }
        }
        guard let scratch = recordScratch.baseAddress else { return .wouldBlock }
        let capacity = Self.maxRecordPlaintext
        var taken = 0
        var carried = 0
        var index = 0
        var offset = 0
        while true {
            // Gather the next record's plaintext after what the last write left.
            var length = carried
            while length < capacity && index < count {
                let vector = iovecs[index]
                let available = vector.iov_len - offset
                let copied = min(available, capacity - length)
                if copied > 0, let source = vector.iov_base {
                    (scratch + length).copyMemory(from: source + offset, byteCount: copied)
                }
                length += copied
                taken += copied
                offset += copied
                if offset == vector.iov_len {
                    index += 1
                    offset = 0
                }
            }
            if length == 0 { break }
            ERR_clear_error()
            let result = SSL_write(ssl, scratch, Int32(length))
            if result > 0 {
                carried = length - Int(result)
                if carried > 0 { scratch.copyMemory(from: scratch + Int(result), byteCount: carried) }
                continue
            }
            let outcome = interpret(result, of: ssl, reading: false)
            guard case .wouldBlock = outcome else { return outcome }
            // OpenSSL may have encrypted the record already: it must get these bytes again.
            let kept = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
            kept.copyMemory(from: UnsafeRawBufferPointer(start: scratch, count: length))
            blockedRecord = kept
            break
        }
        return taken > 0 ? .transferred(taken) : .wouldBlock
    }

    /// Sends the record a blocked write left: `.transferred(0)` once it is out.
    func flushUnsent() -> Transport.IOResult {
        guard let ssl else { return .failed(EBADF) }
        return blockedRecord == nil ? .transferred(0) : writeBlockedRecord(ssl)
    }

    private func writeBlockedRecord(_ ssl: OpaquePointer) -> Transport.IOResult {
        while let record = blockedRecord {
            ERR_clear_error()
            let result = SSL_write(ssl, record.baseAddress, Int32(record.count))
            guard result > 0 else { return interpret(result, of: ssl, reading: false) }
            let written = Int(result)
            if written == record.count {
                record.deallocate()
                blockedRecord = nil
            } else {
                // Partial writes end on a record boundary; the rest was never handed over.
                let rest = UnsafeMutableRawBufferPointer.allocate(byteCount: record.count - written, alignment: 1)
                rest.copyMemory(from: UnsafeRawBufferPointer(rebasing: record[written...]))
                record.deallocate()
                blockedRecord = rest
            }
        }
        return .transferred(0)
    }

    // MARK: Ending

    /// Sends close_notify (RFC 8446 §6.1) when the session is healthy, without waiting for the
    /// peer's: the socket closes or half-closes right after.
    func sendCloseNotify() {
        guard let ssl, isHandshakeComplete, !isBroken, blockedRecord == nil else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// Frees the `SSL` and any held record (at teardown; the socket is closed by its owner).
    func release() {
        if let record = blockedRecord {
            record.deallocate()
            blockedRecord = nil
        }
        if let ssl {
            SSL_free(ssl)
            self.ssl = nil
        }
    }

    // MARK: Errors

    /// Maps a failed call's `SSL_get_error` onto the transport's results, noting what the call
    /// waits for. Leaves this thread's OpenSSL error queue empty.
    private func interpret(_ result: Int32, of ssl: OpaquePointer, reading: Bool) -> Transport.IOResult {
        let systemError = errno
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ:
            if !reading { writeWaitsForReadable = true }
            return .wouldBlock
        case SSL_ERROR_WANT_WRITE:
            if reading { readWaitsForWritable = true }
            return .wouldBlock
        case SSL_ERROR_ZERO_RETURN:
            // close_notify, or (SSL_OP_IGNORE_UNEXPECTED_EOF) the TCP stream's end.
            return .closed
        case SSL_ERROR_SYSCALL:
            isBroken = true
            ERR_clear_error()
            if systemError == 0 { return .closed }
            failureReason = String(cString: strerror(systemError))
            return .failed(systemError)
        default:
            isBroken = true
            failureReason = TLSContext.takeErrorText()
            return .failed(EPROTO)
        }
    }
}
