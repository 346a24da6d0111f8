/// The party rules the hub enforces, with their defaults. Every rate of 0 turns that limit off.
public struct HubConfiguration: Equatable, Sendable {
    /// Seats in a party created without `max_members` (PROTOCOL-CORE: 5).
    public var maxMembers = 5
    /// The most seats `party.create` may ask for (raids).
    public var maxPartySize = 40
    /// Longest chat text, in Unicode scalars.
    public var maxChatScalars = 1024
    /// Chat messages per second per player.
    public var chatRatePerSecond: Double = 5
    /// Chat messages a player may send at once before the rate applies.
    public var chatBurst: Double = 10
    /// Signals per second per player.
    public var signalRatePerSecond: Double = 10
    public var signalBurst: Double = 20
    /// Other commands per second per player.
    public var commandRatePerSecond: Double = 20
    public var commandBurst: Double = 40
    /// How long an invite (and a join request) lives, in ms.
    public var inviteTTLMilliseconds: Int64 = 60_000
    /// How long a member whose last connection closed keeps the seat, in ms (0: leaves at once).
    public var reconnectGraceMilliseconds: Int64 = 60_000
    /// How long a ready check waits for answers, in ms.
    public var readyCheckMilliseconds: Int64 = 30_000
    /// Events each party keeps for `party.history` and `session.resume`.
    public var historySize = 256
    /// Idempotency keys remembered per player.
    public var idempotencyKeys = 64
    /// How long a loot roll (NEED_GREED, MASTER_LOOTER, FREE_FOR_ALL) stays open, in ms.
    public var lootRollTimeoutMilliseconds: Int64 = 30_000
    /// Pending invites one player may hold (every party's together); a newer one cancels the
    /// oldest. Each is in the invitee's `session.ready`, which must stay small enough to send.
    public var maxPendingInvitesPerPlayer = 20
    /// Connections one player may hold at once; a newer one closes the oldest (close code 4008).
    /// Every connection of a member is a recipient of the party's every event.
    public var maxSessionsPerPlayer = 8
    /// How long a member's last connection may be closed before the party hears
    /// `member_offline`, in ms: a return within it tells the party nothing, so a flapping
    /// connection does not fill the history (0: told at once).
    public var offlineNoticeDelayMilliseconds: Int64 = 2_000
    /// Parties one player may create per minute (a token bucket). Each party costs an id, an
    /// invite code, a history ring and published events, so a player who creates and leaves in
    /// a loop would otherwise churn all of them at the command rate.
    public var partyCreationsPerMinute: Double = 10
    /// Parties a player may create at once before the rate applies.
    public var partyCreationBurst: Double = 5

    public init() {}
}
