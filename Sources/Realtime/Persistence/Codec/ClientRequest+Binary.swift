import Protocol

/// The `rid`, the command, then the `idem` key.
extension ClientRequest: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(rid)
        writer.write(command)
        writer.write(idem)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(rid: try reader.read(), command: try reader.read(), idem: try reader.read())
    }
}

/// The operation's tag (one table serves commands and `idem` entries), then the case's values
/// in order.
extension PartyCommand: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(operation)
        switch self {
        case .create(let maxMembers, let lootMode):
            writer.write(maxMembers)
            writer.write(lootMode)
        case .join(let inviteCode, let role):
            writer.writeString(inviteCode)
            writer.write(role)
        case .leave: break
        case .chat(let text):
            writer.writeString(text)
        case .get: break
        case .kick(let player):
            writer.writeString(player)
        case .promote(let player):
            writer.writeString(player)
        case .disband: break
        case .setRole(let role):
            writer.write(role)
        case .setLoot(let mode, let masterLooter, let threshold):
            writer.write(mode)
            writer.write(masterLooter)
            writer.write(threshold)
        case .invite(let player):
            writer.writeString(player)
        case .inviteAccept(let invite, let role):
            writer.writeString(invite)
            writer.write(role)
        case .inviteDecline(let invite):
            writer.writeString(invite)
        case .regenerateCode: break
        case .setOpen(let open):
            writer.writeBool(open)
        case .setInvitePolicy(let policy):
            writer.write(policy)
        case .setComposition(let composition):
            writer.write(composition)
        case .requestAccept(let player):
            writer.writeString(player)
        case .requestReject(let player):
            writer.writeString(player)
        case .signal(let kind, let data):
            writer.writeString(kind)
            writer.writeString(data)
        case .readyCheck: break
        case .ready(let ready):
            writer.writeBool(ready)
        case .history(let beforeSeq, let limit):
            writer.write(beforeSeq)
            writer.write(limit)
        case .resume(let party, let afterSeq):
            writer.writeString(party)
            writer.writeVarUInt(afterSeq)
        case .chooseLoot(let roll, let choice):
            writer.writeString(roll)
            writer.write(choice)
        case .assignLoot(let roll, let player):
            writer.writeString(roll)
            writer.writeString(player)
        case .claimLoot(let roll):
            writer.writeString(roll)
        case .shareQuest(let questID, let objectives):
            writer.writeString(questID)
            writer.write(objectives)
        case .abandonQuest(let questID):
            writer.writeString(questID)
        }
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.read(PartyOperation.self) {
        case .create: self = .create(maxMembers: try reader.read(), lootMode: try reader.read())
        case .join: self = .join(inviteCode: try reader.readString(), role: try reader.read())
        case .leave: self = .leave
        case .chat: self = .chat(text: try reader.readString())
        case .get: self = .get
        case .kick: self = .kick(player: try reader.readString())
        case .promote: self = .promote(player: try reader.readString())
        case .disband: self = .disband
        case .setRole: self = .setRole(try reader.read())
        case .setLoot: self = .setLoot(try reader.read(), masterLooter: try reader.read(), threshold: try reader.read())
        case .invite: self = .invite(player: try reader.readString())
        case .inviteAccept: self = .inviteAccept(invite: try reader.readString(), role: try reader.read())
        case .inviteDecline: self = .inviteDecline(invite: try reader.readString())
        case .regenerateCode: self = .regenerateCode
        case .setOpen: self = .setOpen(try reader.readBool())
        case .setInvitePolicy: self = .setInvitePolicy(try reader.read())
        case .setComposition: self = .setComposition(try reader.read())
        case .requestAccept: self = .requestAccept(player: try reader.readString())
        case .requestReject: self = .requestReject(player: try reader.readString())
        case .signal: self = .signal(kind: try reader.readString(), data: try reader.readString())
        case .readyCheck: self = .readyCheck
        case .ready: self = .ready(try reader.readBool())
        case .history: self = .history(beforeSeq: try reader.read(), limit: try reader.read())
        case .resume: self = .resume(party: try reader.readString(), afterSeq: try reader.readVarUInt())
        case .chooseLoot: self = .chooseLoot(roll: try reader.readString(), choice: try reader.read())
        case .assignLoot: self = .assignLoot(roll: try reader.readString(), player: try reader.readString())
        case .claimLoot: self = .claimLoot(roll: try reader.readString())
        case .shareQuest: self = .shareQuest(questID: try reader.readString(), objectives: try reader.read())
        case .abandonQuest: self = .abandonQuest(questID: try reader.readString())
        }
    }
}

/// The tag of each `PartyOperation`: a command's, and an `idem` entry's operation. Fixed
/// numbers: never renumber or reuse one; a new operation takes a new number.
private enum PartyOperationTag: UInt8 {
    case create = 1
    case join = 2
    case leave = 3
    case chat = 4
    case get = 5
    case kick = 6
    case promote = 7
    case disband = 8
    case setRole = 9
    case setLoot = 10
    case invite = 11
    case inviteAccept = 12
    case inviteDecline = 13
    case regenerateCode = 14
    case setOpen = 15
    case setInvitePolicy = 16
    case setComposition = 17
    case requestAccept = 18
    case requestReject = 19
    case signal = 20
    case readyCheck = 21
    case ready = 22
    case history = 23
    case resume = 24
    case chooseLoot = 25
    case assignLoot = 26
    case claimLoot = 27
    case shareQuest = 28
    case abandonQuest = 29
}

extension PartyOperation: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        let tag: PartyOperationTag
        switch self {
        case .create: tag = .create
        case .join: tag = .join
        case .leave: tag = .leave
        case .chat: tag = .chat
        case .get: tag = .get
        case .kick: tag = .kick
        case .promote: tag = .promote
        case .disband: tag = .disband
        case .setRole: tag = .setRole
        case .setLoot: tag = .setLoot
        case .invite: tag = .invite
        case .inviteAccept: tag = .inviteAccept
        case .inviteDecline: tag = .inviteDecline
        case .regenerateCode: tag = .regenerateCode
        case .setOpen: tag = .setOpen
        case .setInvitePolicy: tag = .setInvitePolicy
        case .setComposition: tag = .setComposition
        case .requestAccept: tag = .requestAccept
        case .requestReject: tag = .requestReject
        case .signal: tag = .signal
        case .readyCheck: tag = .readyCheck
        case .ready: tag = .ready
        case .history: tag = .history
        case .resume: tag = .resume
        case .chooseLoot: tag = .chooseLoot
        case .assignLoot: tag = .assignLoot
        case .claimLoot: tag = .claimLoot
        case .shareQuest: tag = .shareQuest
        case .abandonQuest: tag = .abandonQuest
        }
        writer.writeTag(tag)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        switch try reader.readTag(PartyOperationTag.self) {
        case .create: self = .create
        case .join: self = .join
        case .leave: self = .leave
        case .chat: self = .chat
        case .get: self = .get
        case .kick: self = .kick
        case .promote: self = .promote
        case .disband: self = .disband
        case .setRole: self = .setRole
        case .setLoot: self = .setLoot
        case .invite: self = .invite
        case .inviteAccept: self = .inviteAccept
        case .inviteDecline: self = .inviteDecline
        case .regenerateCode: self = .regenerateCode
        case .setOpen: self = .setOpen
        case .setInvitePolicy: self = .setInvitePolicy
        case .setComposition: self = .setComposition
        case .requestAccept: self = .requestAccept
        case .requestReject: self = .requestReject
        case .signal: self = .signal
        case .readyCheck: self = .readyCheck
        case .ready: self = .ready
        case .history: self = .history
        case .resume: self = .resume
        case .chooseLoot: self = .chooseLoot
        case .assignLoot: self = .assignLoot
        case .claimLoot: self = .claimLoot
        case .shareQuest: self = .shareQuest
        case .abandonQuest: self = .abandonQuest
        }
    }
}
