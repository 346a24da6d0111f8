import Protocol

/// The hub's loop serving the published event stream: pages for `GET …/events`, and the
/// subscribers' frames routed like every other frame (`EventSubscriberOutput`).
extension HubHost: EventSubscriberOutput {
    /// Answers `GET …/events?after=N&limit=M` from the stream: 200 with the page, 410 for an
    /// offset no longer kept, 500 when the files cannot be read. The events in it are visible
    /// (durable) already, so the answer is not held for the log: it is routed at the end of
    /// this turn (not at once, which would re-enter this host from a pipelined request).
    func answerEventsPage(to id: ConnectionID, after: UInt64, limit: Int) {
        let response: HTTPResponse
        switch eventStream.read(after: after, limit: limit) {
        case .success(let events):
            let writer = loop.writer
            writer.reset()
            PublishedEventPageEncoder.encodePage(events.map(\.json), next: events.last?.offset ?? after, into: writer)
            response = .json(.ok, Array(writer.bytes))
        case .failure(.offsetExpired(let oldest)):
            response = .json(.gone, PublishedEventPageEncoder.offsetExpiredBody(oldest: oldest))
        case .failure(.unreadable(let what)):
            loop.context.logger.error("the event stream could not be read for a page", ["error": what])
            response = .jsonError(.internalServerError, code: "internal_error", "the event stream could not be read")
        }
        answers.append(Outgoing(bytes: .copy(response.serialized(keepAlive: true)), recipients: .one(id.session)))
    }

    /// Routes this turn's answers (end of turn).
    func routeAnswers() {
        guard !answers.isEmpty else { return }
        let routed = answers
        answers.removeAll(keepingCapacity: true)
        for answer in routed {
            if case .one(let session) = answer.recipients { route(answer.bytes, to: CollectionOfOne(session)) }
        }
    }

    // MARK: EventSubscriberOutput

    func deliver(_ frames: [OutboundBytes], to subscribers: [ConnectionID]) {
        let sessions = subscribers.map(\.session)
        for frame in frames { route(frame, to: sessions) }
    }

    func deliverChunk(_ frames: [OutboundBytes], to subscriber: ConnectionID) {
        guard isOurs(subscriber) else { return }
        if subscriber.loop == loop.index {
            loop.deliverStreamChunk(frames, to: subscriber)
        } else {
            remoteStreamInstructions[subscriber.loop].append(.chunk(subscriber, frames))
        }
    }

    /// Closes a connection of this process with a close frame, on whichever loop owns it: a
    /// stream subscriber, or a session the hub let go of (`HubOutput.sessionEnded`).
    func close(_ connection: ConnectionID, code: WebSocketCloseCode, reason: String) {
        guard isOurs(connection) else { return }
        if connection.loop == loop.index {
            loop.closeConnection(connection, code: code, reason: reason)
        } else {
            remoteStreamInstructions[connection.loop].append(.close(connection, code, reason: reason))
        }
    }

    /// Whether a connection id is one of this process's loops' (as `route` checks).
    private func isOurs(_ id: ConnectionID) -> Bool { id.epoch == epoch && id.loop < loopCount }
}
