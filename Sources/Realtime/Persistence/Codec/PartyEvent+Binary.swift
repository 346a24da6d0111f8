import Protocol

/// The party id, the `seq`, then the body. Decoding makes a new event object equal by value
/// (events a live hub shares between a history and a reply come back as separate objects).
extension PartyEvent: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(partyID)
        writer.writeVarUInt(seq)
        writer.write(body)
    }

    convenience init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(partyID: try reader.readString(), seq: try reader.readVarUInt(), body: try reader.read())
    }
}

/// The tag of each `PartyEventBody` case. Fixed numbers: never renumber or reuse one; a new
/// case takes a new number.
private enum PartyEventBodyTag: UInt8 {
    case memberJoined = 1
    case memberLeft = 2
    case leaderChanged = 3
    case chat = 4
    case disbanded = 5
    case roleChanged = 6
    case lootChanged = 7
    case inviteSent = 8
    case inviteDeclined = 9
    case inviteExpired = 10
    case joinRequested = 11
    case joinRejected = 12
    case codeChanged = 13
    case settingsChanged = 14
    case signal = 15
    case readyCheckStarted = 16
    case readyAnswered = 17
    case readyCheckResult = 18
    case memberOffline = 19
    case memberOnline = 20
    case lootRollStarted = 21
    case lootChosen = 22
    case lootRolled = 23
    case questShared = 24
    case questAbandoned = 25
    case questProgress = 26
    case questCompleted = 27
}

/// The tag, then the case's values in order.
extension PartyEventBody: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .memberJoined(let player):
            writer.writeTag(PartyEventBodyTag.memberJoined)
            writer.writeString(player)
        case .memberLeft(let player, let reason):
            writer.writeTag(PartyEventBodyTag.memberLeft)
            writer.writeString(player)
            writer.write(reason)
        case .leaderChanged(let leader):
            writer.writeTag(PartyEventBodyTag.leaderChanged)
            writer.writeString(leader)
        case .chat(let from, let text, let timestampMs):
            writer.writeTag(PartyEventBodyTag.chat)
            writer.writeString(from)
            writer.writeString(text)
            writer.writeVarInt(timestampMs)
        case .disbanded(let by):
            writer.writeTag(PartyEventBodyTag.disbanded)
            writer.writeString(by)
        case .roleChanged(let player, let role):
            writer.writeTag(PartyEventBodyTag.roleChanged)
            writer.writeString(player)
            writer.write(role)
        case .lootChanged(let mode, let masterLooter, let threshold):
            writer.writeTag(PartyEventBodyTag.lootChanged)
            writer.write(mode)
            writer.write(masterLooter)
            writer.write(threshold)
        case .inviteSent(let invite, let player, let by, let expiresAt):
            writer.writeTag(PartyEventBodyTag.inviteSent)
            writer.writeString(invite)
            writer.writeString(player)
            writer.writeString(by)
            writer.writeVarInt(expiresAt)
        case .inviteDeclined(let invite, let player, let by):
            writer.writeTag(PartyEventBodyTag.inviteDeclined)
            writer.writeString(invite)
            writer.writeString(player)
            writer.writeString(by)
        case .inviteExpired(let invite, let player, let by):
            writer.writeTag(PartyEventBodyTag.inviteExpired)
            writer.writeString(invite)
            writer.writeString(player)
            writer.writeString(by)
        case .joinRequested(let request):
            writer.writeTag(PartyEventBodyTag.joinRequested)
            writer.write(request)
        case .joinRejected(let player, let reason):
            writer.writeTag(PartyEventBodyTag.joinRejected)
            writer.writeString(player)
            writer.write(reason)
        case .codeChanged(let inviteCode):
            writer.writeTag(PartyEventBodyTag.codeChanged)
            writer.writeString(inviteCode)
        case .settingsChanged(let settings):
            writer.writeTag(PartyEventBodyTag.settingsChanged)
            writer.write(settings)
        case .signal(let from, let kind, let data):
            writer.writeTag(PartyEventBodyTag.signal)
            writer.writeString(from)
            writer.writeString(kind)
            writer.writeString(data)
        case .readyCheckStarted(let by, let expiresAt, let composition):
            writer.writeTag(PartyEventBodyTag.readyCheckStarted)
            writer.writeString(by)
            writer.writeVarInt(expiresAt)
            writer.write(composition)
        case .readyAnswered(let player, let ready):
            writer.writeTag(PartyEventBodyTag.readyAnswered)
            writer.writeString(player)
            writer.writeBool(ready)
        case .readyCheckResult(let result):
            writer.writeTag(PartyEventBodyTag.readyCheckResult)
            writer.write(result)
        case .memberOffline(let player):
            writer.writeTag(PartyEventBodyTag.memberOffline)
            writer.writeString(player)
        case .memberOnline(let player):
            writer.writeTag(PartyEventBodyTag.memberOnline)
            writer.writeString(player)
        case .lootRollStarted(let roll):
            writer.writeTag(PartyEventBodyTag.lootRollStarted)
            writer.write(roll)
        case .lootChosen(let roll, let player, let choice):
            writer.writeTag(PartyEventBodyTag.lootChosen)
            writer.writeString(roll)
            writer.writeString(player)
            writer.write(choice)
        case .lootRolled(let outcome):
            writer.writeTag(PartyEventBodyTag.lootRolled)
            writer.write(outcome)
        case .questShared(let quest):
            writer.writeTag(PartyEventBodyTag.questShared)
            writer.write(quest)
        case .questAbandoned(let questID, let by):
            writer.writeTag(PartyEventBodyTag.questAbandoned)
            writer.writeString(questID)
            writer.writeString(by)
        case .questProgress(let questID, let objectiveID, let progress, let required, let by):
            writer.writeTag(PartyEventBodyTag.questProgress)
            writer.writeString(questID)
            writer.writeString(objectiveID)
            writer.write(progress)
            writer.write(required)
            writer.writeString(by)
        case .questCompleted(let questID, let members):
            writer.writeTag(PartyEventBodyTag.questCompleted)
            writer.writeString(questID)
            writer.write(members)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(PartyEventBodyTag.self) {
        case .memberJoined: self = .memberJoined(player: try reader.readString())
        case .memberLeft: self = .memberLeft(player: try reader.readString(), reason: try reader.read())
        case .leaderChanged: self = .leaderChanged(leader: try reader.readString())
        case .chat:
            self = .chat(
                from: try reader.readString(), text: try reader.readString(), timestampMs: try reader.readVarInt())
        case .disbanded: self = .disbanded(by: try reader.readString())
        case .roleChanged: self = .roleChanged(player: try reader.readString(), role: try reader.read())
        case .lootChanged:
            self = .lootChanged(mode: try reader.read(), masterLooter: try reader.read(), threshold: try reader.read())
        case .inviteSent:
            self = .inviteSent(
                invite: try reader.readString(), player: try reader.readString(), by: try reader.readString(),
                expiresAt: try reader.readVarInt())
        case .inviteDeclined:
            self = .inviteDeclined(
                invite: try reader.readString(), player: try reader.readString(), by: try reader.readString())
        case .inviteExpired:
            self = .inviteExpired(
                invite: try reader.readString(), player: try reader.readString(), by: try reader.readString())
        case .joinRequested: self = .joinRequested(try reader.read())
        case .joinRejected: self = .joinRejected(player: try reader.readString(), reason: try reader.read())
        case .codeChanged: self = .codeChanged(inviteCode: try reader.readString())
        case .settingsChanged: self = .settingsChanged(try reader.read())
        case .signal:
            self = .signal(from: try reader.readString(), kind: try reader.readString(), data: try reader.readString())
        case .readyCheckStarted:
            self = .readyCheckStarted(
                by: try reader.readString(), expiresAt: try reader.readVarInt(), composition: try reader.read())
        case .readyAnswered: self = .readyAnswered(player: try reader.readString(), ready: try reader.readBool())
        case .readyCheckResult: self = .readyCheckResult(try reader.read())
        case .memberOffline: self = .memberOffline(player: try reader.readString())
        case .memberOnline: self = .memberOnline(player: try reader.readString())
        case .lootRollStarted: self = .lootRollStarted(try reader.read())
        case .lootChosen: self = .lootChosen(roll: try reader.readString(), player: try reader.readString(), choice: try reader.read())
        case .lootRolled: self = .lootRolled(try reader.read())
        case .questShared: self = .questShared(try reader.read())
        case .questAbandoned: self = .questAbandoned(questID: try reader.readString(), by: try reader.readString())
        case .questProgress:
            self = .questProgress(
                questID: try reader.readString(), objectiveID: try reader.readString(), progress: try reader.read(),
                required: try reader.read(), by: try reader.readString())
        case .questCompleted: self = .questCompleted(questID: try reader.readString(), members: try reader.read())
        }
    }
}

private enum PartyLeaveReasonTag: UInt8 {
    case left = 1
    case kicked = 2
    case timeout = 3
}

extension PartyLeaveReason: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .left: writer.writeTag(PartyLeaveReasonTag.left)
        case .kicked: writer.writeTag(PartyLeaveReasonTag.kicked)
        case .timeout: writer.writeTag(PartyLeaveReasonTag.timeout)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(PartyLeaveReasonTag.self) {
        case .left: self = .left
        case .kicked: self = .kicked
        case .timeout: self = .timeout
        }
    }
}

private enum JoinRejectReasonTag: UInt8 {
    case rejected = 1
    case expired = 2
    case withdrawn = 3
    case partyGone = 4
    case full = 5
}

extension JoinRejectReason: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .rejected: writer.writeTag(JoinRejectReasonTag.rejected)
        case .expired: writer.writeTag(JoinRejectReasonTag.expired)
        case .withdrawn: writer.writeTag(JoinRejectReasonTag.withdrawn)
        case .partyGone: writer.writeTag(JoinRejectReasonTag.partyGone)
        case .full: writer.writeTag(JoinRejectReasonTag.full)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(JoinRejectReasonTag.self) {
        case .rejected: self = .rejected
        case .expired: self = .expired
        case .withdrawn: self = .withdrawn
        case .partyGone: self = .partyGone
        case .full: self = .full
        }
    }
}

/// The answers, `all_ready`, the reason, then the composition report.
extension ReadyCheckResult: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(answers)
        writer.writeBool(allReady)
        writer.write(reason)
        writer.write(composition)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            answers: try reader.read(), allReady: try reader.readBool(), reason: try reader.read(),
            composition: try reader.read())
    }
}

private enum ReadyCheckEndTag: UInt8 {
    case answered = 1
    case timeout = 2
}

extension ReadyCheckEnd: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        switch self {
        case .answered: writer.writeTag(ReadyCheckEndTag.answered)
        case .timeout: writer.writeTag(ReadyCheckEndTag.timeout)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(ReadyCheckEndTag.self) {
        case .answered: self = .answered
        case .timeout: self = .timeout
        }
    }
}
