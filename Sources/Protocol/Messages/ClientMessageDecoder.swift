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
        var textInvalid = false
        var inviteToken: JSONReader.StringToken?
        var inviteInvalid = false
        var playerToken: JSONReader.StringToken?
        var playerInvalid = false
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
                        (textToken, textInvalid) = try readOptionalString(&reader, next)
                    } else if reader.token(key, equals: "invite_code") {
                        (inviteToken, inviteInvalid) = try readOptionalString(&reader, next)
                    } else if reader.token(key, equals: "player") {
                        (playerToken, playerInvalid) = try readOptionalString(&reader, next)
                    } else if reader.token(key, equals: "role") {
                        (roleToken, roleState) = try readNullableString(&reader, next)
                    } else if reader.token(key, equals: "loot_mode") {
                        (lootToken, lootState) = try readNullableString(&reader, next)
                    } else if reader.token(key, equals: "master_looter") {
                        (looterToken, looterState) = try readNullableString(&reader, next)
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
        let command: PartyCommand
        if reader.token(opToken, equals: "party.chat") {
            guard let textToken, !textInvalid else {
                return .failure(rid: rid, PartyError(.invalidMessage, "party.chat needs text (a string)"))
            }
            command = .chat(text: reader.decode(textToken))
        } else if reader.token(opToken, equals: "party.join") {
            guard let inviteToken, !inviteInvalid else {
                return .failure(rid: rid, PartyError(.invalidMessage, "party.join needs invite_code (a string)"))
            }
            command = .join(inviteCode: reader.decode(inviteToken))
        } else if reader.token(opToken, equals: "party.create") {
            guard maxMembersState == .missing || maxMembersState == .present,
                lootState != .invalid, lootState != .present || lootToken.flatMap({ LootMode(rawValue: reader.decode($0)) }) != nil
            else {
                return .failure(rid: rid, PartyError(.invalidMessage, "party.create takes max_members (an integer) and loot_mode (\(lootModes))"))
            }
            command = .create(
                maxMembers: maxMembers.map { Int(clamping: $0) }, lootMode: lootToken.flatMap { LootMode(rawValue: reader.decode($0)) })
        } else if reader.token(opToken, equals: "party.set_loot") {
            guard lootState == .present, let mode = lootToken.flatMap({ LootMode(rawValue: reader.decode($0)) }),
                looterState != .invalid
            else {
                return .failure(rid: rid, PartyError(.invalidMessage, "party.set_loot needs loot_mode (\(lootModes)) and an optional master_looter"))
            }
            command = .setLoot(mode, masterLooter: looterToken.map { reader.decode($0) })
        } else if reader.token(opToken, equals: "party.leave") {
            command = .leave
        } else if reader.token(opToken, equals: "party.get") {
            command = .get
        } else if reader.token(opToken, equals: "party.disband") {
            command = .disband
        } else if reader.token(opToken, equals: "party.set_role") {
            switch roleState {
            case .null: command = .setRole(nil)
            case .present:
                guard let roleToken, let role = PartyRole(rawValue: reader.decode(roleToken)) else { fallthrough }
                command = .setRole(role)
            case .missing, .invalid:
                return .failure(rid: rid, PartyError(.invalidMessage, "party.set_role needs role: \"tank\", \"healer\", \"dps\" or null"))
            }
        } else if reader.token(opToken, equals: "party.kick") || reader.token(opToken, equals: "party.promote") {
            let isKick = reader.token(opToken, equals: "party.kick")
            guard let playerToken, !playerInvalid else {
                return .failure(rid: rid, PartyError(.invalidMessage, "\(isKick ? "party.kick" : "party.promote") needs player (a string)"))
            }
            let player = reader.decode(playerToken)
            command = isKick ? .kick(player: player) : .promote(player: player)
        } else {
            let name = reader.decode(opToken)
            let shown = name.unicodeScalars.count > 64 ? String(name.unicodeScalars.prefix(64)) + "…" : name
            return .failure(rid: rid, PartyError(.unknownOp, "unknown op \"\(shown)\""))
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

    /// A string, `null`, or (invalid) any other value.
    private static func readNullableString(_ reader: inout JSONReader, _ next: UInt8?) throws(JSONError)
        -> (JSONReader.StringToken?, FieldState)
    {
        if next == UInt8(ascii: "n") {
            try reader.skipValue()  // `null`, or a broken literal that throws here
            return (nil, .null)
        }
        let (token, invalid) = try readOptionalString(&reader, next)
        return (token, invalid ? .invalid : .present)
    }

    private static func readOptionalString(_ reader: inout JSONReader, _ next: UInt8?) throws(JSONError)
        -> (JSONReader.StringToken?, Bool)
    {
        if next == UInt8(ascii: "\"") { return (try reader.readStringToken(), false) }
        try reader.skipValue()
        return (nil, true)
    }
}
