/// Decodes the body of `POST /api/v1/social/party/events` (docs/PROTOCOL.md "Service
/// events"): one event object, or `{"events":[...]}` with at most `IncomingServiceEvent.maxBatch`.
///
/// The body as a whole either has this shape or is refused (400, nothing applied). Within a
/// well-formed body, an event with a valid `event_id` but an unknown `type` or a bad field is
/// decoded as `.invalid`, so it is answered `rejected` in its place and the rest still apply.
public enum ServiceEventDecoder {
    /// The most items one `combat:loot-dropped` may carry.
    public static let maxItems = 100
    /// The longest id or name in an event (party, item, quest, objective, source), in characters.
    public static let maxFieldLength = 128
    /// The largest `count` of a `quest:objective-completed`.
    public static let maxCount = 1_000_000

    /// A body refused as a whole.
    public struct BodyError: Error, Equatable, Sendable {
        public let message: String
    }

    public static func decode(_ body: [UInt8]) -> Result<[IncomingServiceEvent], BodyError> {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body, maxDepth: 8)
        } catch {
            return .failure(BodyError(message: "the body is not JSON: \(error)"))
        }
        guard case .object = document else { return .failure(BodyError(message: "the body must be a JSON object")) }
        let objects: [JSONValue]
        if let events = document["events"] {
            guard case .array(let list) = events else { return .failure(BodyError(message: "\"events\" must be an array")) }
            guard list.count <= IncomingServiceEvent.maxBatch else {
                return .failure(BodyError(message: "at most \(IncomingServiceEvent.maxBatch) events per request"))
            }
            objects = list
        } else {
            objects = [document]
        }
        var events: [IncomingServiceEvent] = []
        events.reserveCapacity(objects.count)
        for (index, object) in objects.enumerated() {
            guard case .object = object else { return .failure(BodyError(message: "event \(index) is not an object")) }
            guard let id = object["event_id"]?.stringValue, (1...IncomingServiceEvent.maxEventIDLength).contains(id.count)
            else {
                return .failure(
                    BodyError(message: "event \(index) needs an \"event_id\" of 1-\(IncomingServiceEvent.maxEventIDLength) characters"))
            }
            events.append(IncomingServiceEvent(eventID: id, body: decodeBody(object)))
        }
        return .success(events)
    }

    private static func decodeBody(_ object: JSONValue) -> IncomingServiceEvent.Body {
        guard let type = object["type"]?.stringValue else { return invalid("\"type\" must be a string") }
        switch type {
        case "combat:loot-dropped":
            guard let party = field(object, "party") else { return invalid(fieldRule("party")) }
            guard let source = field(object, "source") else { return invalid(fieldRule("source")) }
            guard case .array(let list)? = object["items"], (1...maxItems).contains(list.count) else {
                return invalid("\"items\" must be an array of 1-\(maxItems) items")
            }
            var items: [DroppedItem] = []
            items.reserveCapacity(list.count)
            for (index, item) in list.enumerated() {
                guard case .object = item, let itemID = field(item, "item_id"), let name = field(item, "name") else {
                    return invalid("item \(index) needs \"item_id\" and \"name\" of 1-\(maxFieldLength) characters")
                }
                guard let text = item["quality"]?.stringValue, let quality = ItemQuality(rawValue: text) else {
                    let names = ItemQuality.allCases.map(\.rawValue).joined(separator: ", ")
                    return invalid("item \(index) needs a \"quality\": one of \(names)")
                }
                items.append(DroppedItem(itemID: itemID, name: name, quality: quality))
            }
            return .lootDropped(party: party, items: items, source: source)
        case "quest:objective-completed":
            guard let player = object["player"]?.stringValue, JWTCodec.isValidSubject(player) else {
                return invalid("\"player\" must be a player id (1-64 characters of [A-Za-z0-9_.:-])")
            }
            guard let questID = field(object, "quest_id") else { return invalid(fieldRule("quest_id")) }
            guard let objectiveID = field(object, "objective_id") else { return invalid(fieldRule("objective_id")) }
            var count = 1
            if let value = object["count"], value != .null {
                guard let number = value.int64Value, (1...Int64(maxCount)).contains(number) else {
                    return invalid("\"count\" must be an integer from 1 to \(maxCount)")
                }
                count = Int(number)
            }
            return .objectiveCompleted(player: player, questID: questID, objectiveID: objectiveID, count: count)
        default:
            return invalid("unknown event type \"\(type)\" (combat:loot-dropped or quest:objective-completed)")
        }
    }

    /// A string member of 1-`maxFieldLength` characters.
    private static func field(_ object: JSONValue, _ name: String) -> String? {
        guard let value = object[name]?.stringValue, (1...maxFieldLength).contains(value.count) else { return nil }
        return value
    }

    private static func fieldRule(_ name: String) -> String { "\"\(name)\" must be a string of 1-\(maxFieldLength) characters" }

    private static func invalid(_ message: String) -> IncomingServiceEvent.Body {
        .invalid(PartyError(.invalidMessage, message))
    }
}
