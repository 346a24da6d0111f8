import Protocol

// The small enums of a party's settings, each as a tag byte from its own table. The tables
// give fixed numbers, independent of the declaration order and of the wire strings: never
// renumber or reuse one; a new case takes a new number.

private enum LootModeTag: UInt8 {
    case needGreed = 1
    case personal = 2
    case masterLooter = 3
    case freeForAll = 4
}

extension LootMode: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .needGreed: writer.writeTag(LootModeTag.needGreed)
        case .personal: writer.writeTag(LootModeTag.personal)
        case .masterLooter: writer.writeTag(LootModeTag.masterLooter)
        case .freeForAll: writer.writeTag(LootModeTag.freeForAll)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(LootModeTag.self) {
        case .needGreed: self = .needGreed
        case .personal: self = .personal
        case .masterLooter: self = .masterLooter
        case .freeForAll: self = .freeForAll
        }
    }
}

private enum PartyRoleTag: UInt8 {
    case tank = 1
    case healer = 2
    case dps = 3
}

extension PartyRole: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .tank: writer.writeTag(PartyRoleTag.tank)
        case .healer: writer.writeTag(PartyRoleTag.healer)
        case .dps: writer.writeTag(PartyRoleTag.dps)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(PartyRoleTag.self) {
        case .tank: self = .tank
        case .healer: self = .healer
        case .dps: self = .dps
        }
    }
}

private enum InvitePolicyTag: UInt8 {
    case members = 1
    case leader = 2
}

extension InvitePolicy: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .members: writer.writeTag(InvitePolicyTag.members)
        case .leader: writer.writeTag(InvitePolicyTag.leader)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(InvitePolicyTag.self) {
        case .members: self = .members
        case .leader: self = .leader
        }
    }
}

/// Tank, healer and dps slots.
extension Composition: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(tank)
        writer.write(healer)
        writer.write(dps)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(tank: try reader.read(), healer: try reader.read(), dps: try reader.read())
    }
}

/// `open`, the invite policy, then the composition (optional).
extension PartySettings: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeBool(open)
        writer.write(invitePolicy)
        writer.write(composition)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(open: try reader.readBool(), invitePolicy: try reader.read(), composition: try reader.read())
    }
}

/// The slots (optional), the filled roles, then the members with no role.
extension CompositionReport: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(slots)
        writer.write(filled)
        writer.write(unassigned)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(slots: try reader.read(), filled: try reader.read(), unassigned: try reader.read())
    }
}
