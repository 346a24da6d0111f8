#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes one client text frame (already valid UTF-8) into a request, without building a
/// JSON tree: it walks the top-level object, takes `op`, `rid` and the command's fields, and
/// checks (but does not keep) everything else.
public enum ClientMessageDecoder {
    /// Either a request or the error reply to send (with the `rid` when it could be read).
    public enum Result: Equatable, Sendable {
        case request(ClientRequest)
        case failure(rid: Int64?, PartyError)
    }

    /// Nesting allowed inside a command (fields the server ignores may hold objects).
    public static let maxDepth = 16

    /// Decodes `bytes`, one JSON object with an `op`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        var opToken: JSONReader.StringToken?
        var rid: Int64?
        var ridInvalid = false
        var textToken: JSONReader.StringToken?
        var textState = FieldState.missing
        var inviteToken: JSONReader.StringToken?
        var inviteState = FieldState.missing
        var playerToken: JSONReader.StringToken?
        var playerState = FieldState.missing
        var roleToken: JSONReader.StringToken?
        var roleState = FieldState.missing
        var maxMembers: Int64?
        var maxMembersState = FieldState.missing
        var lootToken: JSONReader.StringToken?
        var lootState = FieldState.missing
        var looterToken: JSONReader.StringToken?
        var looterState = FieldState.missing
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
                    if reader.token(key, equals: "op") {
                        if next == UInt8(ascii: "\"") { opToken = try reader.readStringToken() } else {
                            opToken = nil
                            try reader.skipValue()
                        }
                    } else if reader.token(key, equals: "rid") {
                        let (value, state) = try readInteger(&reader, next)
                        rid = value
                        ridInvalid = state == .invalid
                    } else if reader.token(key, equals: "text") {
                        (textToken, textState) = try readString(&reader, next)
                    } else if reader.token(key, equals: "invite_code") {
                        (inviteToken, inviteState) = try readString(&reader, next)
                    } else if reader.token(key, equals: "player") {
                        (playerToken, playerState) = try readString(&reader, next)
                    } else if reader.token(key, equals: "role") {
                        (roleToken, roleState) = try readString(&reader, next)
                    } else if reader.token(key, equals: "loot_mode") {
                        (lootToken, lootState) = try readString(&reader, next)
                    } else if reader.token(key, equals: "master_looter") {
                        (looterToken, looterState) = try readString(&reader, next)
                    } else if reader.token(key, equals: "max_members") {
                        (maxMembers, maxMembersState) = try readInteger(&reader, next)
                    } else {
                        try reader.skipValue()
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
        /// A string field that must be present, decoded.
        func required(_ token: JSONReader.StringToken?, _ state: FieldState) -> String? {
            guard state == .present, let token else { return nil }
            return reader.decode(token)
        }
        func invalid(_ message: String) -> Result { .failure(rid: rid, PartyError(.invalidMessage, message)) }

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
        let lootMode = required(lootToken, lootState).flatMap(LootMode.init(rawValue:))
        let command: PartyCommand
        switch operation {
        case .chat:
            guard let text = required(textToken, textState) else { return invalid("party.chat needs text (a string)") }
            command = .chat(text: text)
        case .join:
            guard let code = required(inviteToken, inviteState) else { return invalid("party.join needs invite_code (a string)") }
            command = .join(inviteCode: code)
        case .create:
            guard maxMembersState != .invalid, lootState != .invalid, lootState != .present || lootMode != nil else {
                return invalid("party.create takes max_members (an integer) and loot_mode (\(lootModes))")
            }
            command = .create(maxMembers: maxMembers.map { Int(clamping: $0) }, lootMode: lootMode)
        case .setLoot:
            guard let lootMode, looterState != .invalid else {
                return invalid("party.set_loot needs loot_mode (\(lootModes)) and an optional master_looter")
            }
            command = .setLoot(lootMode, masterLooter: required(looterToken, looterState))
        case .leave: command = .leave
        case .get: command = .get
        case .disband: command = .disband
        case .setRole:
            if roleState == .null {
                command = .setRole(nil)
            } else if let role = required(roleToken, roleState).flatMap(PartyRole.init(rawValue:)) {
                command = .setRole(role)
            } else {
                return invalid("party.set_role needs role: \"tank\", \"healer\", \"dps\" or null")
            }
        case .kick, .promote:
            guard let player = required(playerToken, playerState) else {
                return invalid("\(operation.rawValue) needs player (a string)")
            }
            command = operation == .kick ? .kick(player: player) : .promote(player: player)
        }
        return .request(ClientRequest(rid: rid, command: command))
    }

    /// Whether a field was absent, null, of the expected type, or of another type.
    private enum FieldState {
        case missing, null, present, invalid
    }

    /// Convenience for tests.
    public static func decode(_ bytes: [UInt8]) -> Result {
        bytes.withUnsafeBytes { decode($0) }
    }

    private static let lootModes = LootMode.allCases.map(\.rawValue).joined(separator: ", ")

    /// An integer that fits Int64, or (invalid) any other value, which is still checked as JSON.
    private static func readInteger(_ reader: inout JSONReader, _ next: UInt8?) throws(JSONError) -> (Int64?, FieldState) {
        if let next, next == UInt8(ascii: "-") || (next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9")) {
            var probe = reader
            if let value = try? probe.readInt64() {
                reader = probe
                return (value, .present)
            }
        }
        try reader.skipValue()
        return (nil, .invalid)
    }

    /// A string (present), `null`, or (invalid) any other value, which is still checked as JSON.
    private static func readString(_ reader: inout JSONReader, _ next: UInt8?) throws(JSONError)
        -> (JSONReader.StringToken?, FieldState)
    {
        switch next {
        case UInt8(ascii: "\""):
            return (try reader.readStringToken(), .present)
        case UInt8(ascii: "n"):
            try reader.skipValue()  // `null`, or a broken literal that throws here
            return (nil, .null)
        default:
            try reader.skipValue()
            return (nil, .invalid)
        }
    }
}
