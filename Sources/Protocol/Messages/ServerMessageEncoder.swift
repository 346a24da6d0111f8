/// Encodes server messages as JSON text frames, straight into a `ByteWriter`: the JSON goes
/// after room reserved for the largest frame header, and the header is then written just
/// before it, so a message is framed without a copy.
public enum ServerMessageEncoder {
    /// Encodes `message` as one complete text frame and returns its bytes (valid until the
    /// writer is next used).
    public static func encodeFrame(_ message: ServerMessage, into writer: ByteWriter) -> UnsafeRawBufferPointer {
        writer.reset(reserving: WebSocketFrameEncoder.maxServerHeaderLength)
        encodeJSON(message, into: writer)
        return finishTextFrame(writer)
    }

    /// Frames the JSON written after the reserved header room.
    public static func finishTextFrame(_ writer: ByteWriter) -> UnsafeRawBufferPointer {
        WebSocketFrameEncoder.finishFrame(in: writer, opcode: .text)
    }

    /// The JSON text of `message` alone (for tests and documentation).
    public static func json(_ message: ServerMessage) -> String {
        let writer = ByteWriter(capacity: 256)
        encodeJSON(message, into: writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Appends the JSON of `message` to `writer`.
    public static func encodeJSON(_ message: ServerMessage, into writer: ByteWriter) {
        switch message {
        case .sessionReady(let player):
            writer.append("{\"ev\":\"session.ready\",\"player\":")
            writer.appendJSONString(player)
            writer.append("}")
        case .reply(let rid, let result):
            writer.append("{\"rid\":")
            if let rid { writer.append(decimal: rid) } else { writer.append("null") }
            switch result {
            case .success(.empty):
                writer.append(",\"ok\":true}")
            case .success(.party(let party)):
                writer.append(",\"ok\":true,\"data\":{\"party\":")
                encodeParty(party, into: writer)
                writer.append("}}")
            case .failure(let error):
                writer.append(",\"ok\":false,\"error\":{\"code\":")
                writer.appendJSONString(error.code.rawValue)
                writer.append(",\"message\":")
                writer.appendJSONString(error.message)
                writer.append("}}")
            }
        case .event(let event):
            encodeEvent(event, into: writer)
        }
    }

    private static func encodeEvent(_ event: PartyEvent, into writer: ByteWriter) {
        switch event.body {
        case .memberJoined(let player):
            writer.append("{\"ev\":\"party.member_joined\"")
            appendPartyAndSeq(event, writer)
            writer.append(",\"player\":")
            writer.appendJSONString(player)
        case .memberLeft(let player, let reason):
            writer.append("{\"ev\":\"party.member_left\"")
            appendPartyAndSeq(event, writer)
            writer.append(",\"player\":")
            writer.appendJSONString(player)
            writer.append(",\"reason\":")
            writer.appendJSONString(reason.rawValue)
        case .leaderChanged(let leader):
            writer.append("{\"ev\":\"party.leader_changed\"")
            appendPartyAndSeq(event, writer)
            writer.append(",\"leader\":")
            writer.appendJSONString(leader)
        case .disbanded(let by):
            writer.append("{\"ev\":\"party.disbanded\"")
            appendPartyAndSeq(event, writer)
            writer.append(",\"by\":")
            writer.appendJSONString(by)
        case .roleChanged(let player, let role):
            writer.append("{\"ev\":\"party.role_changed\"")
            appendPartyAndSeq(event, writer)
            writer.append(",\"player\":")
            writer.appendJSONString(player)
            writer.append(",\"role\":")
            appendRole(role, writer)
        case .lootChanged(let mode, let masterLooter):
            writer.append("{\"ev\":\"party.loot_changed\"")
            appendPartyAndSeq(event, writer)
            appendLoot(mode, masterLooter, writer)
        case .chat(let from, let text, let timestamp):
            writer.append("{\"ev\":\"party.chat\"")
            appendPartyAndSeq(event, writer)
            writer.append(",\"from\":")
            writer.appendJSONString(from)
            writer.append(",\"text\":")
            writer.appendJSONString(text)
            writer.append(",\"ts\":")
            writer.append(decimal: timestamp)
        }
        writer.append("}")
    }

    private static func appendPartyAndSeq(_ event: PartyEvent, _ writer: ByteWriter) {
        writer.append(",\"party\":")
        writer.appendJSONString(event.partyID)
        writer.append(",\"seq\":")
        writer.append(decimal: Int64(truncatingIfNeeded: event.seq))
    }

    private static func encodeParty(_ party: PartySnapshot, into writer: ByteWriter) {
        writer.append("{\"id\":")
        writer.appendJSONString(party.id)
        writer.append(",\"invite_code\":")
        writer.appendJSONString(party.inviteCode)
        writer.append(",\"leader\":")
        writer.appendJSONString(party.leader)
        writer.append(",\"members\":[")
        for (index, member) in party.members.enumerated() {
            if index > 0 { writer.append(",") }
            writer.appendJSONString(member)
        }
        writer.append("],\"max_members\":")
        writer.append(decimal: Int64(party.maxMembers))
        writer.append(",\"seq\":")
        writer.append(decimal: Int64(truncatingIfNeeded: party.seq))
        writer.append(",\"created_at\":")
        writer.append(decimal: party.createdAt)
        writer.append(",\"updated_at\":")
        writer.append(decimal: party.updatedAt)
        appendLoot(party.lootMode, party.masterLooter, writer)
        writer.append(",\"roster\":[")
        for (index, member) in party.roster.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append("{\"player\":")
            writer.appendJSONString(member.player)
            writer.append(",\"role\":")
            appendRole(member.role, writer)
            writer.append(member.online ? ",\"online\":true,\"joined_at\":" : ",\"online\":false,\"joined_at\":")
            writer.append(decimal: member.joinedAt)
            writer.append("}")
        }
        writer.append("]}")
    }

    private static func appendLoot(_ mode: LootMode, _ masterLooter: String?, _ writer: ByteWriter) {
        writer.append(",\"loot_mode\":")
        writer.appendJSONString(mode.rawValue)
        writer.append(",\"master_looter\":")
        if let masterLooter { writer.appendJSONString(masterLooter) } else { writer.append("null") }
    }

    private static func appendRole(_ role: PartyRole?, _ writer: ByteWriter) {
        if let role { writer.appendJSONString(role.rawValue) } else { writer.append("null") }
    }
}
