import Glibc
import Protocol

extension Connection {
    /// The socket is readable: one read (the loop is level-triggered, so more data wakes it
    /// again), then every complete request or frame in the bytes is handled. Input a TLS
    /// session already took off the socket does not wake the loop: the loop is told to read
    /// again on its next turn.
    func handleReadable(_ loop: EventLoop) {
        readOnce(loop)
        if case .tls = transport, phase != .closed { loop.transportMayWait(self) }
    }

    private func readOnce(_ loop: EventLoop) {
        if input.isEmpty {
            // The common case: read into the loop's scratch buffer and keep only a partial tail.
            let scratch = loop.readScratch
            switch transport.read(fd, into: scratch) {
            case .transferred(let count):
                receivedBytes(count, loop)
                let bytes = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<count])
                let consumed = process(bytes, loop)
                if consumed < count && phase != .closed {
                    input.append(UnsafeRawBufferPointer(rebasing: scratch[consumed..<count]))
                }
            case .wouldBlock: return
            case .closed: peerClosed(loop)
            case .failed: readFailed(loop)
            }
        } else {
            let room = input.reserveFree(loop.readScratch.count)
            switch transport.read(fd, into: room) {
            case .transferred(let count):
                receivedBytes(count, loop)
                input.didAppend(count)
                let consumed = process(input.unread, loop)
                if phase != .closed { input.consume(consumed) }
            case .wouldBlock: return
            case .closed: peerClosed(loop)
            case .failed: readFailed(loop)
            }
        }
    }

    /// Handles what arrived while an answer was awaited (pipelined requests).
    func processBufferedInput(_ loop: EventLoop) {
        guard !input.isEmpty else { return }
        let consumed = process(input.unread, loop)
        if phase != .closed { input.consume(consumed) }
    }

    private func receivedBytes(_ count: Int, _ loop: EventLoop) {
        lastReceivedAt = loop.nowMs
        loop.metrics.add(.bytesIn, Int64(count))
    }

    private func readFailed(_ loop: EventLoop) {
        if case .tls(let session) = transport, let reason = session.failureReason {
            loop.context.logger.debug(
                session.isHandshakeComplete ? "TLS connection failed" : "TLS handshake failed", ["reason": reason])
        }
        loop.teardown(self)
    }

    private func peerClosed(_ loop: EventLoop) {
        if phase == .http && !servedRequest && input.count > 0 { loop.metrics.handshakeFailed(.badRequest) }
        loop.teardown(self)
    }

    /// Handles what `bytes` hold; returns how many were used (the rest is an incomplete tail).
    private func process(_ bytes: UnsafeMutableRawBufferPointer, _ loop: EventLoop) -> Int {
        var offset = 0
        while true {
            switch phase {
            case .http:
                guard offset < bytes.count else { return offset }
                let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
                switch httpParser.parse(rest) {
                case .needMoreData:
                    return offset
                case .request(let request, let consumed):
                    offset += consumed
                    handleRequest(request, loop)
                case .failure(let status, let reason):
                    loop.metrics.handshakeFailed(HandshakeFailure(status: status))
                    // Only the JSON APIs take bodies, so a body too large is refused their way.
                    let response: HTTPResponse =
                        status == .payloadTooLarge
                        ? .jsonError(status, code: OrganizationErrorCode.payloadTooLarge.rawValue, reason)
                        : .text(status, reason + "\n")
                    respondAndClose(response, loop)
                    return bytes.count
                }
            case .open, .closeSent:
                guard offset < bytes.count else { return offset }
                // Held back for the hub: the rest waits in `input` until the hub catches up.
                if hubBacklog.isPaused && phase == .open { return offset }
                let rest = UnsafeMutableRawBufferPointer(rebasing: bytes[offset...])
                let (event, consumed) = reader.read(rest)
                if case .needMoreData = event { return offset }
                loop.metrics.add(.framesIn)
                if !handleFrameEvent(event, in: rest, loop) { return bytes.count }
                offset += consumed
            case .awaitingAnswer:
                return offset  // pipelined requests wait in `input` for the answer
            case .draining, .finishing, .closed:
                return bytes.count
            }
        }
    }

    /// Handles one reader event; returns false when nothing more is to be read.
    private func handleFrameEvent(_ event: WebSocketMessageReader.Event, in bytes: UnsafeMutableRawBufferPointer, _ loop: EventLoop) -> Bool {
        switch event {
        case .needMoreData, .fragmentAssembled:
            return true
        case .message(let opcode, let location):
            guard phase == .open else { return true }  // §7.1.4: after our close, data is discarded
            switch location {
            case .input(let range):
                receivedMessage(opcode, UnsafeRawBufferPointer(rebasing: bytes[range]), loop)
            case .assembled:
                reader.assembledMessage.withUnsafeBytes { receivedMessage(opcode, $0, loop) }
            }
            return phase == .open
        case .ping(let range):
            // §5.5.2: answer with a pong carrying the same payload, unless we are closing.
            if phase == .open { sendControl(.pong, payload: UnsafeRawBufferPointer(rebasing: bytes[range]), loop) }
            return true
        case .pong:
            return true
        case .close(let code, let reason):
            receivedClose(code: code, reason: UnsafeRawBufferPointer(rebasing: bytes[reason]), loop)
            return false
        case .violation(let code, let reason):
            failConnection(code, reason: reason, loop)
            return false
        }
    }

    private func receivedMessage(_ opcode: WebSocketOpcode, _ payload: UnsafeRawBufferPointer, _ loop: EventLoop) {
        if !isEcho && !tookInboundMessage(loop) { return }
        switch endpoint {
        case .echo:
            let writer = loop.writer
            writer.reset(reserving: WebSocketFrameEncoder.maxServerHeaderLength)
            writer.append(payload)
            loop.send(OutboundBytes.copy(WebSocketFrameEncoder.finishFrame(in: writer, opcode: opcode)), to: self)
        case .party:
            if opcode != .text {
                beginClose(.unsupportedData, reason: "only text messages are accepted", loop)
                return
            }
            loop.receivedPartyMessage(payload, from: self)
        case .eventStream:
            return  // the stream only sends; a consumer's messages are read and ignored
        case nil:
            return
        }
    }
}

extension Connection {
    /// The echo endpoint exists for conformance suites, which send as fast as they can; it has
    /// no session to protect, so `--inbound-message-rate` leaves it alone.
    private var isEcho: Bool {
        if case .echo? = endpoint { return true }
        return false
    }

    /// Takes one message from the connection's `--inbound-message-rate` bucket. Past it the
    /// message is dropped: the first time with a warning (a party session gets `rate_limited`
    /// with `retry_after_ms`, through the hub so it follows earlier replies), the next time with
    /// a close (1008). A client that slows down until its bucket is full again is forgiven.
    func tookInboundMessage(_ loop: EventLoop) -> Bool {
        if warnedForInboundRate && inboundMessages.isFull(now: loop.nowMs) { warnedForInboundRate = false }
        guard let wait = inboundMessages.take(now: loop.nowMs) else { return true }
        if warnedForInboundRate {
            loop.metrics.add(.inboundRateCloses)
            beginClose(.policyViolation, reason: "too many messages", loop)
            return false
        }
        warnedForInboundRate = true
        loop.metrics.add(.inboundRateWarnings)
        if player != nil {
            let warning = PartyError(
                .rateLimited, "too many messages on this connection; slow down or be disconnected",
                detail: .retryAfter(milliseconds: wait))
            loop.refuse(self, rid: nil, warning)
        }
        return false
    }
}
