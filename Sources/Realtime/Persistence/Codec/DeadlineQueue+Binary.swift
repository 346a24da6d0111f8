/// The tag of each `DeadlineQueue.Action` case. Fixed numbers: never renumber or reuse one.
private enum DeadlineActionTag: UInt8 {
    case expireInvite = 1
    case expireRequest = 2
    case endReadyCheck = 3
    case endGrace = 4
    case endLootRoll = 5
    case noticeOffline = 6
}

extension DeadlineQueue.Action: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .expireInvite(let id):
            writer.writeTag(DeadlineActionTag.expireInvite)
            writer.writeString(id)
        case .expireRequest(let partyID, let player):
            writer.writeTag(DeadlineActionTag.expireRequest)
            writer.writeString(partyID)
            writer.writeString(player)
        case .endReadyCheck(let partyID, let number):
            writer.writeTag(DeadlineActionTag.endReadyCheck)
            writer.writeString(partyID)
            writer.writeVarUInt(number)
        case .endGrace(let player, let offlineSince):
            writer.writeTag(DeadlineActionTag.endGrace)
            writer.writeString(player)
            writer.writeVarInt(offlineSince)
        case .endLootRoll(let partyID, let roll):
            writer.writeTag(DeadlineActionTag.endLootRoll)
            writer.writeString(partyID)
            writer.writeString(roll)
        case .noticeOffline(let player):
            writer.writeTag(DeadlineActionTag.noticeOffline)
            writer.writeString(player)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(DeadlineActionTag.self) {
        case .expireInvite: self = .expireInvite(id: try reader.readString())
        case .expireRequest: self = .expireRequest(partyID: try reader.readString(), player: try reader.readString())
        case .endReadyCheck: self = .endReadyCheck(partyID: try reader.readString(), number: try reader.readVarUInt())
        case .endGrace: self = .endGrace(player: try reader.readString(), offlineSince: try reader.readVarInt())
        case .endLootRoll: self = .endLootRoll(partyID: try reader.readString(), roll: try reader.readString())
        case .noticeOffline: self = .noticeOffline(player: try reader.readString())
        }
    }
}

/// The time, the order, then the action.
extension DeadlineQueue.Entry: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeVarInt(at)
        writer.writeVarUInt(order)
        writer.write(action)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(at: try reader.readVarInt(), order: try reader.readVarUInt(), action: try reader.read())
    }
}

/// The heap in array order (so equal deadlines keep their order after a restore), then
/// `nextOrder`.
extension DeadlineQueue: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(heap)
        writer.writeVarUInt(nextOrder)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        let heap: [Entry] = try reader.read()
        guard let queue = DeadlineQueue(heap: heap, nextOrder: try reader.readVarUInt()) else {
            throw .inconsistent("the deadline entries are not a heap, or not numbered below next_order", at: start)
        }
        self = queue
    }
}
