import Protocol

// The hub's records (Hub/Party.swift), each field in declaration order. Player and party
// references are slot numbers, restored as they were.

extension Party: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(inviteCode)
        writer.write(members)
        writer.write(leader)
        writer.writeVarUInt(seq)
        writer.write(recipients)
        writer.write(maxMembers)
        writer.write(lootMode)
        writer.write(masterLooter)
        writer.writeVarInt(createdAt)
        writer.writeVarInt(updatedAt)
        writer.write(settings)
        writer.write(inviteIDs)
        writer.write(requests)
        writer.write(readyCheck)
        writer.writeVarUInt(readyCheckNumber)
        history.encode(into: &writer, partyID: id)
        writer.write(lootThreshold)
        writer.write(lootTurn)
        writer.write(lootRolls)
        writer.write(decidedRollIDs)
        writer.write(quests)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        let id = try reader.readString()
        self.init(
            id: id, inviteCode: try reader.readString(), members: try reader.read(), leader: try reader.read(),
            seq: try reader.readVarUInt(), recipients: try reader.read(), maxMembers: try reader.read(),
            lootMode: try reader.read(), masterLooter: try reader.read(), createdAt: try reader.readVarInt(),
            updatedAt: try reader.readVarInt(), settings: try reader.read(), inviteIDs: try reader.read(),
            requests: try reader.read(), readyCheck: try reader.read(), readyCheckNumber: try reader.readVarUInt(),
            history: try EventHistory(decoding: &reader, partyID: id), lootThreshold: try reader.read(),
            lootTurn: try reader.read(), lootRolls: try reader.read(), decidedRollIDs: try reader.read(),
            quests: try reader.read())
        // The round-robin turn indexes the members modulo their count.
        guard lootTurn >= 0 else { throw .inconsistent("party \(id) has loot turn \(lootTurn)", at: start) }
    }
}

extension JoinRequest: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(player)
        writer.write(role)
        writer.writeVarInt(expiresAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(player: try reader.readString(), role: try reader.read(), expiresAt: try reader.readVarInt())
    }
}

extension ReadyCheck: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeVarUInt(number)
        writer.writeString(by)
        writer.writeVarInt(expiresAt)
        writer.write(asked)
        writer.write(answers)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        self.init(
            number: try reader.readVarUInt(), by: try reader.readString(), expiresAt: try reader.readVarInt(),
            asked: try reader.read(), answers: try reader.read())
        guard asked.count == answers.count else {
            throw .inconsistent("a ready check asks \(asked.count) members with \(answers.count) answers", at: start)
        }
    }
}

extension Invite: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.write(partySlot)
        writer.writeString(player)
        writer.writeString(by)
        writer.writeVarInt(expiresAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            id: try reader.readString(), partySlot: try reader.read(), player: try reader.readString(),
            by: try reader.readString(), expiresAt: try reader.readVarInt())
    }
}

extension PlayerRecord: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(name)
        writer.write(sessions)
        writer.write(party)
        writer.write(chatBucket)
        writer.write(signalBucket)
        writer.write(commandBucket)
        writer.write(role)
        writer.writeVarInt(joinedAt)
        writer.writeVarUInt(joinedSeq)
        writer.write(offlineSince)
        writer.write(recentRequests)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            name: try reader.readString(), sessions: try reader.read(), party: try reader.read(),
            chatBucket: try reader.read(), signalBucket: try reader.read(), commandBucket: try reader.read(),
            role: try reader.read(), joinedAt: try reader.readVarInt(), joinedSeq: try reader.readVarUInt(),
            offlineSince: try reader.read(), recentRequests: try reader.read())
    }
}
