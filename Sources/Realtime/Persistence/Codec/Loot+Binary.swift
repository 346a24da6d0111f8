import Protocol

// Loot rolls: the hub's open rolls, and the wire's snapshots and outcomes (inside stored
// events and `idem` answers). Structs are their fields in declaration order.

/// The tag of each `LootChoice`. Fixed numbers: never renumber or reuse one.
private enum LootChoiceTag: UInt8 {
    case need = 1, greed = 2, pass = 3
}

extension LootChoice: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .need: writer.writeTag(LootChoiceTag.need)
        case .greed: writer.writeTag(LootChoiceTag.greed)
        case .pass: writer.writeTag(LootChoiceTag.pass)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(LootChoiceTag.self) {
        case .need: self = .need
        case .greed: self = .greed
        case .pass: self = .pass
        }
    }
}

/// The tag of each `LootRollReason`. Fixed numbers: never renumber or reuse one.
private enum LootRollReasonTag: UInt8 {
    case threshold = 1, personal = 2, need = 3, greed = 4, nobody = 5, assigned = 6, timeout = 7, claimed = 8
    case disbanded = 9
}

extension LootRollReason: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .threshold: writer.writeTag(LootRollReasonTag.threshold)
        case .personal: writer.writeTag(LootRollReasonTag.personal)
        case .need: writer.writeTag(LootRollReasonTag.need)
        case .greed: writer.writeTag(LootRollReasonTag.greed)
        case .nobody: writer.writeTag(LootRollReasonTag.nobody)
        case .assigned: writer.writeTag(LootRollReasonTag.assigned)
        case .timeout: writer.writeTag(LootRollReasonTag.timeout)
        case .claimed: writer.writeTag(LootRollReasonTag.claimed)
        case .disbanded: writer.writeTag(LootRollReasonTag.disbanded)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(LootRollReasonTag.self) {
        case .threshold: self = .threshold
        case .personal: self = .personal
        case .need: self = .need
        case .greed: self = .greed
        case .nobody: self = .nobody
        case .assigned: self = .assigned
        case .timeout: self = .timeout
        case .claimed: self = .claimed
        case .disbanded: self = .disbanded
        }
    }
}

extension PlayerLootChoice: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(player)
        writer.write(choice)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(player: try reader.readString(), choice: try reader.read())
    }
}

extension ContenderRolls: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(player)
        writer.write(values)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(player: try reader.readString(), values: try reader.read())
    }
}

extension LootRollSnapshot: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(roll)
        writer.write(item)
        writer.write(mode)
        writer.write(eligible)
        writer.writeVarInt(expiresAt)
        writer.writeString(commitment)
        writer.write(choices)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            roll: try reader.readString(), item: try reader.read(), mode: try reader.read(), eligible: try reader.read(),
            expiresAt: try reader.readVarInt(), commitment: try reader.readString(), choices: try reader.read())
    }
}

extension LootRollOutcome: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(roll)
        writer.write(item)
        writer.write(mode)
        writer.write(winner)
        writer.write(reason)
        writer.write(choices)
        writer.write(rolls)
        writer.writeString(seed)
        writer.writeString(commitment)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            roll: try reader.readString(), item: try reader.read(), mode: try reader.read(), winner: try reader.read(),
            reason: try reader.read(), choices: try reader.read(), rolls: try reader.read(), seed: try reader.readString(),
            commitment: try reader.readString())
    }
}

/// The id, the item, the mode, the seed, the deadline, then the eligible members (slots) and
/// their choices. The commitment is not written: it is the seed's hash, computed again.
extension LootRoll: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.write(item)
        writer.write(mode)
        writer.writeString(seed)
        writer.writeVarInt(expiresAt)
        writer.write(eligible)
        writer.write(choices)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        self.init(
            id: try reader.readString(), item: try reader.read(), mode: try reader.read(), seed: try reader.readString(),
            expiresAt: try reader.readVarInt(), eligible: try reader.read(), choices: try reader.read())
        guard eligible.count == choices.count else {
            throw .inconsistent("loot roll \(id) has \(eligible.count) eligible members and \(choices.count) choices", at: start)
        }
    }
}
