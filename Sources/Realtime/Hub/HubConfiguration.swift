/// The party rules the hub enforces, with their defaults.
public struct HubConfiguration: Equatable, Sendable {
    /// Seats in a party created without `max_members` (PROTOCOL-CORE: 5).
    public var maxMembers = 5
    /// The most seats `party.create` may ask for (raids).
    public var maxPartySize = 40
    /// Longest chat text, in Unicode scalars.
    public var maxChatScalars = 1024
    /// Chat messages per second per player; 0 turns the limit off.
    public var chatRatePerSecond: Double = 5
    /// Chat messages a player may send at once before the rate applies.
    public var chatBurst: Double = 10

    public init() {}
}
