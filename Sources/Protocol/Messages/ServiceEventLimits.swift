/// The limits of an incoming service event's fields (docs/PROTOCOL.md, "Events in"). The HTTP
/// layer refuses an event past them, and the hub checks them again before it applies one, so
/// that nothing it is handed can grow its state without bound. Lengths are in Unicode scalars.
public enum ServiceEventLimits {
    /// `event_id`.
    public static let eventIDLength = 1...IncomingServiceEvent.maxEventIDLength
    /// `party` (a party id: a UUID) and `player` (a player id).
    public static let idLength = 1...64
    /// Items one `combat:loot-dropped` may carry.
    public static let itemsPerDrop = 1...100
    /// An item's `item_id`.
    public static let itemIDLength = 1...64
    /// An item's `name`.
    public static let itemNameLength = 1...128
    /// `source`, free text naming what dropped the loot (may be empty).
    public static let sourceLength = 0...128
    /// `count` of `quest:objective-completed`.
    public static let objectiveCount = 1...1_000_000

    /// What is wrong with the event's id, or nil.
    public static func eventIDProblem(_ eventID: String) -> String? {
        TextLimit.count(of: eventID, isIn: eventIDLength) ? nil : "event_id must be 1-\(eventIDLength.upperBound) characters"
    }

    /// What is wrong with an event's fields, or nil (an `invalid` body says so itself).
    public static func problem(_ body: IncomingServiceEvent.Body) -> String? {
        switch body {
        case .lootDropped(let party, let items, let source):
            guard TextLimit.count(of: party, isIn: idLength) else { return "party must be 1-\(idLength.upperBound) characters" }
            guard itemsPerDrop.contains(items.count) else { return "items must hold 1-\(itemsPerDrop.upperBound) items" }
            for item in items {
                guard TextLimit.count(of: item.itemID, isIn: itemIDLength) else {
                    return "item_id must be 1-\(itemIDLength.upperBound) characters"
                }
                guard TextLimit.count(of: item.name, isIn: itemNameLength) else {
                    return "name must be 1-\(itemNameLength.upperBound) characters"
                }
            }
            guard TextLimit.count(of: source, isIn: sourceLength) else {
                return "source must be at most \(sourceLength.upperBound) characters"
            }
            return nil
        case .objectiveCompleted(let player, let questID, let objectiveID, let count):
            guard TextLimit.count(of: player, isIn: idLength) else { return "player must be 1-\(idLength.upperBound) characters" }
            guard SharedQuestLimits.isValidID(questID) else {
                return "quest_id must be 1-\(SharedQuestLimits.idLength.upperBound) characters"
            }
            guard SharedQuestLimits.isValidID(objectiveID) else {
                return "objective_id must be 1-\(SharedQuestLimits.idLength.upperBound) characters"
            }
            guard objectiveCount.contains(count) else {
                return "count must be \(objectiveCount.lowerBound)-\(objectiveCount.upperBound)"
            }
            return nil
        case .invalid:
            return nil
        }
    }
}
