import Protocol

/// The code, the message, then the detail (optional).
extension PartyError: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(code)
        writer.writeString(message)
        writer.write(detail)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(try reader.read(), try reader.readString(), detail: try reader.read())
    }
}

/// The tag of each error code the protocol defines. Fixed numbers: never renumber or reuse
/// one. A code outside the table (the type is open) is written as `otherCodeTag` and its text.
private let partyErrorCodeTags: [(tag: UInt8, code: PartyErrorCode)] = [
    (1, .alreadyInParty),
    (2, .notFound),
    (3, .partyFull),
    (4, .notInParty),
    (5, .invalidMessage),
    (6, .rateLimited),
    (7, .unknownOp),
    (8, .notLeader),
    (9, .notMember),
    (10, .invalidTarget),
    (11, .alreadyInvited),
    (12, .alreadyRequested),
    (13, .compositionFull),
    (14, .readyCheckActive),
    (15, .noReadyCheck),
    (16, .resyncRequired),
    (17, .internalError),
    (18, .rollClosed),
    (19, .notEligible),
    (20, .notMasterLooter),
    (21, .alreadyShared),
]
private let otherCodeTag: UInt8 = 255
private let tagByPartyErrorCode = Dictionary(uniqueKeysWithValues: partyErrorCodeTags.map { ($0.code, $0.tag) })
private let partyErrorCodeByTag = Dictionary(uniqueKeysWithValues: partyErrorCodeTags.map { ($0.tag, $0.code) })

/// A tag byte from the table, or `otherCodeTag` and the code's text.
extension PartyErrorCode: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        if let tag = tagByPartyErrorCode[self] {
            writer.writeUInt8(tag)
        } else {
            writer.writeUInt8(otherCodeTag)
            writer.writeString(rawValue)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        let tag = try reader.readUInt8()
        if tag == otherCodeTag {
            self.init(rawValue: try reader.readString())
        } else if let code = partyErrorCodeByTag[tag] {
            self = code
        } else {
            throw .unknownTag(tag, of: "PartyErrorCode", at: start)
        }
    }
}

private enum PartyErrorDetailTag: UInt8 {
    case retryAfter = 1
    case resync = 2
}

extension PartyErrorDetail: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .retryAfter(let milliseconds):
            writer.writeTag(PartyErrorDetailTag.retryAfter)
            writer.writeVarInt(milliseconds)
        case .resync(let party):
            writer.writeTag(PartyErrorDetailTag.resync)
            writer.write(party)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(PartyErrorDetailTag.self) {
        case .retryAfter: self = .retryAfter(milliseconds: try reader.readVarInt())
        case .resync: self = .resync(party: try reader.read())
        }
    }
}
