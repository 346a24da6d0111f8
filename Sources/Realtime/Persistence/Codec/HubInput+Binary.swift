/// The tag of each `HubInput` case. Fixed numbers: never renumber or reuse one; a new case
/// takes a new number.
private enum HubInputTag: UInt8 {
    case sessionOpened = 1
    case sessionClosed = 2
    case command = 3
    case tick = 4
    case serviceEvents = 5
    case organizationRequest = 6
    case adminDisband = 7
    /// Read-only: encodable, like every input, but never written to the log.
    case adminReadParty = 8
    /// Read-only too.
    case adminReadPlayer = 9
    /// A read-only token's session opened: the same values as `sessionOpened`.
    case readOnlySessionOpened = 10
}

/// A write-ahead log record's payload: the tag, then the case's values in order (the session
/// as LEB128, times as zigzag LEB128).
extension HubInput: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .sessionOpened(let session, let player, let readOnly, let now):
            writer.writeTag(readOnly ? HubInputTag.readOnlySessionOpened : HubInputTag.sessionOpened)
            writer.write(session)
            writer.writeString(player)
            writer.writeVarInt(now)
        case .sessionClosed(let session, let now):
            writer.writeTag(HubInputTag.sessionClosed)
            writer.write(session)
            writer.writeVarInt(now)
        case .command(let session, let request, let now, let seed):
            writer.writeTag(HubInputTag.command)
            writer.write(session)
            writer.write(request)
            writer.writeVarInt(now)
            writer.write(seed)
        case .tick(let now):
            writer.writeTag(HubInputTag.tick)
            writer.writeVarInt(now)
        case .serviceEvents(let caller, let events, let now, let lootSeeds):
            writer.writeTag(HubInputTag.serviceEvents)
            writer.write(caller)
            writer.write(events)
            writer.writeVarInt(now)
            writer.write(lootSeeds)
        case .organizationRequest(let caller, let request, let now, let seed):
            writer.writeTag(HubInputTag.organizationRequest)
            writer.write(caller)
            writer.write(request)
            writer.writeVarInt(now)
            writer.write(seed)
        case .adminDisband(let caller, let party, let reason, let by, let now):
            writer.writeTag(HubInputTag.adminDisband)
            writer.write(caller)
            writer.writeString(party)
            writer.writeString(reason)
            writer.writeString(by)
            writer.writeVarInt(now)
        case .adminReadParty(let caller, let party, let now):
            writer.writeTag(HubInputTag.adminReadParty)
            writer.write(caller)
            writer.writeString(party)
            writer.writeVarInt(now)
        case .adminReadPlayer(let caller, let player, let now):
            writer.writeTag(HubInputTag.adminReadPlayer)
            writer.write(caller)
            writer.writeString(player)
            writer.writeVarInt(now)
        }
    }

    /// A log record's whole payload: one input and nothing after it.
    init(decodingPayload payload: UnsafeRawBufferPointer) throws(BinaryDecodingError) {
        var reader = BinaryReader(payload)
        self = try HubInput(decoding: &reader)
        try reader.expectEnd()
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(HubInputTag.self) {
        case .sessionOpened:
            self = .sessionOpened(try reader.read(), player: try reader.readString(), now: try reader.readVarInt())
        case .readOnlySessionOpened:
            self = .sessionOpened(try reader.read(), player: try reader.readString(), readOnly: true, now: try reader.readVarInt())
        case .sessionClosed:
            self = .sessionClosed(try reader.read(), now: try reader.readVarInt())
        case .command:
            self = .command(try reader.read(), try reader.read(), now: try reader.readVarInt(), seed: try reader.read())
        case .tick:
            self = .tick(now: try reader.readVarInt())
        case .serviceEvents:
            self = .serviceEvents(try reader.read(), try reader.read(), now: try reader.readVarInt(), lootSeeds: try reader.read())
        case .organizationRequest:
            self = .organizationRequest(try reader.read(), try reader.read(), now: try reader.readVarInt(), seed: try reader.read())
        case .adminDisband:
            self = .adminDisband(
                try reader.read(), party: try reader.readString(), reason: try reader.readString(), by: try reader.readString(),
                now: try reader.readVarInt())
        case .adminReadParty:
            self = .adminReadParty(try reader.read(), party: try reader.readString(), now: try reader.readVarInt())
        case .adminReadPlayer:
            self = .adminReadPlayer(try reader.read(), player: try reader.readString(), now: try reader.readVarInt())
        }
    }
}

/// Its raw value, LEB128; as a dictionary key, in ascending order.
extension SessionID: BinaryDictionaryKey {
    func encode(into writer: inout BinaryWriter) { writer.writeVarUInt(rawValue) }
    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(rawValue: try reader.readVarUInt())
    }
    static func encodesBefore(_ left: SessionID, _ right: SessionID) -> Bool { left.rawValue < right.rawValue }
}

/// The id, then the invite code.
extension PartySeed: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(inviteCode)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(id: try reader.readString(), inviteCode: try reader.readString())
    }
}
