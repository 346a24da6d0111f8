import Protocol

/// Invites (a member asks a player in) and join requests (a player asks a closed party).
extension Hub {
    // MARK: Invites

    mutating func invite(_ name: String, by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        let party = parties[partySlot]
        if party.settings.invitePolicy == .leader && party.leader != playerSlot {
            throw PartyError(.notLeader, "only the leader may invite in this party")
        }
        guard JWTCodec.isValidSubject(name) else { throw PartyError(.invalidMessage, "player must be a player id") }
        if name == players[playerSlot].name { throw PartyError(.invalidTarget, "you cannot invite yourself") }
        if let target = playerSlotByName[name], players[target].party != nil {
            throw PartyError(.alreadyInParty, "\(name) is already in a party")
        }
        try requireSeat(in: partySlot)
        if party.inviteIDs.contains(where: { invites[$0]?.player == name }) {
            throw PartyError(.alreadyInvited, "\(name) already has a pending invite to this party")
        }
        // Bounded per party, so invites to players who never come cannot pile up.
        if party.inviteIDs.count >= party.maxMembers {
            throw PartyError(.partyFull, "the party has \(party.maxMembers) invites pending; wait for answers")
        }
        // Bounded per invitee too: every pending invite is in their `session.ready`.
        let cap = configuration.maxPendingInvitesPerPlayer
        if cap > 0, let held = inviteIDsByPlayer[name], held.count >= cap {
            for id in held.prefix(held.count - cap + 1) { supersedeInvite(id, into: &outputs) }
        }
        let invite = Invite(
            id: "inv_\(nextInviteNumber)", partySlot: partySlot, player: name, by: players[playerSlot].name,
            expiresAt: now + configuration.inviteTTLMilliseconds)
        nextInviteNumber += 1
        invites[invite.id] = invite
        inviteIDsByPlayer[name, default: []].append(invite.id)
        parties[partySlot].inviteIDs.append(invite.id)
        deadlines.schedule(.expireInvite(id: invite.id), at: invite.expiresAt)
        emit(
            .inviteSent(invite: invite.id, player: name, by: invite.by, expiresAt: invite.expiresAt), in: partySlot,
            into: &outputs)
        let snapshot = inviteSnapshot(invite)
        let inviteeSessions = sessions(of: name)
        if !inviteeSessions.isEmpty { outputs.append(.notice(.notice(.invited(snapshot)), recipients: inviteeSessions)) }
        return .invite(snapshot)
    }

    /// The caller's own pending invite.
    private func ownInvite(_ id: String, playerSlot: Int) throws(PartyError) -> Invite {
        guard let invite = invites[id], invite.player == players[playerSlot].name else {
            throw PartyError(.notFound, "no pending invite \(id) for you")
        }
        return invite
    }

    mutating func acceptInvite(_ id: String, role: PartyRole?, playerSlot: Int, into outputs: inout [HubOutput])
        throws(PartyError) -> ReplyData
    {
        let invite = try ownInvite(id, playerSlot: playerSlot)
        // Expired but not yet swept by a tick: it is over all the same.
        if invite.expiresAt <= now {
            expireInvite(id, into: &outputs)
            throw PartyError(.notFound, "invite \(id) has expired")
        }
        try requireNoParty(playerSlot)
        try requireSeat(in: invite.partySlot)
        try requireRoleFits(role, in: invite.partySlot, for: playerSlot)
        addMember(playerSlot, to: invite.partySlot, role: role, into: &outputs)
        return .party(snapshot(invite.partySlot))
    }

    mutating func declineInvite(_ id: String, playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let invite = try ownInvite(id, playerSlot: playerSlot)
        removeInvite(id)
        emit(.inviteDeclined(invite: id, player: invite.player, by: invite.by), in: invite.partySlot, into: &outputs)
        return .empty
    }

    mutating func expireInvite(_ id: String, into outputs: inout [HubOutput]) {
        guard let invite = invites[id], invite.expiresAt <= now else { return }
        removeInvite(id)
        emit(.inviteExpired(invite: id, player: invite.player, by: invite.by), in: invite.partySlot, into: &outputs)
        let inviteeSessions = sessions(of: invite.player)
        if !inviteeSessions.isEmpty {
            outputs.append(.notice(
                .notice(.inviteCancelled(invite: id, party: parties[invite.partySlot].id, reason: .expired)),
                recipients: inviteeSessions))
        }
    }

    /// Ends an invite that newer ones pushed past the invitee's cap: to its party it ended
    /// unanswered, as an expiry does; the invitee is told why.
    private mutating func supersedeInvite(_ id: String, into outputs: inout [HubOutput]) {
        guard let invite = invites[id] else { return }
        removeInvite(id)
        emit(.inviteExpired(invite: id, player: invite.player, by: invite.by), in: invite.partySlot, into: &outputs)
        // Sent even when the invitee has no connection to tell, so the host counts every one.
        outputs.append(.notice(
            .notice(.inviteCancelled(invite: id, party: parties[invite.partySlot].id, reason: .superseded)),
            recipients: sessions(of: invite.player)))
    }

    mutating func removeInvite(_ id: String) {
        guard let invite = invites.removeValue(forKey: id) else { return }
        parties[invite.partySlot].inviteIDs.removeAll { $0 == id }
        inviteIDsByPlayer[invite.player]?.removeAll { $0 == id }
        if inviteIDsByPlayer[invite.player]?.isEmpty == true { inviteIDsByPlayer[invite.player] = nil }
    }

    // MARK: Join requests

    /// A join by code to a closed party: a request for the leader, capped at the free seats.
    mutating func requestToJoin(_ partySlot: Int, playerSlot: Int, role: PartyRole?, into outputs: inout [HubOutput])
        throws(PartyError) -> ReplyData
    {
        let name = players[playerSlot].name
        let party = parties[partySlot]
        if party.requests.contains(where: { $0.player == name }) {
            throw PartyError(.alreadyRequested, "you already asked to join this party")
        }
        let freeSeats = party.maxMembers - party.members.count
        if party.requests.count >= freeSeats {
            throw PartyError(.partyFull, freeSeats == 0 ? "the party is full" : "as many requests are pending as there are free seats")
        }
        try requireRoleFits(role, in: partySlot, for: playerSlot)
        let request = JoinRequest(player: name, role: role, expiresAt: now + configuration.inviteTTLMilliseconds)
        parties[partySlot].requests.append(request)
        requestedPartyIDsByPlayer[name, default: []].append(party.id)
        deadlines.schedule(.expireRequest(partyID: party.id, player: name), at: request.expiresAt)
        let snapshot = requestSnapshot(request, of: partySlot)
        emit(.joinRequested(snapshot), in: partySlot, into: &outputs)
        return .joinRequest(snapshot)
    }

    private func pendingRequest(from name: String, in partySlot: Int) throws(PartyError) -> JoinRequest {
        guard let request = parties[partySlot].requests.first(where: { $0.player == name }) else {
            throw PartyError(.notFound, "no pending join request from \(name)")
        }
        return request
    }

    mutating func acceptRequest(_ name: String, by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try leadersParty(playerSlot)
        let request = try pendingRequest(from: name, in: partySlot)
        guard let requester = playerSlotByName[name], players[requester].party == nil, players[requester].isOnline
        else {
            closeRequest(name, in: partySlot, reason: .withdrawn, into: &outputs)
            throw PartyError(.notFound, "\(name) is no longer available to join")
        }
        try requireSeat(in: partySlot)
        try requireRoleFits(request.role, in: partySlot, for: requester)
        addMember(requester, to: partySlot, role: request.role, into: &outputs)
        outputs.append(.notice(.notice(.joinAccepted(snapshot(partySlot))), recipients: players[requester].sessions))
        return .empty
    }

    mutating func rejectRequest(_ name: String, by playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try leadersParty(playerSlot)
        _ = try pendingRequest(from: name, in: partySlot)
        closeRequest(name, in: partySlot, reason: .rejected, into: &outputs)
        return .empty
    }

    mutating func expireRequest(partyID: String, player: String, into outputs: inout [HubOutput]) {
        guard let partySlot = partySlotByID[partyID],
            let request = parties[partySlot].requests.first(where: { $0.player == player }), request.expiresAt <= now
        else { return }
        closeRequest(player, in: partySlot, reason: .expired, into: &outputs)
    }

    /// Drops a request: `party.join_rejected` to the members and to the requester.
    mutating func closeRequest(
        _ name: String, in partySlot: Int, reason: JoinRejectReason, into outputs: inout [HubOutput]
    ) {
        parties[partySlot].requests.removeAll { $0.player == name }
        forgetRequest(of: name, to: parties[partySlot].id)
        emit(.joinRejected(player: name, reason: reason), in: partySlot, alsoTo: sessions(of: name), into: &outputs)
    }

    /// Withdraws every pending request of a player (who joined a party, or went away).
    mutating func withdrawRequests(of name: String, into outputs: inout [HubOutput]) {
        for partyID in requestedPartyIDsByPlayer[name] ?? [] {
            guard let partySlot = partySlotByID[partyID] else { continue }
            closeRequest(name, in: partySlot, reason: .withdrawn, into: &outputs)
        }
        requestedPartyIDsByPlayer[name] = nil
    }

    mutating func forgetRequest(of name: String, to partyID: String) {
        requestedPartyIDsByPlayer[name]?.removeAll { $0 == partyID }
        if requestedPartyIDsByPlayer[name]?.isEmpty == true { requestedPartyIDsByPlayer[name] = nil }
    }
}
