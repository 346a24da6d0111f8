import Protocol

// Shared quests: the hub's records and the wire's snapshots, each struct's fields in
// declaration order.

extension QuestObjective: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(objectiveID)
        writer.write(required)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(objectiveID: try reader.readString(), required: try reader.read())
    }
}

extension QuestObjectiveProgress: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(objectiveID)
        writer.write(required)
        writer.write(progress)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(objectiveID: try reader.readString(), required: try reader.read(), progress: try reader.read())
    }
}

extension SharedQuestSnapshot: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(questID)
        writer.writeString(by)
        writer.write(objectives)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(questID: try reader.readString(), by: try reader.readString(), objectives: try reader.read())
    }
}

extension SharedQuest.Objective: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.write(required)
        writer.write(progress)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(id: try reader.readString(), required: try reader.read(), progress: try reader.read())
    }
}

extension SharedQuest: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(sharedBy)
        writer.write(objectives)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        self.init(id: try reader.readString(), sharedBy: try reader.readString(), objectives: try reader.read())
        // Progress is added up to `required` by subtracting from it: out of range, it could overflow.
        guard objectives.allSatisfy({ (0...$0.required).contains($0.progress) }) else {
            throw .inconsistent("quest \(id) has an objective's progress outside 0...required", at: start)
        }
    }
}
