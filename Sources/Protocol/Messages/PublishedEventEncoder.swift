/// Encodes a published event (docs/PROTOCOL.md, "Events out") as its one JSON object:
/// `{"offset":7,"type":"party:member-joined","ts":1764601234567,"party":"…","player":"bob"}`.
/// The event stream encodes each event once, as a text frame whose payload is this JSON; the
/// same bytes are stored in the event files, served by `GET …/events` and sent to every stream
/// subscriber.
public enum PublishedEventEncoder {
    /// Encodes `event` as one complete text frame into `writer` (the JSON after room reserved
    /// for the header, as `ServerMessageEncoder` does) and returns the frame's bytes, valid
    /// until the writer is next used.
    public static func encodeFrame(_ event: PublishedEvent, into writer: ByteWriter) -> UnsafeRawBufferPointer {
        writer.reset(reserving: WebSocketFrameEncoder.maxServerHeaderLength)
        encodeJSON(event, into: writer)
        return WebSocketFrameEncoder.finishFrame(in: writer, opcode: .text)
    }

    /// The JSON text of `event` alone (tests and documentation).
    public static func json(_ event: PublishedEvent) -> String {
        let writer = ByteWriter(capacity: 256)
        encodeJSON(event, into: writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Appends the JSON object of `event` to `writer`: `offset`, `type`, `ts`, then the kind's
    /// fields in the order the protocol lists them.
    public static func encodeJSON(_ event: PublishedEvent, into writer: ByteWriter) {
        writer.append("{\"offset\":")
        writer.append(unsignedDecimal: event.offset)
        writer.append(",\"type\":")
        writer.appendJSONString(event.kind.type)
        writer.append(",\"ts\":")
        writer.append(decimal: event.ts)
        switch event.kind {
        case .partyCreated(let party, let leader, let maxMembers, let lootMode):
            appendString(",\"party\":", party, writer)
            appendString(",\"leader\":", leader, writer)
            writer.append(",\"max_members\":")
            writer.append(decimal: Int64(maxMembers))
            appendString(",\"loot_mode\":", lootMode.rawValue, writer)
        case .memberJoined(let party, let player):
            appendString(",\"party\":", party, writer)
            appendString(",\"player\":", player, writer)
        case .memberLeft(let party, let player, let reason):
            appendString(",\"party\":", party, writer)
            appendString(",\"player\":", player, writer)
            appendString(",\"reason\":", reason, writer)
        case .leaderChanged(let party, let leader):
            appendString(",\"party\":", party, writer)
            appendString(",\"leader\":", leader, writer)
        case .disbanded(let party, let reason):
            appendString(",\"party\":", party, writer)
            appendString(",\"reason\":", reason, writer)
        case .lootRolled(let party, let roll, let item, let winner, let reason):
            appendString(",\"party\":", party, writer)
            appendString(",\"roll\":", roll, writer)
            appendString(",\"item\":{\"item_id\":", item.itemID, writer)
            appendString(",\"name\":", item.name, writer)
            appendString(",\"quality\":", item.quality.rawValue, writer)
            writer.append("},\"winner\":")
            if let winner { writer.appendJSONString(winner) } else { writer.append("null") }
            appendString(",\"reason\":", reason, writer)
        case .questCompleted(let party, let questID, let members):
            appendString(",\"party\":", party, writer)
            appendString(",\"quest_id\":", questID, writer)
            writer.append(",\"members\":[")
            for (index, member) in members.enumerated() {
                if index > 0 { writer.append(",") }
                writer.appendJSONString(member)
            }
            writer.append("]")
        case .groupCreated(let group, let organization, let name, let by):
            appendString(",\"group\":", group, writer)
            appendString(",\"organization\":", organization, writer)
            appendString(",\"name\":", name, writer)
            appendString(",\"by\":", by, writer)
        case .groupMemberAdded(let group, let organization, let user, let invitedBy):
            appendString(",\"group\":", group, writer)
            appendString(",\"organization\":", organization, writer)
            appendString(",\"user\":", user, writer)
            appendString(",\"invited_by\":", invitedBy, writer)
        case .groupMemberRemoved(let group, let organization, let user, let by, let reason):
            appendString(",\"group\":", group, writer)
            appendString(",\"organization\":", organization, writer)
            appendString(",\"user\":", user, writer)
            appendString(",\"by\":", by, writer)
            appendString(",\"reason\":", reason.rawValue, writer)
        case .groupDeleted(let group, let organization, let by):
            appendString(",\"group\":", group, writer)
            appendString(",\"organization\":", organization, writer)
            appendString(",\"by\":", by, writer)
        }
        writer.append("}")
    }

    private static func appendString(_ key: StaticString, _ value: String, _ writer: ByteWriter) {
        writer.append(key)
        writer.appendJSONString(value)
    }
}
