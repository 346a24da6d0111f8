import Glibc
import Protocol

extension Connection {
    /// Queues a control frame (ping, pong, close).
    func sendControl(_ opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, _ loop: EventLoop) {
        loop.send(OutboundBytes.copy(WebSocketFrameEncoder.frame(opcode: opcode, payload: payload)), to: self)
    }

    /// The server starts the close handshake (shutdown, idle, unsupported data): send a close
    /// frame and wait for the client's, discarding data meanwhile (RFC 6455 §7.1.2).
    func beginClose(_ code: WebSocketCloseCode, reason: String, _ loop: EventLoop) {
        guard phase == .open else { return }
        sendCloseFrame(code, reason: reason, loop)
        enterPhase(.closeSent, now: loop.nowMs)
        loop.scheduleCheck(self, at: phaseStartedAt + loop.closeTimeoutMs)
    }

    /// The client broke the protocol: send the close frame with the reason's code, then stop
    /// reading frames (§7.1.7). The sending side is shut once the frame is out, and the socket
    /// closes when the client closes its side, so unread input does not turn into a reset
    /// that could destroy the close frame in flight.
    func failConnection(_ code: WebSocketCloseCode, reason: String, _ loop: EventLoop) {
        if phase == .open { sendCloseFrame(code, reason: reason, loop) }
        closeCode = code
        enterPhase(.draining, now: loop.nowMs)
        shutdownWriteWhenFlushed = true
        loop.markDirty(self)
        loop.scheduleCheck(self, at: phaseStartedAt + loop.closeTimeoutMs)
    }

    /// The client's close frame: echo it when we did not start the close (§5.5.1), then close
    /// the socket once the echo is written (the server closes TCP first, §7.1.1).
    func receivedClose(code: WebSocketCloseCode?, reason: UnsafeRawBufferPointer, _ loop: EventLoop) {
        if phase == .open {
            sendCloseFrame(code ?? .normalClosure, reason: "", loop)
            closeCode = code ?? .normalClosure
        } else if closeCode == .abnormalClosure {
            closeCode = code ?? .normalClosure
        }
        enterPhase(.finishing, now: loop.nowMs)
        closeWhenFlushed = true
        loop.markDirty(self)
        loop.scheduleCheck(self, at: phaseStartedAt + loop.closeTimeoutMs)
    }

    private func sendCloseFrame(_ code: WebSocketCloseCode, reason: String, _ loop: EventLoop) {
        if closeCode == .abnormalClosure { closeCode = code }
        loop.sendFinal(.closeFrame(code, reason: reason), to: self)
    }

    /// The server's timers for this connection; returns when to check next (monotonic ms), or
    /// nil when the connection is gone.
    func checkTimers(_ loop: EventLoop) -> Int64? {
        let now = loop.nowMs
        switch phase {
        case .http:
            let deadline = phaseStartedAt + loop.handshakeTimeoutMs
            if now < deadline { return deadline }
            if !servedRequest || input.count > 0 { loop.metrics.handshakeFailed(.timeout) }
            if case .tls(let session) = transport, !session.isHandshakeComplete && session.handshakeBegan {
                loop.metrics.add(.tlsHandshakeFailures)
            }
            loop.teardown(self)
            return nil
        case .open:
            let idleDeadline = lastReceivedAt + loop.idleTimeoutMs
            if now >= idleDeadline {
                beginClose(.goingAway, reason: "idle timeout", loop)
                return phaseStartedAt + loop.closeTimeoutMs
            }
            var pingDue = max(lastReceivedAt, lastPingSentAt) + loop.pingIntervalMs
            if now >= pingDue {
                sendControl(.ping, payload: UnsafeRawBufferPointer(start: nil, count: 0), loop)
                lastPingSentAt = now
                pingDue = now + loop.pingIntervalMs
            }
            return min(idleDeadline, pingDue)
        case .awaitingAnswer:
            let deadline = phaseStartedAt + Self.answerTimeoutMs
            if now < deadline { return deadline }
            loop.teardown(self)
            return nil
        case .closeSent, .draining, .finishing:
            let deadline = phaseStartedAt + loop.closeTimeoutMs
            if now < deadline { return deadline }
            loop.teardown(self)
            return nil
        case .closed:
            return nil
        }
    }
}
