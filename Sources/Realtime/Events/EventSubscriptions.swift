import Protocol

/// What `EventSubscriptions` asks of the loops: frames to subscribers' connections, which may
/// be on any loop (`HubHost` routes them like every other frame).
protocol EventSubscriberOutput: AnyObject {
    /// Frames, in order, for subscribers that are live: queued at once, under the outbound
    /// limit of every connection (a consumer that falls that far behind is closed with 1008).
    func deliver(_ frames: [OutboundBytes], to subscribers: [ConnectionID])
    /// Frames, in order, for one subscriber catching up; its loop reports through
    /// `.eventStreamDrained` once its connection has written everything queued.
    func deliverChunk(_ frames: [OutboundBytes], to subscriber: ConnectionID)
    /// Closes a subscriber's connection with a close frame.
    func close(_ subscriber: ConnectionID, code: WebSocketCloseCode, reason: String)
}

/// The WebSocket subscribers of the published stream (`GET …/events/stream?after=N`) and how
/// far each has got. One owner: the hub's loop, beside the stream; subscribers' connections sit
/// on any loop and report back through hub requests.
///
/// A subscriber catches up from its offset in chunks of at most `chunkBytes`, one at a time:
/// the next is read (memory tail or files) only when its connection reports the last written,
/// so a consumer far behind never has more than one chunk queued. Once it has everything it is
/// live: each newly visible event goes to it at once, the same frame to every live subscriber.
/// A burst larger than a chunk turns it back to catching up rather than queueing it all. A live
/// consumer that stops reading meets the outbound limit and is closed (1008) like any slow
/// consumer; it reconnects with its last offset.
final class EventSubscriptions: EventSink {
    /// Where one subscriber is.
    private struct Subscriber {
        /// The last offset sent to it.
        var position: UInt64
        var state: State
    }

    private enum State {
        /// Reading from the stream chunk by chunk; `awaitingDrain` while a chunk is queued.
        case catchingUp(awaitingDrain: Bool)
        /// Getting each event as it becomes visible.
        case live
    }

    /// The most bytes of frames one chunk (or one live push) holds by default: a quarter of the
    /// default 1 MiB outbound limit, so catching up never trips it.
    static let defaultChunkBytes = 256 << 10
    /// The most events one chunk holds.
    static let chunkEvents = 1000

    /// The most bytes of frames one chunk (or one live push) holds (at least one event).
    let chunkBytes: Int
    private unowned let stream: EventStream
    private let logger: Logger
    /// Set once by the owner, before any subscriber comes.
    unowned var output: EventSubscriberOutput!
    private var subscribers: [ConnectionID: Subscriber] = [:]

    /// Subscriptions to `stream`, in chunks of at most `chunkBytes`: at most half the outbound
    /// limit, so that a chunk alone never trips it.
    init(stream: EventStream, chunkBytes: Int = defaultChunkBytes, logger: Logger) {
        precondition(chunkBytes > 0, "a chunk holds some bytes")
        self.stream = stream
        self.chunkBytes = chunkBytes
        self.logger = logger
    }

    /// How many subscribers there are.
    var count: Int { subscribers.count }

    // MARK: Inputs

    /// A connection upgraded to the stream, asking for every event after `after`.
    func subscribed(_ id: ConnectionID, after: UInt64) {
        if after < stream.oldestOffset - 1 {
            closeExpired(id, oldest: stream.oldestOffset)
            return
        }
        subscribers[id] = Subscriber(position: after, state: .catchingUp(awaitingDrain: false))
        sendNextChunk(id)
    }

    /// A subscriber's connection wrote everything it had queued.
    func drained(_ id: ConnectionID) {
        guard let subscriber = subscribers[id], case .catchingUp(awaitingDrain: true) = subscriber.state else { return }
        subscribers[id]?.state = .catchingUp(awaitingDrain: false)
        sendNextChunk(id)
    }

    /// A subscriber's connection is gone.
    func closed(_ id: ConnectionID) {
        subscribers[id] = nil
    }

    /// New events are visible: the live subscribers get them.
    func eventStreamAdvanced(_ stream: EventStream) {
        let last = stream.lastOffset
        var groups: [UInt64: [ConnectionID]] = [:]
        for (id, subscriber) in subscribers where subscriber.position < last {
            if case .live = subscriber.state { groups[subscriber.position, default: []].append(id) }
        }
        for (position, ids) in groups {
            switch chunk(after: position) {
            case .success(let frames) where position + UInt64(frames.count) == last:
                output.deliver(frames, to: ids)
                for id in ids { subscribers[id]?.position = last }
            case .success(let frames):
                // A burst larger than a chunk: flow-controlled from here, as when catching up.
                for id in ids {
                    subscribers[id] = Subscriber(
                        position: position + UInt64(frames.count), state: .catchingUp(awaitingDrain: true))
                    output.deliverChunk(frames, to: id)
                }
            case .failure(let failure):
                for id in ids { fail(id, failure) }
            }
        }
    }

    // MARK: Sending

    private func sendNextChunk(_ id: ConnectionID) {
        guard let subscriber = subscribers[id] else { return }
        if subscriber.position >= stream.lastOffset {
            subscribers[id]?.state = .live
            return
        }
        switch chunk(after: subscriber.position) {
        case .success(let frames):
            subscribers[id] = Subscriber(position: subscriber.position + UInt64(frames.count), state: .catchingUp(awaitingDrain: true))
            output.deliverChunk(frames, to: id)
        case .failure(let failure):
            fail(id, failure)
        }
    }

    /// The frames of the events after `position`, at most a chunk's worth (at least one).
    private func chunk(after position: UInt64) -> Result<[OutboundBytes], EventReadFailure> {
        stream.read(after: position, limit: Self.chunkEvents).map { events in
            var frames: [OutboundBytes] = []
            var bytes = 0
            for event in events {
                if !frames.isEmpty && bytes + event.frame.count > chunkBytes { break }
                frames.append(event.frame)
                bytes += event.frame.count
            }
            return frames
        }
    }

    private func fail(_ id: ConnectionID, _ failure: EventReadFailure) {
        switch failure {
        case .offsetExpired(let oldest):
            closeExpired(id, oldest: oldest)
        case .unreadable(let what):
            logger.error("the event stream could not be read for a subscriber", ["error": what])
            subscribers[id] = nil
            output.close(id, code: .internalError, reason: "the event stream could not be read")
        }
    }

    private func closeExpired(_ id: ConnectionID, oldest: UInt64) {
        subscribers[id] = nil
        output.close(id, code: .offsetExpired, reason: "offset_expired oldest=\(oldest)")
    }
}
