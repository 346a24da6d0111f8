/// An item's quality, lowest first (loot thresholds compare them).
public enum ItemQuality: String, CaseIterable, Comparable, Sendable {
    case poor, common, uncommon, rare, epic, legendary

    public static func < (lhs: ItemQuality, rhs: ItemQuality) -> Bool { lhs.rank < rhs.rank }

    /// 0 for `poor` up to 5 for `legendary`.
    public var rank: Int {
        switch self {
        case .poor: return 0
        case .common: return 1
        case .uncommon: return 2
        case .rare: return 3
        case .epic: return 4
        case .legendary: return 5
        }
    }
}

/// One dropped item of `combat:loot-dropped`.
public struct DroppedItem: Equatable, Sendable {
    public let itemID: String
    public let name: String
    public let quality: ItemQuality

    public init(itemID: String, name: String, quality: ItemQuality) {
        self.itemID = itemID
        self.name = name
        self.quality = quality
    }
}

/// An event another service of the game sends the hub (`POST /api/v1/social/party/events`,
/// docs/PROTOCOL.md "Service events"), decoded and type-checked but not yet judged against the
/// hub's state.
public struct IncomingServiceEvent: Equatable, Sendable {
    /// `event_id`: 1-128 characters; the hub takes each id once.
    public let eventID: String
    public let body: Body

    public enum Body: Equatable, Sendable {
        /// `combat:loot-dropped {party, items, source}`.
        case lootDropped(party: String, items: [DroppedItem], source: String)
        /// `quest:objective-completed {player, quest_id, objective_id, count}`.
        case objectiveCompleted(player: String, questID: String, objectiveID: String, count: Int)
        /// An event with an `event_id` that is otherwise invalid (unknown type, a field missing
        /// or wrong): answered `rejected` with this error, in its place in the batch, and its id
        /// is not taken.
        case invalid(PartyError)
    }

    public init(eventID: String, body: Body) {
        self.eventID = eventID
        self.body = body
    }

    /// The most events one request may carry.
    public static let maxBatch = 1000
    /// The longest `event_id`, in characters.
    public static let maxEventIDLength = 128
}

/// What became of one incoming event: one `results` entry of the answer.
public struct ServiceEventResult: Equatable, Sendable {
    public let eventID: String
    public let status: Status

    public enum Status: Equatable, Sendable {
        /// Taken and applied; `rolls` lists the loot roll ids a `combat:loot-dropped` opened.
        case applied(rolls: [String]?)
        /// An `event_id` the hub has already taken: nothing happened this time.
        case duplicate
        /// Valid, but about nothing the hub holds (`reason` says what).
        case ignored(reason: String)
        /// Invalid (`code` and `message`); its id is not taken.
        case rejected(PartyError)
    }

    public init(eventID: String, status: Status) {
        self.eventID = eventID
        self.status = status
    }
}
