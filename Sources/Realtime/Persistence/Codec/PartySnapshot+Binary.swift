import Protocol

// The party as the wire shows it, inside stored replies (`idem`) and notices: each struct's
// fields in declaration order.

/// Every field in order.
extension PartySnapshot: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(inviteCode)
        writer.writeString(leader)
        writer.write(members)
        writer.write(maxMembers)
        writer.writeVarUInt(seq)
        writer.writeVarInt(createdAt)
        writer.writeVarInt(updatedAt)
        writer.write(roster)
        writer.write(lootMode)
        writer.write(masterLooter)
        writer.write(settings)
        writer.write(invites)
        writer.write(requests)
        writer.write(readyCheck)
        writer.write(lootThreshold)
        writer.write(lootRolls)
        writer.write(quests)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            id: try reader.readString(), inviteCode: try reader.readString(), leader: try reader.readString(),
            members: try reader.read(), maxMembers: try reader.read(), seq: try reader.readVarUInt(),
            createdAt: try reader.readVarInt(), updatedAt: try reader.readVarInt(), roster: try reader.read(),
            lootMode: try reader.read(), masterLooter: try reader.read(), settings: try reader.read(),
            invites: try reader.read(), requests: try reader.read(), readyCheck: try reader.read(),
            lootThreshold: try reader.read(), lootRolls: try reader.read(), quests: try reader.read())
    }
}

extension PartyMemberSnapshot: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(player)
        writer.write(role)
        writer.writeBool(online)
        writer.writeVarInt(joinedAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            player: try reader.readString(), role: try reader.read(), online: try reader.readBool(),
            joinedAt: try reader.readVarInt())
    }
}

extension InviteSnapshot: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.write(party)
        writer.writeString(player)
        writer.writeString(by)
        writer.writeVarInt(expiresAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            id: try reader.readString(), party: try reader.read(), player: try reader.readString(),
            by: try reader.readString(),
            expiresAt: try reader.readVarInt())
    }
}

extension PendingInvite: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(player)
        writer.writeString(by)
        writer.writeVarInt(expiresAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            id: try reader.readString(), player: try reader.readString(), by: try reader.readString(),
            expiresAt: try reader.readVarInt())
    }
}

extension JoinRequestSnapshot: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(party)
        writer.writeString(player)
        writer.write(role)
        writer.writeVarInt(expiresAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            party: try reader.readString(), player: try reader.readString(), role: try reader.read(),
            expiresAt: try reader.readVarInt())
    }
}

extension ReadyCheckSnapshot: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(by)
        writer.writeVarInt(expiresAt)
        writer.write(answers)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(by: try reader.readString(), expiresAt: try reader.readVarInt(), answers: try reader.read())
    }
}

extension ReadyAnswer: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(player)
        writer.write(ready)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(player: try reader.readString(), ready: try reader.read())
    }
}
