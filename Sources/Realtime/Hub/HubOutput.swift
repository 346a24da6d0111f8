import Protocol

/// What the hub asks its driver to deliver.
public enum HubOutput: Equatable, Sendable {
    /// The reply to a command that carried a `rid`, for that one connection.
    case reply(SessionID, rid: Int64, Result<ReplyData, PartyError>)
    /// A party event for these connections (every connection of every member at the time;
    /// a leaver's own connections included for its `member_left`).
    case event(PartyEvent, recipients: [SessionID])
    /// A message for some connections of one player (`session.ready`, `party.invited`, ...).
    case notice(ServerMessage, recipients: [SessionID])
    /// The answer to a `serviceEvents` input: one result per event, in order.
    case serviceResults(SessionID, [ServiceEventResult])
    /// The answer to an `organizationRequest`, for its caller.
    case organizationAnswer(SessionID, OrganizationReply)
    /// The answer to an `adminDisband`: the members the party had, or nil when there is no
    /// such party.
    case adminDisbanded(SessionID, party: String, members: [String]?)
    /// The answer to an `adminReadParty`: the party, or nil when there is no such party.
    case adminParty(SessionID, party: String, PartySnapshot?)
    /// The answer to an `adminReadPlayer`, or nil when the hub holds no such player.
    case adminPlayer(SessionID, player: String, AdminPlayerView?)
    /// An event for the outgoing stream (offset assigned by the hub).
    case published(PublishedEvent)
    /// The hub let go of this connection's session (it is no longer a recipient, and its
    /// commands are no longer the player's): the driver closes the connection.
    case sessionEnded(SessionID, reason: SessionEndReason)
}

/// Why the hub let go of a session that was still open.
public enum SessionEndReason: Equatable, Sendable {
    /// Its player opened a connection past `maxSessionsPerPlayer`; the oldest goes.
    case tooManySessions
}

/// A player as the admin API shows them: their sessions, party, and what is left of each rate
/// budget (nil: that budget is off).
public struct AdminPlayerView: Equatable, Sendable {
    public let player: String
    public let sessions: [SessionID]
    /// Whether the player is present (a connection that is not read-only).
    public let online: Bool
    public let party: String?
    public let offlineSince: Int64?
    public let budgets: [(name: String, available: Int64?, burst: Int64, perSecond: Double)]

    public static func == (a: AdminPlayerView, b: AdminPlayerView) -> Bool {
        a.player == b.player && a.sessions == b.sessions && a.online == b.online && a.party == b.party && a.offlineSince == b.offlineSince
            && a.budgets.elementsEqual(b.budgets) { $0.name == $1.name && $0.available == $1.available && $0.burst == $1.burst && $0.perSecond == $1.perSecond }
    }
}
