import Protocol

/// What a loop hands the hub's loop: an input for the hub, or a refusal of a frame that never
/// became one (it did not decode), which must still reach the client in the order of its inputs;
/// or what concerns the published event stream, which the hub's loop owns.
enum HubRequest {
    case input(HubInput)
    case refusal(SessionID, rid: Int64?, PartyError)
    /// `GET …/events`: a page of the stream, answered to the connection.
    case requestedEvents(ConnectionID, after: UInt64, limit: Int)
    /// A connection upgraded to `…/events/stream`, from the event after `after` on.
    case subscribedToEvents(ConnectionID, after: UInt64)
    /// A stream subscriber's connection wrote the catch-up chunk it was sent.
    case eventStreamDrained(ConnectionID)
    /// A stream subscriber's connection is gone.
    case eventStreamClosed(ConnectionID)
}

/// Runs the hub on its loop, as one pipeline: **apply -> log -> durable -> release**.
///
/// Each input is applied to the pure `Hub` (with a seed drawn for a new party), recorded in the
/// write-ahead log, and its outputs are encoded once into frames that are *held*. At the end of
/// the turn the turn's records go to the log as one batch, and the turn's frames wait in the
/// `ReleaseQueue` until the log says that batch is durable; only then are they routed to their
/// connections (directly on this loop, batched to the others). So no client ever sees a change
/// a crash could take back, and a read-only reply waits behind the records of the state it
/// shows. Events published for other services are held the same way, in the same order, and
/// appended to the `EventStream` when released. Nothing here writes to a socket: applying never
/// re-enters the loop's flush.
final class HubHost {
    /// One encoded frame and who gets it.
    struct Outgoing {
        let bytes: OutboundBytes
        let recipients: Recipients
    }

    /// A frame's recipients: one session (a reply, most notices) without an array, or many;
    /// or the event stream, for a published event's frame.
    enum Recipients {
        case one(SessionID)
        case many([SessionID])
        case eventStream(offset: UInt64)
    }

    private(set) var hub: Hub
    /// The published event stream, which only this host appends to.
    let eventStream: EventStream
    /// The stream's WebSocket subscribers.
    let subscriptions: EventSubscriptions
    // unowned(unsafe): the loop owns this host and outlives it; a checked unowned reference
    // costs a retain and release on every access.
    unowned(unsafe) let loop: EventLoop
    private let log: HubInputLog
    private let snapshotter: Snapshotter
    private let snapshotEvery: UInt64
    private var lastSnapshotRequestLSN: UInt64
    let loopCount: Int
    let epoch: UInt16
    /// `--public-url`, for the groups' `invite_link`.
    private let publicURL: String?
    private var outputs: [HubOutput] = []
    /// This turn's frames, held until the end of the turn.
    private var turnOutgoing: [Outgoing] = []
    private var held = ReleaseQueue<Outgoing>()
    /// Answers to plain HTTP requests that need no durability (a page of the stream), routed
    /// at the end of the turn.
    var answers: [Outgoing] = []
    /// Per loop, released deliveries, handed over at the end of the turn.
    private var remoteDeliveries: [[Delivery]]
    private var remoteRecipients: [[ConnectionID]]
    /// Per loop, the event stream's instructions for its subscribers there, handed over after
    /// the deliveries at the end of the turn.
    var remoteStreamInstructions: [[EventStreamInstruction]]

    init(
        hub: Hub, log: HubInputLog, eventStream: EventStream, snapshotter: Snapshotter, snapshotEvery: Int, loop: EventLoop,
        loopCount: Int, epoch: UInt16
    ) {
        self.hub = hub
        self.eventStream = eventStream
        self.log = log
        self.snapshotter = snapshotter
        self.snapshotEvery = UInt64(snapshotEvery)
        self.lastSnapshotRequestLSN = snapshotter.lastSnapshotLSN
        self.loop = loop
        self.loopCount = loopCount
        self.epoch = epoch
        self.publicURL = loop.context.configuration.publicURL
        self.remoteDeliveries = Array(repeating: [], count: loopCount)
        self.remoteRecipients = Array(repeating: [], count: loopCount)
        // What recovery brought back, before any request changes it.
        loop.metrics.set(.organizations, Int64(hub.organizationCount))
        loop.metrics.set(.groups, Int64(hub.groupCount))
        self.remoteStreamInstructions = Array(repeating: [], count: loopCount)
        let chunkBytes = min(EventSubscriptions.defaultChunkBytes, max(1, loop.context.configuration.maxOutboundBytes / 2))
        self.subscriptions = EventSubscriptions(stream: eventStream, chunkBytes: chunkBytes, logger: loop.context.logger)
        subscriptions.output = self
        eventStream.addSink(subscriptions)
        noteEventStreamMetrics()
    }

    /// Carries out one request from a loop.
    func handle(_ request: HubRequest) {
        switch request {
        case .input(let input): apply(input)
        case .refusal(let session, let rid, let error): refuse(session, rid: rid, error)
        case .requestedEvents(let id, let after, let limit): answerEventsPage(to: id, after: after, limit: limit)
        case .subscribedToEvents(let id, let after):
            subscriptions.subscribed(id, after: after)
            loop.metrics.set(.eventStreamSubscribers, Int64(subscriptions.count))
        case .eventStreamDrained(let id): subscriptions.drained(id)
        case .eventStreamClosed(let id):
            subscriptions.closed(id)
            loop.metrics.set(.eventStreamSubscribers, Int64(subscriptions.count))
        }
    }

    /// Applies one input, records it, and holds its outputs.
    func apply(_ input: HubInput) {
        var input = input
        var operation: Int?
        var organizationEndpoint: OrganizationOperation.Kind?
        if case .command(let session, let request, let now, _) = input {
            operation = request.command.operation.metricsIndex
            switch request.command {
            case .create, .regenerateCode: input = .command(session, request, now: now, seed: drawSeed())
            default: break
            }
        } else if case .serviceEvents(let caller, let events, let now, _) = input {
            input = .serviceEvents(caller, events, now: now, lootSeeds: Self.drawLootSeeds(for: events))
        } else if case .organizationRequest(let caller, let request, let now, _) = input {
            organizationEndpoint = request.operation.kind
            if request.operation.kind.needsSeed {
                input = .organizationRequest(caller, request, now: now, seed: drawOrganizationSeed())
            }
        }
        outputs.removeAll(keepingCapacity: true)
        let result = hub.apply(input, into: &outputs)
        if HubInputLog.isRecorded(input) { log.record(input) }
        if let operation {
            var error: PartyErrorCode?
            if case .failure(let failure)? = result { error = failure.code }
            loop.metrics.command(operation: operation, error: error)
        }
        let writer = loop.writer
        for output in outputs {
            switch output {
            case .reply(let session, let rid, let result):
                turnOutgoing.append(Outgoing(bytes: .frame(.reply(rid: rid, result), using: writer), recipients: .one(session)))
            case .event(let event, let recipients):
                turnOutgoing.append(Outgoing(bytes: .frame(.event(event), using: writer), recipients: .many(recipients)))
            case .notice(let message, let recipients):
                if case .notice(.inviteCancelled(_, _, .superseded)) = message { loop.metrics.add(.invitesSuperseded) }
                // A notice for nobody is there to be counted (above) only.
                if recipients.isEmpty { continue }
                let addressed: Recipients = recipients.count == 1 ? .one(recipients[0]) : .many(recipients)
                turnOutgoing.append(Outgoing(bytes: .frame(message, using: writer), recipients: addressed))
            case .published(let event):
                // Encoded once: the frame every stream subscriber gets, whose payload is what
                // the files store and `GET …/events` serves.
                let frame = OutboundBytes.copy(PublishedEventEncoder.encodeFrame(event, into: writer))
                turnOutgoing.append(Outgoing(bytes: frame, recipients: .eventStream(offset: event.offset)))
            case .serviceResults(let caller, let results):
                // A whole response, written for a kept connection; the connection closes after
                // it when its client asked for that.
                countServiceResults(results)
                writer.reset()
                ServiceResponseEncoder.encodeResults(results, into: writer)
                let response = HTTPResponse.json(.ok, Array(writer.bytes)).serialized(keepAlive: true)
                turnOutgoing.append(Outgoing(bytes: .copy(response), recipients: .one(caller)))
            case .sessionEnded(let session, .tooManySessions):
                // At once, not behind the log: nothing still held for it matters any more,
                // and its later close is an input the hub ignores.
                close(ConnectionID(session: session), code: .tooManySessions, reason: "too many sessions")
            case .adminPlayer(let caller, let player, let view):
                let response: HTTPResponse
                if let view {
                    writer.reset()
                    writer.append("{\"player\":")
                    writer.appendJSONString(view.player)
                    writer.append(",\"party\":")
                    if let party = view.party { writer.appendJSONString(party) } else { writer.append("null") }
                    writer.append(",\"online\":")
                    writer.append(view.online ? "true" : "false")
                    writer.append(",\"offline_since\":")
                    if let since = view.offlineSince { writer.append(decimal: since) } else { writer.append("null") }
                    writer.append(",\"sessions\":[")
                    for (index, session) in view.sessions.enumerated() {
                        if index > 0 { writer.append(",") }
                        writer.appendJSONString(String(session.rawValue, radix: 16))
                    }
                    writer.append("],\"budgets\":{")
                    for (index, budget) in view.budgets.enumerated() {
                        if index > 0 { writer.append(",") }
                        writer.appendJSONString(budget.name)
                        writer.append(":{\"available\":")
                        if let available = budget.available { writer.append(decimal: available) } else { writer.append("null") }
                        writer.append(",\"burst\":")
                        writer.append(decimal: budget.burst)
                        writer.append(",\"per_second\":")
                        writer.append(utf8: budget.perSecond.isFinite ? "\(budget.perSecond)" : "0")
                        writer.append("}")
                    }
                    writer.append("}}")
                    response = .json(.ok, Array(writer.bytes))
                } else {
                    response = .jsonError(.notFound, code: "not_found", "no player \(QuotedText.json(player))")
                }
                turnOutgoing.append(Outgoing(bytes: .copy(response.serialized(keepAlive: true)), recipients: .one(caller)))
            case .adminParty(let caller, let party, let snapshot):
                let response: HTTPResponse
                if let snapshot {
                    writer.reset()
                    writer.append("{\"party\":")
                    ServerMessageEncoder.encodePartyObject(snapshot, into: writer)
                    writer.append("}")
                    response = .json(.ok, Array(writer.bytes))
                } else {
                    response = .jsonError(.notFound, code: "not_found", "no party \(QuotedText.json(party))")
                }
                turnOutgoing.append(Outgoing(bytes: .copy(response.serialized(keepAlive: true)), recipients: .one(caller)))
            case .adminDisbanded(let caller, let party, let members):
                let response: HTTPResponse
                if let members {
                    writer.reset()
                    writer.append("{\"disbanded\":")
                    writer.appendJSONString(party)
                    writer.append(",\"members\":[")
                    for (index, member) in members.enumerated() {
                        if index > 0 { writer.append(",") }
                        writer.appendJSONString(member)
                    }
                    writer.append("]}")
                    response = .json(.ok, Array(writer.bytes))
                } else {
                    response = .jsonError(.notFound, code: "not_found", "no party \(QuotedText.json(party))")
                }
                turnOutgoing.append(Outgoing(bytes: .copy(response.serialized(keepAlive: true)), recipients: .one(caller)))
            case .organizationAnswer(let caller, let reply):
                let response = OrganizationResponseEncoder.response(to: reply, publicURL: publicURL, using: writer)
                if let organizationEndpoint { loop.metrics.apiRequest(organizationEndpoint, status: response.status) }
                turnOutgoing.append(Outgoing(bytes: .copy(response.serialized(keepAlive: true)), recipients: .one(caller)))
            }
        }
        loop.metrics.set(.parties, Int64(hub.partyCount))
        loop.metrics.set(.players, Int64(hub.playerCount))
        if organizationEndpoint != nil {
            loop.metrics.set(.organizations, Int64(hub.organizationCount))
            loop.metrics.set(.groups, Int64(hub.groupCount))
        }
    }

    private func countServiceResults(_ results: [ServiceEventResult]) {
        for result in results {
            switch result.status {
            case .applied: loop.metrics.add(.serviceEventsApplied)
            case .duplicate: loop.metrics.add(.serviceEventsDuplicate)
            case .ignored: loop.metrics.add(.serviceEventsIgnored)
            case .rejected: loop.metrics.add(.serviceEventsRejected)
            }
        }
    }

    /// Answers a frame that did not decode, in line with the session's other replies.
    private func refuse(_ session: SessionID, rid: Int64?, _ error: PartyError) {
        turnOutgoing.append(Outgoing(bytes: .frame(.reply(rid: rid, .failure(error)), using: loop.writer), recipients: .one(session)))
    }

    /// Lets the hub's deadlines (invites, join requests, ready checks, reconnect grace) fall
    /// due; called every loop turn, so at least every wheel tick.
    func tick(now: Int64) {
        guard let next = hub.nextDeadline, now >= next else { return }
        apply(.tick(now: now))
    }

    /// Whether the end of the turn has work left: frames to hold, answers to route, deliveries
    /// or stream instructions to hand over.
    var hasEndOfTurnWork: Bool {
        !turnOutgoing.isEmpty || !answers.isEmpty || log.hasUncommittedRecords || remoteDeliveries.contains(where: { !$0.isEmpty })
            || remoteStreamInstructions.contains(where: { !$0.isEmpty })
    }

    /// Ends the hub's part of a turn: the turn's records go to the log as one batch, the turn's
    /// frames are held behind them, whatever is durable is released, and released deliveries
    /// for other loops are handed over, one batch per loop.
    func endTurn() {
        log.commitTurn()
        if log.lastRecordedLSN - lastSnapshotRequestLSN >= snapshotEvery, snapshotter.begin(hub, lsn: log.lastRecordedLSN) {
            // A copy at a turn boundary; the snapshot thread encodes and writes it.
            lastSnapshotRequestLSN = log.lastRecordedLSN
        }
        if !turnOutgoing.isEmpty {
            held.hold(turnOutgoing, until: log.lastRecordedLSN)
            turnOutgoing.removeAll(keepingCapacity: true)
        }
        routeAnswers()
        releaseDurable()
        for target in remoteDeliveries.indices where !remoteDeliveries[target].isEmpty {
            loop.queueDeliveries(remoteDeliveries[target], toLoop: target)
            remoteDeliveries[target].removeAll(keepingCapacity: true)
        }
        // After the deliveries: a live push queued this turn covers offsets before any chunk
        // queued after it.
        for target in remoteStreamInstructions.indices where !remoteStreamInstructions[target].isEmpty {
            loop.queueEventStreamInstructions(remoteStreamInstructions[target], toLoop: target)
            remoteStreamInstructions[target].removeAll(keepingCapacity: true)
        }
    }

    /// The log reports records durable through `lsn` (from the log thread, via the inbox).
    func logBecameDurable(through lsn: UInt64) {
        log.noteDurable(through: lsn)
        releaseDurable()
    }

    private func releaseDurable() {
        guard !held.isEmpty else { return }
        for outgoing in held.release(through: log.durableLSN) {
            switch outgoing.recipients {
            case .one(let session): route(outgoing.bytes, to: CollectionOfOne(session))
            case .many(let sessions): route(outgoing.bytes, to: sessions)
            case .eventStream(let offset): eventStream.append(offset: offset, frame: outgoing.bytes)
            }
        }
        eventStream.publishAppended()
        noteEventStreamMetrics()
    }

    private func noteEventStreamMetrics() {
        loop.metrics.set(.eventStreamLastOffset, Int64(clamping: eventStream.lastOffset))
        loop.metrics.set(.eventStreamOldestOffset, Int64(clamping: eventStream.oldestOffset))
    }

    /// At a clean stop, once the loops have stopped and the log's last sync is done: the
    /// events still held go to the stream (so its files reach the hub's last published offset
    /// before the final snapshot); the frames are dropped, their connections are gone. Called
    /// on the stopping thread: the loop that owned this host has ended.
    func releaseHeldEventsAfterStop() {
        for outgoing in held.release(through: .max) {
            if case .eventStream(let offset) = outgoing.recipients { eventStream.append(offset: offset, frame: outgoing.bytes) }
        }
        eventStream.publishAppended()
    }

    /// Routes a frame to sessions of this process, at once on this loop and batched to others.
    func route(_ bytes: OutboundBytes, to sessions: some Collection<SessionID>) {
        var remote = false
        for session in sessions {
            let id = ConnectionID(session: session)
            // A session of an earlier process, or of a loop this process does not have (a
            // restart with fewer --threads), is never routed to; recovery closes them all, so
            // none should remain.
            guard id.epoch == epoch, id.loop < loopCount else { continue }
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

    /// One secret seed per dropped item, in order: 32 bytes from the CSPRNG as 64 hex characters.
    private static func drawLootSeeds(for events: [IncomingServiceEvent]) -> [String] {
        var seeds: [String] = []
        for event in events {
            guard case .lootDropped(_, let items, _) = event.body else { continue }
            for _ in items { seeds.append(Digest.hex(SecureRandom.bytes(32))) }
        }
        return seeds
    }

    private func drawSeed() -> PartySeed? {
        drawInviteCode(unless: { self.hub.isInviteCodeInUse($0) }).map { PartySeed(id: SecureRandom.uuidString(), inviteCode: $0) }
    }

    /// An id and a code for a new organization, a new group or a group's new code (the code
    /// unused among live groups).
    private func drawOrganizationSeed() -> OrganizationSeed? {
        drawInviteCode(unless: { self.hub.isGroupInviteCodeInUse($0) }).map {
            OrganizationSeed(id: SecureRandom.uuidString(), inviteCode: $0)
        }
    }

    /// A random invite code that `isInUse` does not refuse; nil when 16 draws in a row were.
    private func drawInviteCode(unless isInUse: (String) -> Bool) -> String? {
        // 31^8 codes: a collision with a live one is rare; draw again when it happens.
        for _ in 0..<16 {
            let code = InviteCode.make(indexes: (0..<InviteCode.length).map { _ in SecureRandom.index(below: InviteCode.alphabet.count) })
            if !isInUse(code) { return code }
        }
        return nil
    }
}
