import Glibc

/// Where log lines go: a bounded buffer that a writer thread drains to a file descriptor, so
/// a thread that logs (an event loop) never waits on the descriptor. When the descriptor is
/// slow (a terminal, a full pipe to a log shipper) and the buffer is full, a new line is
/// dropped and counted (`partyhub_log_lines_dropped_total`) rather than stalling the caller.
final class LogSink: @unchecked Sendable {
    /// Standard error, with a 1 MiB buffer: every `Logger` writes here unless told otherwise.
    static let standardError = LogSink(fileDescriptor: 2, capacityBytes: 1 << 20)

    private let fileDescriptor: Int32
    /// The most bytes waiting to be written; a line that does not fit is dropped.
    let capacityBytes: Int
    private let lock = ConditionLock()
    private let writer = WorkerThread()
    // Guarded by `lock`.
    private var pending: [UInt8] = []
    private var isWriting = false
    private var writerStarted = false
    private var isClosing = false
    private var dropped: Int64 = 0

    init(fileDescriptor: Int32, capacityBytes: Int) {
        self.fileDescriptor = fileDescriptor
        self.capacityBytes = capacityBytes
    }

    /// Lines dropped because the buffer was full.
    var droppedLines: Int64 { lock.withLock { dropped } }

    /// Queues one line (its bytes, newline included); never waits on the descriptor.
    func enqueue(_ line: String) {
        var writeDirectly = false
        lock.withLock {
            if !writerStarted && !isClosing {
                writerStarted = true
                do {
                    try writer.start(name: "log-writer") { [self] in drain() }
                } catch {
                    // No thread to hand lines to: write this one as before, on the caller.
                    writerStarted = false
                    writeDirectly = true
                    return
                }
            }
            let count = line.utf8.count
            guard pending.count + count <= capacityBytes else {
                dropped += 1
                return
            }
            let wasEmpty = pending.isEmpty
            pending.append(contentsOf: line.utf8)
            if wasEmpty { lock.broadcast() }
        }
        if writeDirectly { Self.writeAll(Array(line.utf8), to: fileDescriptor) }
    }

    /// Waits, for at most `milliseconds`, until every queued line has been written (at exit,
    /// so the last lines are not lost).
    func flush(milliseconds: Int64 = 2_000) {
        var waitedMilliseconds: Int64 = 0
        lock.withLock {
            while writerStarted && (!pending.isEmpty || isWriting) && waitedMilliseconds < milliseconds {
                lock.wait(milliseconds: 50)
                waitedMilliseconds += 50
            }
        }
    }

    /// Writes what is queued, then stops the writer thread (a test's own sink).
    func close() {
        lock.withLock {
            isClosing = true
            lock.broadcast()
        }
        writer.join()
    }

    /// The writer thread: takes the whole buffer at once and writes it outside the lock.
    private func drain() {
        while true {
            let batch: [UInt8] = lock.withLock {
                while pending.isEmpty && !isClosing { lock.wait() }
                let taken = pending
                pending = []
                isWriting = !taken.isEmpty
                return taken
            }
            if batch.isEmpty { return }  // closing, and nothing left
            Self.writeAll(batch, to: fileDescriptor)
            lock.withLock {
                isWriting = false
                lock.broadcast()
            }
        }
    }

    /// Writes every byte, going on after short writes and interruptions; gives up on an error
    /// (a closed standard error must not take the server down).
    private static func writeAll(_ bytes: [UInt8], to fileDescriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
