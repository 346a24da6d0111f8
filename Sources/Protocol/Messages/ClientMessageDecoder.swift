#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes one client text frame (already valid UTF-8) into a request, without building a
/// JSON tree: it walks the top-level object, takes `op`, `rid`, `idem` and the command's
/// fields, and checks (but does not keep) everything else.
public enum ClientMessageDecoder {
    /// Either a request or the error reply to send (with the `rid` when it could be read).
    public enum Result: Equatable, Sendable {
        case request(ClientRequest)
        case failure(rid: Int64?, PartyError)
    }

    /// Nesting allowed inside a command (fields the server ignores may hold objects).
    public static let maxDepth = 16
    /// The most bytes of JSON a `party.signal` may carry in `data`.
    public static let maxSignalDataBytes = 2048
    /// The longest `idem` key and signal `kind`, in bytes.
    public static let maxKeyBytes = 64

    /// Decodes `bytes`, one JSON object with an `op`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        var opToken: JSONReader.StringToken?
        var rid: Int64?
        var ridInvalid = false
        var fields = Fields()
        do throws(JSONError) {
            guard reader.peekSignificant() == UInt8(ascii: "{") else {
                return .failure(rid: nil, PartyError(.invalidMessage, "a command must be a JSON object"))
            }
            try reader.consume(UInt8(ascii: "{"), "'{'")
            if !reader.consumeIfPresent(UInt8(ascii: "}")) {
                repeat {
                    let key = try reader.readStringToken()
                    try reader.consume(UInt8(ascii: ":"), "':'")
                    let next = reader.peekSignificant()
                    // The hot path's keys (a chat's op, rid and text) are matched first.
                    if reader.token(key, equals: "op") {
                        if next == UInt8(ascii: "\"") { opToken = try reader.readStringToken() } else {
                            opToken = nil
                            try reader.skipValue()
                        }
                    } else if reader.token(key, equals: "rid") {
                        let field = try readInteger(&reader, next)
                        rid = field.value
                        ridInvalid = field.state != .present
                    } else if reader.token(key, equals: "text") {
                        fields.text = try readString(&reader, next)
                    } else {
                        try fields.read(key, next, &reader)
                    }
                } while reader.consumeIfPresent(UInt8(ascii: ","))
                try reader.consume(UInt8(ascii: "}"), "',' or '}'")
            }
            try reader.expectEnd()
        } catch {
            return .failure(rid: nil, PartyError(.invalidMessage, "malformed JSON: \(error)"))
        }
        if ridInvalid {
            return .failure(rid: nil, PartyError(.invalidMessage, "rid must be an integer"))
        }
        guard let opToken else {
            return .failure(rid: rid, PartyError(.invalidMessage, "missing op (a string)"))
        }
        // The hot path: chat is matched on the raw bytes, without decoding the op into a String.
        let operation: PartyOperation
        if reader.token(opToken, equals: "party.chat") {
            operation = .chat
        } else {
            let name = reader.decode(opToken)
            guard let known = PartyOperation(rawValue: name) else {
                let shown = name.unicodeScalars.count > 64 ? String(name.unicodeScalars.prefix(64)) + "…" : name
                return .failure(rid: rid, PartyError(.unknownOp, "unknown op \"\(shown)\""))
            }
            operation = known
        }
        // The hot path again: a plain chat skips the general field checks below.
        if operation == .chat, fields.idem.state == .missing {
            guard fields.text.state == .present, let token = fields.text.token else {
                return .failure(rid: rid, PartyError(.invalidMessage, "party.chat needs text (a string)"))
            }
            return .request(ClientRequest(rid: rid, command: .chat(text: reader.decode(token))))
        }
        var idem: String?
        switch fields.idem.state {
        case .missing, .null: break
        case .invalid: return .failure(rid: rid, PartyError(.invalidMessage, "idem must be a string"))
        case .present:
            let key = fields.string(fields.idem, in: reader)
            guard let key, (1...maxKeyBytes).contains(key.utf8.count) else {
                return .failure(rid: rid, PartyError(.invalidMessage, "idem must be 1-\(maxKeyBytes) bytes"))
            }
            idem = key
        }
        switch command(operation, fields, reader, bytes) {
        case .success(let command): return .request(ClientRequest(rid: rid, command: command, idem: idem))
        case .failure(let error): return .failure(rid: rid, PartyError(.invalidMessage, error.message))
        }
    }

    /// Convenience for tests.
    public static func decode(_ bytes: [UInt8]) -> Result {
        bytes.withUnsafeBytes { decode($0) }
    }

    private struct FieldError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// The command for `operation` from its fields, or what is wrong with them.
    private static func command(
        _ operation: PartyOperation, _ fields: Fields, _ reader: JSONReader, _ bytes: UnsafeRawBufferPointer
    ) -> Swift.Result<PartyCommand, FieldError> {
        func required(_ field: StringField) -> String? { field.state == .present ? fields.string(field, in: reader) : nil }
        func needs(_ what: String) -> Swift.Result<PartyCommand, FieldError> {
            .failure(FieldError("\(operation.rawValue) needs \(what)"))
        }
        /// An optional role: absent or null is none; anything but a role name is refused.
        func optionalRole() -> PartyRole?? {
            switch fields.role.state {
            case .missing, .null: return .some(nil)
            case .invalid: return nil
            case .present: return required(fields.role).flatMap(PartyRole.init(rawValue:)).map { .some($0) }
            }
        }
        switch operation {
        case .chat:
            guard let text = required(fields.text) else { return needs("text (a string)") }
            return .success(.chat(text: text))
        case .join:
            guard let code = required(fields.inviteCode), let role = optionalRole() else {
                return needs("invite_code (a string) and an optional role (\(roles))")
            }
            return .success(.join(inviteCode: code, role: role))
        case .create:
            let lootMode = required(fields.lootMode).flatMap(LootMode.init(rawValue:))
            guard fields.maxMembers.state != .invalid, fields.lootMode.state != .invalid,
                fields.lootMode.state != .present || lootMode != nil
            else {
                return .failure(FieldError("party.create takes max_members (an integer) and loot_mode (\(lootModes))"))
            }
            return .success(.create(maxMembers: fields.maxMembers.value.map { Int(clamping: $0) }, lootMode: lootMode))
        case .setLoot:
            let threshold = required(fields.threshold).flatMap(ItemQuality.init(rawValue:))
            guard let lootMode = required(fields.lootMode).flatMap(LootMode.init(rawValue:)),
                fields.masterLooter.state != .invalid, fields.threshold.state != .invalid,
                fields.threshold.state != .present || threshold != nil
            else { return needs("loot_mode (\(lootModes)), an optional master_looter and an optional threshold (\(qualities))") }
            return .success(.setLoot(lootMode, masterLooter: required(fields.masterLooter), threshold: threshold))
        case .leave: return .success(.leave)
        case .get: return .success(.get)
        case .disband: return .success(.disband)
        case .regenerateCode: return .success(.regenerateCode)
        case .readyCheck: return .success(.readyCheck)
        case .setRole:
            guard fields.role.state != .missing, let role = optionalRole() else {
                return needs("role: \"tank\", \"healer\", \"dps\" or null")
            }
            return .success(.setRole(role))
        case .kick, .promote, .invite, .requestAccept, .requestReject:
            guard let player = required(fields.player) else { return needs("player (a string)") }
            switch operation {
            case .kick: return .success(.kick(player: player))
            case .promote: return .success(.promote(player: player))
            case .invite: return .success(.invite(player: player))
            case .requestAccept: return .success(.requestAccept(player: player))
            default: return .success(.requestReject(player: player))
            }
        case .inviteAccept:
            guard let invite = required(fields.invite), let role = optionalRole() else {
                return needs("invite (a string) and an optional role (\(roles))")
            }
            return .success(.inviteAccept(invite: invite, role: role))
        case .inviteDecline:
            guard let invite = required(fields.invite) else { return needs("invite (a string)") }
            return .success(.inviteDecline(invite: invite))
        case .setOpen:
            guard fields.open.state == .present, let open = fields.open.value else { return needs("open (true or false)") }
            return .success(.setOpen(open))
        case .setInvitePolicy:
            guard let policy = required(fields.policy).flatMap(InvitePolicy.init(rawValue:)) else {
                return needs("policy: \"members\" or \"leader\"")
            }
            return .success(.setInvitePolicy(policy))
        case .setComposition:
            switch fields.compositionState {
            case .null: return .success(.setComposition(nil))
            case .present where fields.composition != nil: return .success(.setComposition(fields.composition))
            default: return needs("composition: {\"tank\":N,\"healer\":N,\"dps\":N} (0-\(maxSlots) each) or null")
            }
        case .signal:
            guard let kind = required(fields.kind), (1...maxKeyBytes).contains(kind.utf8.count) else {
                return needs("kind (1-\(maxKeyBytes) bytes)")
            }
            guard let range = fields.data else { return needs("data (any JSON value)") }
            guard range.count <= maxSignalDataBytes else {
                return .failure(FieldError("party.signal data is \(range.count) bytes; the limit is \(maxSignalDataBytes)"))
            }
            let data = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            return .success(.signal(kind: kind, data: data))
        case .ready:
            guard fields.ready.state == .present, let ready = fields.ready.value else { return needs("ready (true or false)") }
            return .success(.ready(ready))
        case .history:
            let before = fields.beforeSeq.value, limit = fields.limit.value
            guard fields.beforeSeq.state != .invalid, fields.limit.state != .invalid, before.map({ $0 >= 0 }) ?? true,
                limit.map({ $0 >= 1 }) ?? true
            else { return .failure(FieldError("party.history takes before_seq (an integer >= 0) and limit (>= 1)")) }
            return .success(.history(beforeSeq: before.map { UInt64($0) }, limit: limit.map { Int(clamping: $0) }))
        case .resume:
            guard let party = required(fields.party), fields.afterSeq.state == .present, let after = fields.afterSeq.value,
                after >= 0
            else { return needs("party (a string) and after_seq (an integer >= 0)") }
            return .success(.resume(party: party, afterSeq: UInt64(after)))
        case .chooseLoot:
            guard let roll = required(fields.roll), let choice = required(fields.choice).flatMap(LootChoice.init(rawValue:))
            else { return needs("roll (a string) and choice (need, greed or pass)") }
            return .success(.chooseLoot(roll: roll, choice: choice))
        case .assignLoot:
            guard let roll = required(fields.roll), let player = required(fields.player) else {
                return needs("roll (a string) and player (a string)")
            }
            return .success(.assignLoot(roll: roll, player: player))
        case .claimLoot:
            guard let roll = required(fields.roll) else { return needs("roll (a string)") }
            return .success(.claimLoot(roll: roll))
        case .shareQuest:
            guard let questID = required(fields.questID), fields.objectivesState == .present, let objectives = fields.objectives
            else {
                return needs(
                    "quest_id (a string) and objectives: 1-\(SharedQuestLimits.maxObjectives) of {\"objective_id\":\"...\",\"required\":N}")
            }
            if let problem = SharedQuestLimits.problem(questID: questID, objectives: objectives) {
                return .failure(FieldError("quest.share: \(problem)"))
            }
            return .success(.shareQuest(questID: questID, objectives: objectives))
        case .abandonQuest:
            guard let questID = required(fields.questID) else { return needs("quest_id (a string)") }
            return .success(.abandonQuest(questID: questID))
        }
    }

    /// The most slots a composition may give one role.
    public static let maxSlots = 100

    private static let lootModes = LootMode.allCases.map(\.rawValue).joined(separator: ", ")
    private static let roles = PartyRole.allCases.map(\.rawValue).joined(separator: ", ")
    private static let qualities = ItemQuality.allCases.map(\.rawValue).joined(separator: ", ")

    // MARK: Fields

    /// Whether a field was absent, null, of the expected type, or of another type.
    enum FieldState {
        case missing, null, present, invalid
    }

    struct StringField {
        var token: JSONReader.StringToken?
        var state = FieldState.missing
    }

    struct Field<Value> {
        var value: Value?
        var state = FieldState.missing
    }

    /// Every command field but the hot path's, as read.
    struct Fields {
        var text = StringField()
        var inviteCode = StringField()
        var player = StringField()
        var role = StringField()
        var lootMode = StringField()
        var masterLooter = StringField()
        var invite = StringField()
        var policy = StringField()
        var kind = StringField()
        var party = StringField()
        var idem = StringField()
        var threshold = StringField()
        var roll = StringField()
        var choice = StringField()
        var questID = StringField()
        var maxMembers = Field<Int64>()
        var beforeSeq = Field<Int64>()
        var limit = Field<Int64>()
        var afterSeq = Field<Int64>()
        var open = Field<Bool>()
        var ready = Field<Bool>()
        var composition: Composition?
        var compositionState = FieldState.missing
        /// The byte range of `data`'s JSON text.
        var data: Range<Int>?
        /// `objectives` of `quest.share`: nil when not an array of well-typed objectives.
        var objectives: [QuestObjective]?
        var objectivesState = FieldState.missing

        func string(_ field: StringField, in reader: JSONReader) -> String? {
            field.token.map { reader.decode($0) }
        }

        mutating func read(_ key: JSONReader.StringToken, _ next: UInt8?, _ reader: inout JSONReader) throws(JSONError) {
            if reader.token(key, equals: "invite_code") {
                inviteCode = try readString(&reader, next)
            } else if reader.token(key, equals: "player") {
                player = try readString(&reader, next)
            } else if reader.token(key, equals: "idem") {
                idem = try readString(&reader, next)
            } else if reader.token(key, equals: "invite") {
                invite = try readString(&reader, next)
            } else if reader.token(key, equals: "role") {
                role = try readString(&reader, next)
            } else if reader.token(key, equals: "kind") {
                kind = try readString(&reader, next)
            } else if reader.token(key, equals: "data") {
                let start = reader.position
                try reader.skipValue()
                data = start..<reader.position
            } else if reader.token(key, equals: "ready") {
                ready = try readBool(&reader, next)
            } else if reader.token(key, equals: "open") {
                open = try readBool(&reader, next)
            } else if reader.token(key, equals: "party") {
                party = try readString(&reader, next)
            } else if reader.token(key, equals: "after_seq") {
                afterSeq = try readInteger(&reader, next)
            } else if reader.token(key, equals: "before_seq") {
                beforeSeq = try readInteger(&reader, next)
            } else if reader.token(key, equals: "limit") {
                limit = try readInteger(&reader, next)
            } else if reader.token(key, equals: "loot_mode") {
                lootMode = try readString(&reader, next)
            } else if reader.token(key, equals: "master_looter") {
                masterLooter = try readString(&reader, next)
            } else if reader.token(key, equals: "max_members") {
                maxMembers = try readInteger(&reader, next)
            } else if reader.token(key, equals: "policy") {
                policy = try readString(&reader, next)
            } else if reader.token(key, equals: "composition") {
                (composition, compositionState) = try readComposition(&reader, next)
            } else if reader.token(key, equals: "roll") {
                roll = try readString(&reader, next)
            } else if reader.token(key, equals: "choice") {
                choice = try readString(&reader, next)
            } else if reader.token(key, equals: "quest_id") {
                questID = try readString(&reader, next)
            } else if reader.token(key, equals: "objectives") {
                (objectives, objectivesState) = try readObjectives(&reader, next)
            } else if reader.token(key, equals: "threshold") {
                threshold = try readString(&reader, next)
            } else {
                try reader.skipValue()
            }
        }
    }

    /// An integer that fits Int64, or (invalid) any other value, which is still checked as JSON.
    private static func readInteger(_ reader: inout JSONReader, _ next: UInt8?) throws(JSONError) -> Field<Int64> {
        if let next, next == UInt8(ascii: "-") || (next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9")) {
            var probe = reader
            if let value = try? probe.readInt64() {
                reader = probe
                return Field(value: value, state: .present)
            }
        }
        if next == UInt8(ascii: "n") {
            try reader.skipValue()
            return Field(value: nil, state: .null)
        }
        try reader.skipValue()
        return Field(value: nil, state: .invalid)
    }

    /// A string (present), `null`, or (invalid) any other value, which is still checked as JSON.
    private static func readString(_ reader: inout JSONReader, _ next: UInt8?) throws(JSONError) -> StringField {
        switch next {
        case UInt8(ascii: "\""):
            return StringField(token: try reader.readStringToken(), state: .present)
        case UInt8(ascii: "n"):
            try reader.skipValue()  // `null`, or a broken literal that throws here
            return StringField(token: nil, state: .null)
        default:
            try reader.skipValue()
            return StringField(token: nil, state: .invalid)
        }
    }

    /// `true` or `false` (present), or (invalid) any other value.
    private static func readBool(_ reader: inout JSONReader, _ next: UInt8?) throws(JSONError) -> Field<Bool> {
        try reader.skipValue()  // a broken literal throws here, so `t`/`f` below are whole literals
        switch next {
        case UInt8(ascii: "t"): return Field(value: true, state: .present)
        case UInt8(ascii: "f"): return Field(value: false, state: .present)
        case UInt8(ascii: "n"): return Field(value: nil, state: .null)
        default: return Field(value: nil, state: .invalid)
        }
    }

    /// `[{"objective_id":"...","required":N},...]`: an array (present) of objects that each
    /// have a string `objective_id` and an integer `required` (other keys are ignored), or
    /// (invalid) anything else. Ranges and counts are the caller's to check, but no more than
    /// one objective past the limit is kept, so a long array allocates nothing.
    private static func readObjectives(_ reader: inout JSONReader, _ next: UInt8?) throws(JSONError)
        -> ([QuestObjective]?, FieldState)
    {
        guard next == UInt8(ascii: "[") else {
            let isNull = next == UInt8(ascii: "n")
            try reader.skipValue()
            return (nil, isNull ? .null : .invalid)
        }
        var probe = reader
        try reader.skipValue()  // checks the whole array as JSON first
        var objectives: [QuestObjective] = []
        try probe.consume(UInt8(ascii: "["), "'['")
        if probe.consumeIfPresent(UInt8(ascii: "]")) { return (objectives, .present) }
        repeat {
            guard probe.peekSignificant() == UInt8(ascii: "{") else { return (nil, .invalid) }
            try probe.consume(UInt8(ascii: "{"), "'{'")
            var objectiveID: String?
            var required: Int64?
            if !probe.consumeIfPresent(UInt8(ascii: "}")) {
                repeat {
                    let key = try probe.readStringToken()
                    try probe.consume(UInt8(ascii: ":"), "':'")
                    let valueStart = probe.peekSignificant()
                    if probe.token(key, equals: "objective_id") {
                        let field = try readString(&probe, valueStart)
                        guard field.state == .present, let token = field.token else { return (nil, .invalid) }
                        objectiveID = probe.decode(token)
                    } else if probe.token(key, equals: "required") {
                        let field = try readInteger(&probe, valueStart)
                        guard field.state == .present, let value = field.value else { return (nil, .invalid) }
                        required = value
                    } else {
                        try probe.skipValue()
                    }
                } while probe.consumeIfPresent(UInt8(ascii: ","))
                try probe.consume(UInt8(ascii: "}"), "',' or '}'")
            }
            guard let objectiveID, let required else { return (nil, .invalid) }
            objectives.append(QuestObjective(objectiveID: objectiveID, required: Int(clamping: required)))
            // One past the limit is enough for the caller to refuse the count.
            if objectives.count > SharedQuestLimits.maxObjectives { return (objectives, .present) }
        } while probe.consumeIfPresent(UInt8(ascii: ","))
        return (objectives, .present)
    }

    /// `{"tank":N,"healer":N,"dps":N}` (missing roles are 0), `null`, or (invalid) anything else.
    private static func readComposition(_ reader: inout JSONReader, _ next: UInt8?) throws(JSONError)
        -> (Composition?, FieldState)
    {
        guard next == UInt8(ascii: "{") else {
            let isNull = next == UInt8(ascii: "n")
            try reader.skipValue()
            return (nil, isNull ? .null : .invalid)
        }
        var probe = reader
        try reader.skipValue()  // checks the whole object as JSON first
        var composition = Composition(tank: 0, healer: 0, dps: 0)
        try probe.consume(UInt8(ascii: "{"), "'{'")
        if probe.consumeIfPresent(UInt8(ascii: "}")) { return (composition, .present) }
        repeat {
            let key = try probe.readStringToken()
            try probe.consume(UInt8(ascii: ":"), "':'")
            let count = try readInteger(&probe, probe.peekSignificant())
            guard count.state == .present, let value = count.value, (0...Int64(maxSlots)).contains(value) else {
                return (nil, .invalid)
            }
            if probe.token(key, equals: "tank") {
                composition.tank = Int(value)
            } else if probe.token(key, equals: "healer") {
                composition.healer = Int(value)
            } else if probe.token(key, equals: "dps") {
                composition.dps = Int(value)
            } else {
                return (nil, .invalid)
            }
        } while probe.consumeIfPresent(UInt8(ascii: ","))
        return (composition, .present)
    }
}
