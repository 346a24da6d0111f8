import Protocol

/// Runs the hub on its loop: applies inputs (drawing a seed for each new party), encodes
/// every output once, and routes the same bytes to each recipient, directly on this loop or
/// batched to the loop that owns the connection. The hub has exactly one owner: this.
final class HubHost {
    private var hub: Hub
    // unowned(unsafe): the loop owns this host and outlives it; a checked unowned reference
    // costs a retain and release on every access.
    private unowned(unsafe) let loop: EventLoop
    private var outputs: [HubOutput] = []
    private var isApplying = false
    private var deferredInputs: [HubInput] = []
    /// Per loop, the deliveries of this turn, handed over at its end.
    private var remoteDeliveries: [[Delivery]]
    private var remoteRecipients: [[ConnectionID]]

    init(configuration: HubConfiguration, loop: EventLoop, loopCount: Int) {
        self.hub = Hub(configuration: configuration)
        self.loop = loop
        self.remoteDeliveries = Array(repeating: [], count: loopCount)
        self.remoteRecipients = Array(repeating: [], count: loopCount)
    }

    /// Applies one input now, or right after the current one when called from inside it (a
    /// delivery can close a slow consumer, whose session end is itself an input).
    func apply(_ input: HubInput) {
        if isApplying {
            deferredInputs.append(input)
            return
        }
        isApplying = true
        applyNow(input)
        while !deferredInputs.isEmpty {
            let next = deferredInputs.removeFirst()
            applyNow(next)
        }
        isApplying = false
    }

    private func applyNow(_ input: HubInput) {
        var input = input
        var operation: Int?
        if case .command(let session, let request, let now, _) = input {
            operation = request.command.operation.metricsIndex
            switch request.command {
            case .create, .regenerateCode: input = .command(session, request, now: now, seed: drawSeed())
            default: break
            }
        }
        outputs.removeAll(keepingCapacity: true)
        let result = hub.apply(input, into: &outputs)
        if let operation {
            var error: PartyErrorCode?
            if case .failure(let failure)? = result { error = failure.code }
            loop.metrics.command(operation: operation, error: error)
        }
        for output in outputs {
            switch output {
            case .reply(let session, let rid, let result):
                route(.frame(.reply(rid: rid, result), using: loop.writer), to: CollectionOfOne(session))
            case .event(let event, let recipients):
                route(.frame(.event(event), using: loop.writer), to: recipients)
            case .notice(let message, let recipients):
                route(.frame(message, using: loop.writer), to: recipients)
            }
        }
        loop.metrics.set(.parties, Int64(hub.partyCount))
        loop.metrics.set(.players, Int64(hub.playerCount))
    }

    /// Lets the hub's deadlines (invites, join requests, ready checks, reconnect grace) fall
    /// due; called every loop turn, so at least every wheel tick.
    func tick(now: Int64) {
        guard let next = hub.nextDeadline, now >= next else { return }
        apply(.tick(now: now))
    }

    private func route(_ bytes: OutboundBytes, to sessions: some Collection<SessionID>) {
        var remote = false
        for session in sessions {
            let id = ConnectionID(session: session)
            if id.loop == loop.index {
                loop.deliverLocally(bytes, to: id)
            } else {
                remoteRecipients[id.loop].append(id)
                remote = true
            }
        }
        guard remote else { return }
        for target in remoteRecipients.indices where !remoteRecipients[target].isEmpty {
            remoteDeliveries[target].append(Delivery(bytes: bytes, recipients: remoteRecipients[target]))
            remoteRecipients[target].removeAll(keepingCapacity: true)
        }
    }

    /// Whether deliveries for other loops wait for `endTurn`.
    var hasPendingDeliveries: Bool { remoteDeliveries.contains(where: { !$0.isEmpty }) }

    /// Hands this turn's deliveries to the other loops, one batch each.
    func endTurn() {
        for target in remoteDeliveries.indices where !remoteDeliveries[target].isEmpty {
            loop.queueDeliveries(remoteDeliveries[target], toLoop: target)
            remoteDeliveries[target].removeAll(keepingCapacity: true)
        }
    }

    private func drawSeed() -> PartySeed? {
        // 31^8 codes: a collision with a live party is rare; draw again when it happens.
        for _ in 0..<16 {
            let code = InviteCode.make(indexes: (0..<InviteCode.length).map { _ in SecureRandom.index(below: InviteCode.alphabet.count) })
            if !hub.isInviteCodeInUse(code) { return PartySeed(id: SecureRandom.uuidString(), inviteCode: code) }
        }
        return nil
    }
}
