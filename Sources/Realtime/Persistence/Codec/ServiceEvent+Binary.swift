import Protocol

/// The tag of each `ItemQuality`. Fixed numbers: never renumber or reuse one.
private enum ItemQualityTag: UInt8 {
    case poor = 1, common = 2, uncommon = 3, rare = 4, epic = 5, legendary = 6
}

extension ItemQuality: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .poor: writer.writeTag(ItemQualityTag.poor)
        case .common: writer.writeTag(ItemQualityTag.common)
        case .uncommon: writer.writeTag(ItemQualityTag.uncommon)
        case .rare: writer.writeTag(ItemQualityTag.rare)
        case .epic: writer.writeTag(ItemQualityTag.epic)
        case .legendary: writer.writeTag(ItemQualityTag.legendary)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(ItemQualityTag.self) {
        case .poor: self = .poor
        case .common: self = .common
        case .uncommon: self = .uncommon
        case .rare: self = .rare
        case .epic: self = .epic
        case .legendary: self = .legendary
        }
    }
}

/// The item id, the name, then the quality.
extension DroppedItem: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(itemID)
        writer.writeString(name)
        writer.write(quality)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(itemID: try reader.readString(), name: try reader.readString(), quality: try reader.read())
    }
}

/// The tag of each `IncomingServiceEvent.Body` case. Fixed numbers: never renumber or reuse one.
private enum ServiceEventTag: UInt8 {
    case lootDropped = 1
    case objectiveCompleted = 2
    case invalid = 3
}

/// The event id, the body's tag, then the case's values in order.
extension IncomingServiceEvent: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(eventID)
        switch body {
        case .lootDropped(let party, let items, let source):
            writer.writeTag(ServiceEventTag.lootDropped)
            writer.writeString(party)
            writer.write(items)
            writer.writeString(source)
        case .objectiveCompleted(let player, let questID, let objectiveID, let count):
            writer.writeTag(ServiceEventTag.objectiveCompleted)
            writer.writeString(player)
            writer.writeString(questID)
            writer.writeString(objectiveID)
            writer.writeVarInt(Int64(count))
        case .invalid(let error):
            writer.writeTag(ServiceEventTag.invalid)
            writer.write(error)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let eventID = try reader.readString()
        switch try reader.readTag(ServiceEventTag.self) {
        case .lootDropped:
            self.init(
                eventID: eventID,
                body: .lootDropped(party: try reader.readString(), items: try reader.read(), source: try reader.readString()))
        case .objectiveCompleted:
            self.init(
                eventID: eventID,
                body: .objectiveCompleted(
                    player: try reader.readString(), questID: try reader.readString(), objectiveID: try reader.readString(),
                    count: try reader.read()))
        case .invalid:
            self.init(eventID: eventID, body: .invalid(try reader.read()))
        }
    }
}
