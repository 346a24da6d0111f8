import Protocol

/// Connections coming and going: `session.ready`, offline members keeping their seat through
/// the reconnect grace, and `session.resume` / `party.history` from the party's event history.
extension Hub {
    /// A connection of `name` opened. A read-only one (a stream overlay) is sent the player's
    /// events and `session.ready` like any other, but changes nothing of their presence: an
    /// overlay left open on a broadcast must not keep a player who quit the game in the party.
    mutating func openSession(_ session: SessionID, player name: String, readOnly: Bool = false, into outputs: inout [HubOutput]) {
        if playerSlotBySession[session] != nil { return }
        let slot: Int
        if let existing = playerSlotByName[name] {
            slot = existing
            let wasOffline = !players[slot].isOnline
            guard endOldestSessions(ofPlayer: slot, makingRoomForReadOnly: readOnly, into: &outputs) else {
                // Only game connections are open, as many as the cap: an overlay never pushes
                // one out (that would make the player absent), so it is the one turned away.
                outputs.append(.sessionEnded(session, reason: .tooManySessions))
                return
            }
            players[slot].sessions.append(session)
            if readOnly { players[slot].readOnlySessions.append(session) } else { players[slot].offlineSince = nil }
            if let partySlot = players[slot].party {
                // The others hear of the return (unless they never heard of the absence); the
                // new connection learns it from its session.ready, which must come first.
                if !readOnly && wasOffline && pendingOfflineNotices[name] == nil {
                    emit(.memberOnline(player: name), in: partySlot, into: &outputs)
                }
                refreshRecipients(partySlot)
            }
        } else {
            let record = PlayerRecord(
                name: name, sessions: [session], readOnlySessions: readOnly ? [session] : [], party: nil,
                chatBucket: TokenBucket(ratePerSecond: configuration.chatRatePerSecond, burst: configuration.chatBurst, now: now),
                signalBucket: TokenBucket(
                    ratePerSecond: configuration.signalRatePerSecond, burst: configuration.signalBurst, now: now),
                commandBucket: TokenBucket(
                    ratePerSecond: configuration.commandRatePerSecond, burst: configuration.commandBurst, now: now),
                recentRequests: IdempotencyCache(capacity: configuration.idempotencyKeys))
            slot = players.insert(record)
            playerSlotByName[name] = slot
        }
        playerSlotBySession[session] = slot
        let party = players[slot].party.map { snapshot($0) }
        outputs.append(.notice(.sessionReady(player: name, party: party, invites: invites(of: name)), recipients: [session]))
    }

    /// Lets go of a player's oldest connections so that one more fits under the cap: one
    /// account must not make every event of its party go to thousands of connections, nor each
    /// open and close rebuild such a recipient list. The player's presence never changes here,
    /// so the party hears nothing: a game connection coming makes room among all of them (it
    /// keeps the player present), a read-only one only among the read-only. Returns false when
    /// that leaves no room (nothing is ended then).
    private mutating func endOldestSessions(
        ofPlayer slot: Int, makingRoomForReadOnly readOnly: Bool, into outputs: inout [HubOutput]
    ) -> Bool {
        let cap = configuration.maxSessionsPerPlayer
        guard cap > 0 else { return true }
        let excess = players[slot].sessions.count + 1 - cap
        guard excess > 0 else { return true }
        let candidates = readOnly ? players[slot].readOnlySessions : players[slot].sessions
        guard candidates.count >= excess else { return false }
        let ended = Set(candidates.prefix(excess))
        players[slot].sessions.removeAll { ended.contains($0) }
        players[slot].readOnlySessions.removeAll { ended.contains($0) }
        for session in candidates.prefix(excess) {
            playerSlotBySession[session] = nil
            outputs.append(.sessionEnded(session, reason: .tooManySessions))
        }
        if let partySlot = players[slot].party { refreshRecipients(partySlot) }
        return true
    }

    mutating func closeSession(_ session: SessionID, into outputs: inout [HubOutput]) {
        guard let slot = playerSlotBySession.removeValue(forKey: session) else { return }
        let wasOnline = players[slot].isOnline
        players[slot].sessions.removeAll { $0 == session }
        players[slot].readOnlySessions.removeAll { $0 == session }
        guard let partySlot = players[slot].party else {
            // Gone from the game with an overlay still open: a leader must not accept them.
            if wasOnline && !players[slot].isOnline { withdrawRequests(of: players[slot].name, into: &outputs) }
            releaseIfIdle(slot, into: &outputs)
            return
        }
        refreshRecipients(partySlot)
        // Only the last connection that made the player present starts their absence.
        guard wasOnline && !players[slot].isOnline else { return }
        // The last connection closed: the seat is kept through the grace, or given up now.
        let grace = configuration.reconnectGraceMilliseconds
        if grace <= 0 {
            removeMember(slot, from: partySlot, reason: .timeout, into: &outputs)
            return
        }
        players[slot].offlineSince = now
        let name = players[slot].name
        let delay = min(configuration.offlineNoticeDelayMilliseconds, grace)
        if delay <= 0 {
            announceOffline(slot, in: partySlot, into: &outputs)
            return
        }
        // A pending notice falls due no later than this absence's would: it looks again then.
        // So a flapping member holds one notice deadline, not one per drop.
        if pendingOfflineNotices[name] == nil {
            pendingOfflineNotices[name] = now + delay
            deadlines.schedule(.noticeOffline(player: name), at: now + delay)
        }
    }

    /// `member_offline` to the party, and the end of the grace scheduled.
    private mutating func announceOffline(_ slot: Int, in partySlot: Int, into outputs: inout [HubOutput]) {
        guard let offlineSince = players[slot].offlineSince else { return }
        let name = players[slot].name
        let graceEnds = offlineSince + configuration.reconnectGraceMilliseconds
        deadlines.schedule(.endGrace(player: name, offlineSince: offlineSince), at: graceEnds)
        emit(.memberOffline(player: name), in: partySlot, into: &outputs)
    }

    /// A member's offline notice falls due: told when they are still away since at least the
    /// delay; looked at again later when they came back and dropped again since; nothing when
    /// they are back (or gone from the party).
    mutating func noticeOffline(_ name: String, into outputs: inout [HubOutput]) {
        pendingOfflineNotices[name] = nil
        guard let slot = playerSlotByName[name], !players[slot].isOnline, let partySlot = players[slot].party,
            let offlineSince = players[slot].offlineSince
        else { return }
        let delay = min(configuration.offlineNoticeDelayMilliseconds, configuration.reconnectGraceMilliseconds)
        if now < offlineSince + delay {
            pendingOfflineNotices[name] = offlineSince + delay
            deadlines.schedule(.noticeOffline(player: name), at: offlineSince + delay)
            return
        }
        if now >= offlineSince + configuration.reconnectGraceMilliseconds {
            // The grace was no longer than the delay: the seat goes without a notice first.
            removeMember(slot, from: partySlot, reason: .timeout, into: &outputs)
            return
        }
        announceOffline(slot, in: partySlot, into: &outputs)
    }

    /// The grace of a player offline since `offlineSince` ends: a member gives up the seat; a
    /// player kept only for their `idem` keys is forgotten.
    mutating func endGrace(_ name: String, offlineSince: Int64, into outputs: inout [HubOutput]) {
        guard let slot = playerSlotByName[name], players[slot].offlineSince == offlineSince, !players[slot].isOnline
        else { return }
        guard let partySlot = players[slot].party else {
            // Kept while a read-only connection still follows the player.
            if players[slot].sessions.isEmpty {
                playerSlotByName[name] = nil
                players.remove(slot)
            }
            return
        }
        removeMember(slot, from: partySlot, reason: .timeout, into: &outputs)
    }

    // MARK: History and resume

    /// The default number of events `party.history` returns.
    static let defaultHistoryLimit = 50

    func history(playerSlot: Int, before: UInt64?, limit: Int?) throws(PartyError) -> ReplyData {
        let partySlot = try partySlot(of: playerSlot)
        let count = min(limit ?? Self.defaultHistoryLimit, configuration.historySize)
        let joined = players[playerSlot].joinedSeq
        return .events(parties[partySlot].history.events(after: joined > 0 ? joined - 1 : 0, before: before ?? .max, limit: count))
    }

    /// `session.resume`: the events after `afterSeq` to this connection, in order, when the
    /// history still holds them all; otherwise `resync_required` with the party as it is.
    mutating func resume(
        _ partyID: String, afterSeq: UInt64, session: SessionID, playerSlot: Int, into outputs: inout [HubOutput]
    ) throws(PartyError) -> ReplyData {
        let current = players[playerSlot].party
        guard let partySlot = current, parties[partySlot].id == partyID else {
            throw PartyError(
                .resyncRequired, "you are not in that party any more", detail: .resync(party: current.map { snapshot($0) }))
        }
        let party = parties[partySlot]
        // Nothing from before the player's own join (it was never theirs to see).
        let oldestHeld = max(party.history.oldestSeq ?? party.seq + 1, players[playerSlot].joinedSeq)
        guard afterSeq <= party.seq, afterSeq + 1 >= oldestHeld else {
            throw PartyError(
                .resyncRequired, "the events after seq \(afterSeq) are no longer held", detail: .resync(party: snapshot(partySlot)))
        }
        let missed = party.history.events(after: afterSeq)
        for event in missed { outputs.append(.event(event, recipients: [session])) }
        return .resumed(replayed: missed.count, seq: party.seq)
    }
}
