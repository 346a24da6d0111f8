import Protocol

/// The tag of each `ReplyData` case. Fixed numbers: never renumber or reuse one.
private enum ReplyDataTag: UInt8 {
    case empty = 1
    case party = 2
    case invite = 3
    case joinRequest = 4
    case inviteCode = 5
    case events = 6
    case resumed = 7
}

/// The tag, then the case's value.
extension ReplyData: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .empty: writer.writeTag(ReplyDataTag.empty)
        case .party(let party):
            writer.writeTag(ReplyDataTag.party)
            writer.write(party)
        case .invite(let invite):
            writer.writeTag(ReplyDataTag.invite)
            writer.write(invite)
        case .joinRequest(let request):
            writer.writeTag(ReplyDataTag.joinRequest)
            writer.write(request)
        case .inviteCode(let code):
            writer.writeTag(ReplyDataTag.inviteCode)
            writer.writeString(code)
        case .events(let events):
            writer.writeTag(ReplyDataTag.events)
            writer.write(events)
        case .resumed(let replayed, let seq):
            writer.writeTag(ReplyDataTag.resumed)
            writer.write(replayed)
            writer.writeVarUInt(seq)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(ReplyDataTag.self) {
        case .empty: self = .empty
        case .party: self = .party(try reader.read())
        case .invite: self = .invite(try reader.read())
        case .joinRequest: self = .joinRequest(try reader.read())
        case .inviteCode: self = .inviteCode(try reader.readString())
        case .events: self = .events(try reader.read())
        case .resumed: self = .resumed(replayed: try reader.read(), seq: try reader.readVarUInt())
        }
    }
}

private enum ReplyResultTag: UInt8 {
    case success = 1
    case failure = 2
}

/// A command's answer as an `idem` entry keeps it: a tag, then the data or the error.
extension Result: BinaryCodable where Success == ReplyData, Failure == PartyError {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .success(let data):
            writer.writeTag(ReplyResultTag.success)
            writer.write(data)
        case .failure(let error):
            writer.writeTag(ReplyResultTag.failure)
            writer.write(error)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(ReplyResultTag.self) {
        case .success: self = .success(try reader.read())
        case .failure: self = .failure(try reader.read())
        }
    }
}
