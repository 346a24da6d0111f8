import CPartyHubSystem
import Glibc
import Protocol

/// One thread's event loop: a level-triggered epoll set, the connections it owns, a timer
/// wheel, and an inbox other loops post to. Nothing here is touched by another thread except
/// the inbox and the metrics counters (relaxed atomics).
///
/// A turn: wait; handle ready sockets (reads run the protocol and, on the hub's loop, the hub);
/// drain the inbox; fire due timers; hand hub inputs and deliveries to other loops; then write
/// every connection that got output this turn with one writev each (corked writes).
final class EventLoop {
    static let iovecCapacity = 64
    static let tickMilliseconds: Int64 = 100
    private static let listenerTag = UInt64.max
    private static let inboxTag = UInt64.max - 1
    private static let tlsListenerTag = UInt64.max - 2

    let index: Int
    let context: ServerContext
    let router: Router
    let metrics: LoopMetrics
    let inbox: LoopInbox
    unowned(unsafe) var group: LoopGroup!
    /// Set on the loop that owns the hub.
    var hubHost: HubHost?

    private let epoll: Epoll
    private var connections: [Connection?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []
    private var liveConnections = 0
    private var wheel: TimerWheel
    private var dirty: [Connection] = []
    /// The batch being flushed; swapped with `dirty` so neither array is ever reallocated.
    private var flushing: [Connection] = []
    private var pendingHubRequests: [HubRequest] = []
    /// Stops reading the sockets while this loop's requests pile up at the hub's loop.
    private var hubReadGate: HubReadGate
    private let maxConnectionBacklog: Int
    private var outgoing: [[LoopMessage]]
    private var listener: Int32 = -1
    /// The TLS listening socket, and the context its new connections begin with (a reload
    /// replaces it; connections keep the one they began with).
    private var tlsListener: Int32 = -1
    private var tlsContext: TLSContext?
    private var listenerPausedUntil: Int64 = 0
    private var listenerRegistered = false
    /// Connections whose transport holds input already taken off the socket (TLS records):
    /// epoll will not report them, so they are read on the next turn.
    private var bufferedReads: [Connection] = []
    /// Requests this loop has handed the hub's loop, counted as they are submitted: the
    /// sequence number of the latest (`ConnectionHubBacklog`).
    private var submittedToHub: Int64 = 0
    /// Connections not read because their own requests pile up at the hub.
    private var backlogHeldConnections: [Connection] = []
    private var nextAdoptionLoop = 0
    private var running = true
    private(set) var isShuttingDown = false
    private var shutdownDeadline: Int64 = 0

    /// Scratch memory for reads; a connection keeps only the partial tail of what it read.
    let readScratch: UnsafeMutableRawBufferPointer
    /// Scratch memory where TLS sessions gather a record's plaintext before `SSL_write`.
    let tlsRecordScratch: UnsafeMutableRawBufferPointer
    /// Scratch writer for encoding frames.
    let writer = ByteWriter(capacity: 1 << 16)
    let iovecs: UnsafeMutablePointer<iovec>
    /// Monotonic milliseconds at the start of this turn.
    private(set) var nowMs: Int64
    /// Wall-clock Unix milliseconds at the start of this turn.
    private(set) var wallMs: Int64

    let handshakeTimeoutMs: Int64
    let pingIntervalMs: Int64
    let idleTimeoutMs: Int64
    let closeTimeoutMs: Int64
    private let maxOutboundBytes: Int

    init(index: Int, context: ServerContext, loopCount: Int) throws {
        self.index = index
        self.context = context
        self.router = Router(context: context, metrics: context.loopMetrics[index])
        self.metrics = context.loopMetrics[index]
        self.inbox = try LoopInbox()
        self.epoll = try Epoll()
        let configuration = context.configuration
        nowMs = partyhub_monotonic_ns() / 1_000_000
        wallMs = partyhub_wall_ms()
        wheel = TimerWheel(startTick: nowMs / Self.tickMilliseconds)
        outgoing = Array(repeating: [], count: loopCount)
        hubReadGate = HubReadGate(limit: configuration.maxHubBacklog)
        maxConnectionBacklog = configuration.maxConnectionBacklog
        readScratch = .allocate(byteCount: 64 << 10, alignment: 16)
        tlsRecordScratch = .allocate(byteCount: TLSSession.maxRecordPlaintext, alignment: 16)
        iovecs = .allocate(capacity: Self.iovecCapacity)
        handshakeTimeoutMs = Int64(configuration.handshakeTimeout * 1000)
        pingIntervalMs = Int64(configuration.pingInterval * 1000)
        idleTimeoutMs = Int64(configuration.idleTimeout * 1000)
        closeTimeoutMs = Int64(configuration.closeTimeout * 1000)
        // The backlog limit always admits one largest message (an echo of a 16 MiB message
        // is not a slow consumer), so the effective limit is the larger of the two.
        maxOutboundBytes = max(configuration.maxOutboundBytes, configuration.maxMessageBytes + WebSocketFrameEncoder.maxServerHeaderLength)
        try epoll.add(inbox.eventFD, events: .readable, data: Self.inboxTag)
    }

    deinit {
        readScratch.deallocate()
        tlsRecordScratch.deallocate()
        iovecs.deallocate()
    }

    /// Gives this loop the listening socket; it accepts and deals connections round-robin.
    func adoptListener(_ fd: Int32) throws {
        listener = fd
        try epoll.add(fd, events: .readable, data: Self.listenerTag)
        listenerRegistered = true
    }

    /// Gives this loop the TLS listening socket and the context its connections begin with.
    func adoptTLSListener(_ fd: Int32, context: TLSContext) throws {
        tlsListener = fd
        tlsContext = context
        try epoll.add(fd, events: .readable, data: Self.tlsListenerTag)
        listenerRegistered = true
    }

    // MARK: The loop

    /// Runs until shutdown completes. Called on the loop's own thread.
    func run() {
        // Two clock reads a turn: its start and its end. The wall clock is derived from the
        // monotonic one through an offset refreshed once a second (a chat's `ts` is in ms).
        var turnEnd = partyhub_monotonic_ns()
        var wallOffsetMs = partyhub_wall_ms() - turnEnd / 1_000_000
        var wallSyncedAt = turnEnd / 1_000_000
        while running {
            let timeout = Int32(clamping: (wheel.currentTick + 1) * Self.tickMilliseconds - turnEnd / 1_000_000)
            // Input a TLS session holds is ready now: do not sleep on the sockets.
            let wait = bufferedReads.isEmpty ? max(0, min(timeout, Int32(Self.tickMilliseconds))) : 0
            let ready = epoll.wait(timeoutMilliseconds: wait)
            let turnStart = partyhub_monotonic_ns()
            nowMs = turnStart / 1_000_000
            if nowMs - wallSyncedAt >= 1000 {
                wallOffsetMs = partyhub_wall_ms() - nowMs
                wallSyncedAt = nowMs
            }
            wallMs = nowMs + wallOffsetMs
            for event in 0..<ready {
                dispatch(tag: epoll.readyData[event], events: Epoll.Events(rawValue: epoll.readyEvents[event]))
            }
            if !bufferedReads.isEmpty { readBufferedInput() }
            // Collect first, fire after: a check reschedules its connection, which writes the
            // wheel, and that must not happen while `advance` is still mutating it.
            var dueTimers: [TimerWheel.Entry] = []
            wheel.advance(to: nowMs / Self.tickMilliseconds) { entry in dueTimers.append(entry) }
            for entry in dueTimers { fireTimer(entry) }
            hubHost?.tick(now: wallMs)
            // A paused loop wakes at least every tick, so it sees the hub catch up.
            if hubReadGate.isPaused { carryOut(hubReadGate.checked(backlog: group.hubBacklog.backlog(of: index))) }
            if !backlogHeldConnections.isEmpty { readConnectionsTheHubCaughtUpWith() }
            let hasListener = listener >= 0 || tlsListener >= 0
            if hasListener && !listenerRegistered && nowMs >= listenerPausedUntil { resumeListener() }
            endTurn()
            turnEnd = partyhub_monotonic_ns()
            if ready > 0 { metrics.turnTook(nanoseconds: turnEnd - turnStart) }
            if isShuttingDown && (isDrained || nowMs >= shutdownDeadline) { finishShutdown() }
        }
    }

    private func dispatch(tag: UInt64, events: Epoll.Events) {
        switch tag {
        case Self.listenerTag:
            acceptConnections(from: listener, tls: nil)
        case Self.tlsListenerTag:
            acceptConnections(from: tlsListener, tls: tlsContext)
        case Self.inboxTag:
            for message in inbox.drain() { handle(message) }
        default:
            let id = ConnectionID(session: SessionID(rawValue: tag))
            guard let connection = lookup(id) else { return }
            if !events.isDisjoint(with: [.readable, .hangup, .error]) {
                connection.handleReadable(self)
            }
            if events.contains(.writable) && connection.phase != .closed {
                flush(connection)
                // A TLS read (or the handshake) that had to send first goes on now.
                if connection.transport.readWaitsForWritable && connection.phase != .closed {
                    connection.handleReadable(self)
                }
            }
        }
    }

    /// Hands the turn's work to other loops, then writes every connection with output. A write
    /// can fail and close a connection, whose end is news for the hub and for other loops, so
    /// this repeats until nothing is left to hand over.
    private func endTurn() {
        repeat {
            handOff()
            flushDirty()
        } while !pendingHubRequests.isEmpty || (hubHost?.hasEndOfTurnWork ?? false) || outgoing.contains(where: { !$0.isEmpty })
    }

    private func handOff() {
        if !pendingHubRequests.isEmpty {
            let requests = pendingHubRequests
            pendingHubRequests.removeAll(keepingCapacity: true)
            // Counted and judged before the post: the hub's loop never counts more handled than
            // posted, and a batch over the limit pauses reads however fast the hub takes it.
            group.hubBacklog.notePosted(requests.count, by: index)
            carryOut(hubReadGate.posted(backlog: group.hubBacklog.backlog(of: index)))
            group.post([.hubRequests(requests, from: index)], to: group.hubLoopIndex)
        }
        hubHost?.endTurn()
        for target in outgoing.indices where !outgoing[target].isEmpty {
            group.post(outgoing[target], to: target)
            outgoing[target].removeAll(keepingCapacity: true)
        }
    }

    private func flushDirty() {
        // Connections flushed here can add others (a close tells the hub, whose events queue
        // output elsewhere), so loop until nothing is dirty.
        while !dirty.isEmpty {
            swap(&dirty, &flushing)
            for connection in flushing {
                connection.isDirty = false
                if connection.phase != .closed { flush(connection) }
            }
            flushing.removeAll(keepingCapacity: true)
        }
    }

    private func handle(_ message: LoopMessage) {
        switch message {
        case .adopt(let fd, let tls, let chargedPeer):
            adopt(fd, tls: tls, chargedPeer: chargedPeer)
        case .tlsContextReloaded(let context):
            // Only the listening loop holds a context; the connections it deals carry theirs.
            guard tlsListener >= 0 else { return }
            tlsContext = context
            metrics.add(.tlsCertificateReloads)
        case .hubRequests(let requests, let source):
            guard let hubHost else { return }
            for request in requests { hubHost.handle(request) }
            group.hubBacklog.noteHandled(requests.count, from: source)
        case .logDurable(let lsn):
            hubHost?.logBecameDurable(through: lsn)
        case .deliveries(let deliveries):
            for delivery in deliveries {
                for recipient in delivery.recipients {
                    deliverLocally(delivery.bytes, to: recipient)
                }
            }
        case .eventStream(let instructions):
            for instruction in instructions {
                switch instruction {
                case .chunk(let id, let frames): deliverStreamChunk(frames, to: id)
                case .close(let id, let code, let reason): closeConnection(id, code: code, reason: reason)
                }
            }
        case .shutdown:
            beginShutdown()
        }
    }

    // MARK: Connections

    private func acceptConnections(from listener: Int32, tls: TLSContext?) {
        for _ in 0..<256 {
            let fd = partyhub_accept(listener)
            if fd < 0 {
                let error = errno
                if error == EINTR || error == ECONNABORTED { continue }
                if error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM {
                    // Out of descriptors: stop listening for a moment instead of spinning on a
                    // listener that stays readable.
                    context.logger.warning("accept failed; pausing accepts", ["error": String(cString: strerror(error))])
                    pauseListeners()
                    listenerPausedUntil = nowMs + 100
                }
                return
            }
            var chargedPeer: String?
            if tls != nil && !admitsTLSHandshake(fd, charged: &chargedPeer) {
                close(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            // While draining, another loop may already have finished: keep the connection here.
            let target = isShuttingDown ? index : nextAdoptionLoop
            if !isShuttingDown { nextAdoptionLoop = (nextAdoptionLoop + 1) % group.loopCount }
            if target == index {
                adopt(fd, tls: tls, chargedPeer: chargedPeer)
            } else {
                outgoing[target].append(.adopt(fd: fd, tls: tls, chargedPeer: chargedPeer))
            }
        }
    }

    /// A TLS connection costs its handshake (a key exchange and a signature: about 0.7 ms of
    /// CPU, several times a whole plain connection) before any request on it can be refused, so
    /// `--ip-handshake-rate` charges it as it is accepted, by the socket's peer, and one past
    /// the rate is closed at once. A trusted proxy's connections are charged at their upgrade
    /// instead, by the client its `X-Forwarded-For` names. `charged` is set to the peer charged,
    /// which the connection keeps, so its upgrade neither pays again nor asks the system again.
    private func admitsTLSHandshake(_ fd: Int32, charged: inout String?) -> Bool {
        let configuration = context.configuration
        guard configuration.handshakeRatePerAddress > 0 else { return true }
        let peer = ClientAddress.peer(of: fd)
        if configuration.trustedProxies.contains(peer) { return true }
        guard context.addressAdmission.tookHandshake(from: peer, now: nowMs) == nil else {
            metrics.handshakeFailed(.addressHandshakeRate)
            return false
        }
        charged = peer
        return true
    }

    private func pauseListeners() {
        if listener >= 0 { epoll.remove(listener) }
        if tlsListener >= 0 { epoll.remove(tlsListener) }
        listenerRegistered = false
    }

    /// Listens again on every listening socket, or on none: a half-done resume is undone, so
    /// the next attempt starts from the same place.
    private func resumeListener() {
        var added: [Int32] = []
        for (fd, tag) in [(listener, Self.listenerTag), (tlsListener, Self.tlsListenerTag)] where fd >= 0 {
            guard (try? epoll.add(fd, events: .readable, data: tag)) != nil else {
                for fd in added { epoll.remove(fd) }
                return
            }
            added.append(fd)
        }
        listenerRegistered = true
    }

    private func adopt(_ fd: Int32, tls: TLSContext?, chargedPeer: String?) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = connections.count
            guard slot < ConnectionID.slotLimit else {
                close(fd)
                return
            }
            connections.append(nil)
            generations.append(1)
        }
        let id = ConnectionID(loop: index, epoch: context.epoch, slot: slot, generation: generations[slot])
        var transport = Transport.plain
        if let tls {
            let session = TLSSession(context: tls, fd: fd, metrics: metrics, recordScratch: tlsRecordScratch)
            guard let session else {
                close(fd)
                freeSlots.append(slot)
                return
            }
            transport = .tls(session)
        }
        let connection = Connection(
            id: id, fd: fd, transport: transport, now: nowMs, configuration: context.configuration, chargedPeer: chargedPeer)
        do {
            // While reads are paused a new connection waits too; the resume turns it on.
            try epoll.add(fd, events: hubReadGate.isPaused ? [] : .readable, data: id.rawValue)
        } catch {
            close(fd)
            freeSlots.append(slot)
            return
        }
        connections[slot] = connection
        liveConnections += 1
        metrics.add(.acceptedTotal)
        metrics.add(.openConnections)
        scheduleCheck(connection, at: nowMs + handshakeTimeoutMs)
    }

    private func lookup(_ id: ConnectionID) -> Connection? {
        let slot = id.slot
        guard id.loop == index, slot < connections.count, generations[slot] == id.generation else { return nil }
        return connections[slot]
    }

    /// Closes the socket and frees the slot; the hub hears of a party session's end.
    func teardown(_ connection: Connection) {
        guard connection.phase != .closed else { return }
        let wasWebSocket = connection.endpoint != nil
        connection.phase = .closed
        connection.transport.sendCloseNotify()
        close(connection.fd)
        connection.transport.release()
        connection.output.removeAll()
        let slot = connection.id.slot
        connections[slot] = nil
        generations[slot] = ConnectionID.generation(after: generations[slot])
        freeSlots.append(slot)
        liveConnections -= 1
        metrics.add(.openConnections, -1)
        if let address = connection.countedAddress { context.addressAdmission.released(address) }
        if wasWebSocket {
            metrics.add(.webSocketSessions, -1)
            metrics.closed(code: connection.closeCode.rawValue)
        }
        if connection.player != nil { submitToHub(.input(.sessionClosed(connection.id.session, now: wallMs))) }
        if case .eventStream? = connection.endpoint { submitToHub(.eventStreamClosed(connection.id)) }
    }

    /// Pauses or resumes reading every connection of this loop, as the hub read gate says.
    private func carryOut(_ action: HubReadGate.Action) {
        switch action {
        case .none: return
        case .pauseReading:
            metrics.add(.hubBacklogReadPauses)
            context.logger.debug("pausing reads: requests pile up at the hub", ["loop": String(index)])
        case .resumeReading:
            break
        }
        for case let connection? in connections { updateInterest(connection) }
    }

    /// Re-registers the socket's interest when it changed: EPOLLIN unless reading is paused (the
    /// connection awaits an answer, or the loop's hub backlog is full), EPOLLOUT while output is
    /// left over or a TLS read waits to send.
    func updateInterest(_ connection: Connection) {
        var events: Epoll.Events = connection.holdsReads || hubReadGate.isPaused ? [] : .readable
        if connection.isWritableArmed || connection.transport.readWaitsForWritable { events.insert(.writable) }
        if events != connection.registeredEvents {
            connection.registeredEvents = events
            epoll.modify(connection.fd, events: events, data: connection.id.rawValue)
        }
        // Reading resumes with input the transport already holds: nothing on the socket says so.
        if !connection.holdsReads && !hubReadGate.isPaused && connection.transport.hasBufferedInput {
            queueBufferedRead(connection)
        }
    }

    /// After a TLS read: read again next turn when the session holds input, watch for
    /// EPOLLOUT when it waits to send, and retry a write that waited for the peer's bytes.
    func transportMayWait(_ connection: Connection) {
        updateInterest(connection)
        if connection.transport.writeWaitsForReadable { markDirty(connection) }
    }

    private func queueBufferedRead(_ connection: Connection) {
        guard !connection.isQueuedForBufferedRead else { return }
        connection.isQueuedForBufferedRead = true
        bufferedReads.append(connection)
    }

    /// One read for each connection whose transport holds input: the same one read per turn a
    /// socket that epoll reports gets.
    private func readBufferedInput() {
        let queued = bufferedReads
        bufferedReads.removeAll(keepingCapacity: true)
        for connection in queued {
            connection.isQueuedForBufferedRead = false
            if connection.phase != .closed && !connection.holdsReads && !hubReadGate.isPaused { connection.handleReadable(self) }
        }
    }

    /// Queues bytes for a connection; they are written at the end of the turn. A connection
    /// whose unsent output passes --max-outbound-bytes is closed with 1008.
    func send(_ bytes: OutboundBytes, to connection: Connection) {
        guard connection.output.append(bytes) else {
            // The connection queued its last frame (a close frame, a final response): nothing
            // may follow it on the wire (RFC 6455 §5.5.1).
            metrics.add(.framesDroppedAfterClose)
            return
        }
        metrics.add(.framesOut)
        markDirty(connection)
        if connection.output.pendingBytes > maxOutboundBytes { dropSlowConsumer(connection) }
    }

    /// Queues a connection's last frame (a close frame, or a response after which the socket
    /// closes); every later send to it is dropped and counted.
    func sendFinal(_ bytes: OutboundBytes, to connection: Connection) {
        guard connection.output.appendFinal(bytes) else { return }
        metrics.add(.framesOut)
        markDirty(connection)
    }

    /// Writes a connection's queued output and carries out what follows: EPOLLOUT for
    /// leftovers, the close or half-close waiting for an empty queue, or a teardown.
    func flush(_ connection: Connection) {
        let (written, outcome) = connection.writeQueued(iovecs, capacity: Self.iovecCapacity)
        if written > 0 { metrics.add(.bytesOut, Int64(written)) }
        switch outcome {
        case .failed:
            teardown(connection)
        case .blocked:
            // A TLS write waiting for the peer's bytes is retried after the next read; EPOLLOUT
            // would only report a socket that is already writable, again and again.
            let waitsForWritable = !connection.transport.writeWaitsForReadable
            if connection.isWritableArmed != waitsForWritable {
                connection.isWritableArmed = waitsForWritable
                updateInterest(connection)
            }
        case .drained:
            if connection.isWritableArmed {
                connection.isWritableArmed = false
                updateInterest(connection)
            }
            if connection.closeWhenFlushed {
                teardown(connection)
            } else if connection.shutdownWriteWhenFlushed {
                connection.shutdownWriteWhenFlushed = false
                connection.transport.sendCloseNotify()
                shutdown(connection.fd, Int32(SHUT_WR))
            } else if connection.awaitsStreamDrain && connection.phase == .open {
                // The stream's catch-up chunk is on the wire: the hub's loop sends the next.
                connection.awaitsStreamDrain = false
                submitToHub(.eventStreamDrained(connection.id))
            }
        }
    }

    func markDirty(_ connection: Connection) {
        if !connection.isDirty {
            connection.isDirty = true
            dirty.append(connection)
        }
    }

    private func dropSlowConsumer(_ connection: Connection) {
        metrics.add(.slowConsumerDrops)
        context.logger.info("closing a slow consumer", ["player": connection.player ?? "-", "unsent": String(connection.output.pendingBytes)])
        connection.closeCode = .policyViolation
        // It is not reading, so a close frame behind a megabyte of backlog would never arrive:
        // make one last attempt to write what fits, then close. The rest of a frame already
        // partly on the wire stays ahead of the close frame, which would otherwise land
        // inside that frame's payload.
        connection.output.removeAllButPartlyWrittenHead()
        connection.output.appendFinal(.closeFrame(.policyViolation, reason: "slow consumer"))
        connection.closeWhenFlushed = true
        flush(connection)
        teardown(connection)
    }

    // MARK: Timers

    /// Checks the connection's timers at `milliseconds` (monotonic), to 100 ms precision.
    func scheduleCheck(_ connection: Connection, at milliseconds: Int64) {
        let tick = (milliseconds + Self.tickMilliseconds - 1) / Self.tickMilliseconds
        connection.scheduledTick = wheel.schedule(connection.id, at: tick)
    }

    private func fireTimer(_ entry: TimerWheel.Entry) {
        guard let connection = lookup(entry.connection), connection.scheduledTick == entry.tick else { return }
        if let next = connection.checkTimers(self), connection.phase != .closed {
            scheduleCheck(connection, at: next)
        }
    }

    // MARK: The hub

    /// A party session opened: the hub greets it (`session.ready` with the player's party).
    func openedPartySession(_ connection: Connection, player: String) {
        submitToHub(.input(.sessionOpened(connection.id.session, player: player, readOnly: connection.isReadOnly, now: wallMs)))
    }

    /// A text message on the party endpoint: decode it and hand the command to the hub, or
    /// have the hub's stage answer a frame that is not a command with an error (the connection
    /// stays open): every reply to a session leaves in the order of its inputs, the refusal
    /// included, so it never overtakes the `session.ready` or the replies before it.
    ///
    /// A read-only session's command that changes anything is refused here, before the hub: it
    /// never reaches the log, and its refusal takes the hub's refusal path to keep the order.
    func receivedPartyMessage(_ payload: UnsafeRawBufferPointer, from connection: Connection) {
        switch ClientMessageDecoder.decode(payload) {
        case .request(let request) where connection.isReadOnly && !request.command.operation.isReadOnly:
            metrics.command(operation: request.command.operation.metricsIndex, error: .forbidden)
            let error = PartyError(.forbidden, "this session's token is read-only (\"scope\":\"read\")")
            submitToHub(.refusal(connection.id.session, rid: request.rid, error), for: connection)
        case .request(let request):
            submitToHub(.input(.command(connection.id.session, request, now: wallMs, seed: nil)), for: connection)
        case .failure(let rid, let error):
            metrics.command(
                operation: error.code == .unknownOp ? PartyOperation.unknownMetricsIndex : PartyOperation.invalidMetricsIndex,
                error: error.code)
            submitToHub(.refusal(connection.id.session, rid: rid, error), for: connection)
        }
    }

    /// Answers a party session with an error through the hub's refusal path, so it leaves in
    /// the order of the session's inputs.
    func refuse(_ connection: Connection, rid: Int64?, _ error: PartyError) {
        submitToHub(.refusal(connection.id.session, rid: rid, error))
    }

    /// An HTTP request the hub answers (service events, the organizations API); the
    /// connection awaits the answer, which comes back like any frame for its id.
    func receivedHubBoundRequest(_ request: HubBoundRequest, from connection: Connection) {
        submitToHub(.input(request.input(from: connection.id.session, now: wallMs)))
    }

    /// A page of the published stream (`GET …/events`), read by the hub's loop; the
    /// connection awaits the answer, which comes back like any frame for its id.
    func requestedEvents(after: UInt64, limit: Int, from connection: Connection) {
        submitToHub(.requestedEvents(connection.id, after: after, limit: limit))
    }

    /// A connection upgraded to the published stream: the hub's loop registers it and starts
    /// sending from `after`.
    func openedEventStream(_ connection: Connection, after: UInt64) {
        submitToHub(.subscribedToEvents(connection.id, after: after))
    }

    /// A catch-up chunk for a stream subscriber of this loop: queued like any frames, and the
    /// hub's loop hears once the connection has written them all.
    func deliverStreamChunk(_ frames: [OutboundBytes], to id: ConnectionID) {
        guard let connection = lookup(id), connection.phase == .open else { return }
        for frame in frames { send(frame, to: connection) }
        guard connection.phase == .open else { return }  // closed as a slow consumer
        connection.awaitsStreamDrain = true
        markDirty(connection)
    }

    /// The hub's loop closes a connection of this loop: a stream subscriber (an expired
    /// offset), or a party session the hub let go of (too many sessions).
    func closeConnection(_ id: ConnectionID, code: WebSocketCloseCode, reason: String) {
        lookup(id)?.beginClose(code, reason: reason, self)
    }

    private func submitToHub(_ request: HubRequest) {
        if let hubHost {
            hubHost.handle(request)
        } else {
            pendingHubRequests.append(request)
            submittedToHub += 1
        }
    }

    /// A request a connection's message made: past `--max-connection-backlog` of them waiting
    /// at the hub, the connection is no longer read (its loop's others are) until the hub
    /// catches up. The hub's own loop carries requests out at once, so it never holds one.
    private func submitToHub(_ request: HubRequest, for connection: Connection) {
        submitToHub(request)
        guard hubHost == nil else { return }
        let backlog = group.hubBacklog, loop = index
        let held = connection.hubBacklog.submitted(
            submittedToHub, limit: maxConnectionBacklog, handled: { backlog.handled(of: loop) })
        guard held else { return }
        metrics.add(.connectionBacklogReadPauses)
        backlogHeldConnections.append(connection)
        updateInterest(connection)
    }

    /// Reads again the held connections the hub has worked down to half the limit, first what
    /// they had already read (the frames after the one that held them).
    private func readConnectionsTheHubCaughtUpWith() {
        let handled = group.hubBacklog.handled(of: index)
        var caughtUp: [Connection] = []
        backlogHeldConnections.removeAll { connection in
            guard connection.phase != .closed else { return true }
            guard connection.hubBacklog.checked(limit: maxConnectionBacklog, handled: handled) else { return false }
            caughtUp.append(connection)
            return true
        }
        for connection in caughtUp where connection.phase != .closed {
            connection.processBufferedInput(self)
            if connection.phase != .closed { updateInterest(connection) }
        }
    }

    /// Delivers a frame from the hub to a connection of this loop, if it is still there.
    func deliverLocally(_ bytes: OutboundBytes, to id: ConnectionID) {
        guard let connection = lookup(id) else { return }
        if connection.phase == .awaitingAnswer {
            connection.receivedAnswer(bytes, self)
        } else {
            send(bytes, to: connection)
        }
    }

    /// Queues deliveries for another loop, posted at the end of this turn.
    func queueDeliveries(_ deliveries: [Delivery], toLoop target: Int) {
        outgoing[target].append(.deliveries(deliveries))
    }

    /// Queues the event stream's instructions for another loop, posted at the end of this turn.
    func queueEventStreamInstructions(_ instructions: [EventStreamInstruction], toLoop target: Int) {
        outgoing[target].append(.eventStream(instructions))
    }

    /// Open connections on every loop now (relaxed reads of each loop's gauge), for
    /// `--max-connections`.
    func openConnectionsOnAllLoops() -> Int64 {
        context.loopMetrics.reduce(0) { $0 + $1.value(.openConnections) }
    }

    // MARK: Shutdown

    /// Shutdown drains for at most the grace: open WebSockets are sent 1001 and given the
    /// time to close, while the listeners stay open so that a load balancer or Kubernetes probe
    /// gets an answer rather than a refused connection: `/healthz` and every upgrade or API
    /// call answer 503 (each on a connection then closed). The listeners close when every
    /// loop has drained or the grace is over, whichever comes first.
    private func beginShutdown() {
        guard !isShuttingDown else { return }
        isShuttingDown = true
        shutdownDeadline = nowMs + Int64(context.configuration.shutdownGrace * 1000)
        for connection in connections {
            guard let connection else { continue }
            switch connection.phase {
            case .open: connection.beginClose(.goingAway, reason: "server shutting down", self)
            case .http: teardown(connection)
            default: break
            }
        }
    }

    /// Drained: a loop without listeners when its own connections are gone; the loop holding
    /// the listeners when every loop's are (relaxed reads of the gauges), so the 503s go on
    /// for as long as any connection is still closing.
    private var isDrained: Bool {
        let hasListener = listener >= 0 || tlsListener >= 0
        return hasListener ? liveConnections == 0 && openConnectionsOnAllLoops() == 0 : liveConnections == 0
    }

    private func finishShutdown() {
        if listenerRegistered { pauseListeners() }
        if listener >= 0 {
            close(listener)
            listener = -1
        }
        if tlsListener >= 0 {
            close(tlsListener)
            tlsListener = -1
            tlsContext = nil
        }
        for connection in connections {
            if let connection { teardown(connection) }
        }
        endTurn()
        running = false
    }
}
