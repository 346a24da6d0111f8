import Protocol

extension Connection {
    /// Routes one complete request: a response (kept alive or not) or the upgrade.
    func handleRequest(_ request: HTTPRequest, _ loop: EventLoop) {
        let configuration = loop.context.configuration
        // Only upgrades are counted per address, and only while a per-address limit is on.
        let countsAddresses = configuration.maxConnectionsPerAddress > 0 || configuration.handshakeRatePerAddress > 0
        let clientAddress =
            countsAddresses && request.header("upgrade", containsToken: "websocket")
            ? ClientAddress.of(request, peer: peerAddress, trustedProxies: configuration.trustedProxies) : nil
        // The handshake rate is checked before the token is: failed sign-ins cost tokens too.
        // A TLS connection from anyone but a trusted proxy paid when it was accepted.
        if let clientAddress, !handshakeChargedAtAccept,
            let wait = loop.context.addressAdmission.tookHandshake(from: clientAddress, now: loop.nowMs)
        {
            loop.metrics.handshakeFailed(.addressHandshakeRate)
            // RFC 6585 §4: 429 may say when to come back; Retry-After is in whole seconds.
            let seconds = max(1, (wait + 999) / 1000)
            let refusal = HTTPResponse.text(
                .tooManyRequests, "too many handshakes from this address\n", headers: [("Retry-After", String(seconds))])
            respondAndClose(refusal, loop)
            return
        }
        var decision = loop.router.route(request, nowSeconds: loop.wallMs / 1000, shuttingDown: loop.isShuttingDown)
        if case .upgrade = decision, let refusal = refuseOverCapacity(from: clientAddress, loop) {
            decision = refusal
        }
        switch decision {
        case .respond(let response, let keepAlive, let failure):
            if let failure { loop.metrics.handshakeFailed(failure) }
            servedRequest = true
            // While draining, each answer (a 503 to a probe) ends its connection.
            if keepAlive && !loop.isShuttingDown {
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
            switch endpoint {
            case .party(let player, _): loop.openedPartySession(self, player: player)
            case .eventStream(let after): loop.openedEventStream(self, after: after)
            case .echo: break
            }
        case .toHub(let hubRequest, let keepAlive):
            servedRequest = true
            awaitAnswer(keepAlive: keepAlive, loop)
            loop.receivedHubBoundRequest(hubRequest, from: self)
        case .eventsRead(let after, let limit, let keepAlive):
            servedRequest = true
            awaitAnswer(keepAlive: keepAlive, loop)
            loop.requestedEvents(after: after, limit: limit, from: self)
        }
    }

    /// The refusal of an upgrade past `--max-connections` (503: the server is full) or
    /// `--max-connections-per-ip` (429: this address holds enough), or nil with a session
    /// counted for the address (given back in `teardown`).
    private func refuseOverCapacity(from address: String?, _ loop: EventLoop) -> RouteDecision? {
        let configuration = loop.context.configuration
        // The gauge includes this connection, so the limit is exceeded only past it.
        if configuration.maxConnections > 0 && loop.openConnectionsOnAllLoops() > Int64(configuration.maxConnections) {
            return .respond(
                .text(.serviceUnavailable, "server full\n", headers: [("Retry-After", "5")]), keepAlive: false, failure: .serverFull)
        }
        guard let address else { return nil }
        guard loop.context.addressAdmission.reservedSession(for: address, now: loop.nowMs) else {
            return .respond(
                .text(.tooManyRequests, "too many connections from this address\n", headers: [("Retry-After", "5")]), keepAlive: false,
                failure: .addressConnections)
        }
        if configuration.maxConnectionsPerAddress > 0 { countedAddress = address }
        return nil
    }

    /// The hub answers the request: nothing more is read until then (HTTP/1.1 answers in
    /// order), and the answer has its own deadline.
    private func awaitAnswer(keepAlive: Bool, _ loop: EventLoop) {
        keepAliveAfterAnswer = keepAlive
        enterPhase(.awaitingAnswer, now: loop.nowMs)
        isReadPaused = true
        loop.updateInterest(self)
        loop.scheduleCheck(self, at: phaseStartedAt + Self.answerTimeoutMs)
    }

    /// The hub's answer (a complete response, written for a kept connection) arrived: send it,
    /// then read on, or close when the client asked to.
    func receivedAnswer(_ response: OutboundBytes, _ loop: EventLoop) {
        guard phase == .awaitingAnswer else { return }
        isReadPaused = false
        if keepAliveAfterAnswer && !loop.isShuttingDown {
            loop.send(response, to: self)
            enterPhase(.http, now: loop.nowMs)
            loop.updateInterest(self)
            loop.scheduleCheck(self, at: phaseStartedAt + loop.handshakeTimeoutMs)
            processBufferedInput(loop)
        } else {
            loop.sendFinal(response, to: self)
            enterPhase(.finishing, now: loop.nowMs)
            closeWhenFlushed = true
            loop.scheduleCheck(self, at: phaseStartedAt + loop.closeTimeoutMs)
        }
    }

    /// How long an answer may take before the connection is dropped (the hub answers once the
    /// log is durable: only a stalled disk takes this long; a service then retries with the
    /// same event ids, which the hub takes once).
    static let answerTimeoutMs: Int64 = 60_000

    /// Sends a response and closes once it is written; later input is ignored.
    func respondAndClose(_ response: HTTPResponse, _ loop: EventLoop) {
        loop.sendFinal(OutboundBytes.copy(response.serialized(keepAlive: false)), to: self)
        enterPhase(.finishing, now: loop.nowMs)
        closeWhenFlushed = true
        loop.scheduleCheck(self, at: phaseStartedAt + loop.closeTimeoutMs)
    }
}
