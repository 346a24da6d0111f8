/// A command a client sends (docs/PROTOCOL.md), decoded and type-checked but not yet judged
/// against the party rules; that is the hub's work.
public enum PartyCommand: Equatable, Sendable {
    /// `party.create {max_members?, loot_mode?}`: a new party led by the caller (nil: the defaults).
    case create(maxMembers: Int? = nil, lootMode: LootMode? = nil)
    /// `party.join {invite_code}`.
    case join(inviteCode: String)
    /// `party.leave`.
    case leave
    /// `party.chat {text}`.
    case chat(text: String)
    /// `party.get`: the caller's party.
    case get
    /// `party.kick {player}` (leader only).
    case kick(player: String)
    /// `party.promote {player}` (leader only).
    case promote(player: String)
    /// `party.disband` (leader only).
    case disband
    /// `party.set_role {role}`: the caller's own role (null: none).
    case setRole(PartyRole?)
    /// `party.set_loot {loot_mode, master_looter?}` (leader only).
    case setLoot(LootMode, masterLooter: String?)

    /// The operation's name on the wire.
    public var operation: PartyOperation {
        switch self {
        case .create: return .create
        case .join: return .join
        case .leave: return .leave
        case .chat: return .chat
        case .get: return .get
        case .kick: return .kick
        case .promote: return .promote
        case .disband: return .disband
        case .setRole: return .setRole
        case .setLoot: return .setLoot
        }
    }
}

/// The operations the server knows, for metrics labels and dispatch.
public enum PartyOperation: String, CaseIterable, Sendable {
    case create = "party.create"
    case join = "party.join"
    case leave = "party.leave"
    case chat = "party.chat"
    case get = "party.get"
    case kick = "party.kick"
    case promote = "party.promote"
    case disband = "party.disband"
    case setRole = "party.set_role"
    case setLoot = "party.set_loot"
}

/// A decoded client frame: the command and the `rid` to answer it with, if any.
public struct ClientRequest: Equatable, Sendable {
    /// The client's request id; a reply is sent only when present.
    public let rid: Int64?
    public let command: PartyCommand

    public init(rid: Int64?, command: PartyCommand) {
        self.rid = rid
        self.command = command
    }
}
