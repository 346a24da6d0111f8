import Protocol

extension Connection {
    /// Routes one complete request: a response (kept alive or not) or the upgrade.
    func handleRequest(_ request: HTTPRequest, _ loop: EventLoop) {
        switch loop.router.route(request, nowSeconds: loop.wallMs / 1000, shuttingDown: loop.isShuttingDown) {
        case .respond(let response, let keepAlive, let failure):
            if let failure { loop.metrics.handshakeFailed(failure) }
            servedRequest = true
            if keepAlive {
                loop.send(OutboundBytes.copy(response.serialized(keepAlive: true)), to: self)
                // The handshake timeout also bounds an idle keep-alive connection.
                enterPhase(.http, now: loop.nowMs)
                loop.scheduleCheck(self, at: phaseStartedAt + loop.handshakeTimeoutMs)
            } else {
                respondAndClose(response, loop)
            }
        case .upgrade(let response, let endpoint):
            loop.send(OutboundBytes.copy(response.serialized(keepAlive: true)), to: self)
            self.endpoint = endpoint
            enterPhase(.open, now: loop.nowMs)
            lastReceivedAt = loop.nowMs
            loop.metrics.add(.webSocketSessions)
            loop.scheduleCheck(self, at: loop.nowMs + min(loop.pingIntervalMs, loop.idleTimeoutMs))
            if case .party(let player) = endpoint { loop.openedPartySession(self, player: player) }
        }
    }

    /// Sends a response and closes once it is written; later input is ignored.
    func respondAndClose(_ response: HTTPResponse, _ loop: EventLoop) {
        loop.sendFinal(OutboundBytes.copy(response.serialized(keepAlive: false)), to: self)
        enterPhase(.finishing, now: loop.nowMs)
        closeWhenFlushed = true
        loop.scheduleCheck(self, at: phaseStartedAt + loop.closeTimeoutMs)
    }
}
