/// A pending invite, as its invitee and the inviter's party see it (`INVITE`).
public struct InviteSnapshot: Equatable, Sendable {
    public let id: String
    /// The party as it is now, as an outsider sees it: on the wire, without the pending
    /// invites, join requests, ready check, loot rolls and quests of a party the invitee is not in.
    public let party: PartySnapshot
    /// The invitee.
    public let player: String
    /// The inviter.
    public let by: String
    /// Unix ms.
    public let expiresAt: Int64

    public init(id: String, party: PartySnapshot, player: String, by: String, expiresAt: Int64) {
        self.id = id
        self.party = party
        self.player = player
        self.by = by
        self.expiresAt = expiresAt
    }
}

/// A pending invite inside PARTY.
public struct PendingInvite: Equatable, Sendable {
    public let id: String
    public let player: String
    public let by: String
    public let expiresAt: Int64

    public init(id: String, player: String, by: String, expiresAt: Int64) {
        self.id = id
        self.player = player
        self.by = by
        self.expiresAt = expiresAt
    }
}

/// A pending join request to a closed party (`REQUEST`).
public struct JoinRequestSnapshot: Equatable, Sendable {
    /// The party id.
    public let party: String
    public let player: String
    /// The role the player asked to take.
    public let role: PartyRole?
    /// Unix ms.
    public let expiresAt: Int64

    public init(party: String, player: String, role: PartyRole?, expiresAt: Int64) {
        self.party = party
        self.player = player
        self.role = role
        self.expiresAt = expiresAt
    }
}

/// Why a join request ended without a join (`reason` of `party.join_rejected`).
public enum JoinRejectReason: String, Equatable, Sendable {
    /// The leader rejected it.
    case rejected
    /// Nobody answered within the invite time-to-live.
    case expired
    /// The requester went offline or joined another party first.
    case withdrawn
    /// The party ended (disbanded, or its last member left).
    case partyGone = "party_gone"
    /// A seat went another way (an invite, an open join) and the request no longer fits in
    /// the free seats.
    case full
}

/// Why an invite ended without an accept (`reason` of `party.invite_cancelled`).
public enum InviteCancelReason: String, Equatable, Sendable {
    /// The party was disbanded or its last member left.
    case partyGone = "party_gone"
    /// Nobody answered it within the invite time-to-live.
    case expired
    /// Newer invites took its place: a player holds at most `--max-invites-per-player`.
    case superseded
}
