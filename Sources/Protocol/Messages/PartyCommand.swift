/// A command a client sends (docs/PROTOCOL.md), decoded and type-checked but not yet judged
/// against the party rules; that is the hub's work.
public enum PartyCommand: Equatable, Sendable {
    /// `party.create {max_members?, loot_mode?}`: a new party led by the caller (nil: the defaults).
    case create(maxMembers: Int? = nil, lootMode: LootMode? = nil)
    /// `party.join {invite_code, role?}`: joins an open party, or asks to join a closed one.
    case join(inviteCode: String, role: PartyRole? = nil)
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
    /// `party.set_loot {loot_mode, master_looter?, threshold?}` (leader only; no threshold:
    /// the party keeps its own).
    case setLoot(LootMode, masterLooter: String?, threshold: ItemQuality? = nil)
    /// `party.invite {player}`.
    case invite(player: String)
    /// `party.invite_accept {invite, role?}`.
    case inviteAccept(invite: String, role: PartyRole? = nil)
    /// `party.invite_decline {invite}`.
    case inviteDecline(invite: String)
    /// `party.regenerate_code` (leader only).
    case regenerateCode
    /// `party.set_open {open}` (leader only).
    case setOpen(Bool)
    /// `party.set_invite_policy {policy}` (leader only).
    case setInvitePolicy(InvitePolicy)
    /// `party.set_composition {composition}` (leader only; null clears it).
    case setComposition(Composition?)
    /// `party.request_accept {player}` (leader only).
    case requestAccept(player: String)
    /// `party.request_reject {player}` (leader only).
    case requestReject(player: String)
    /// `party.signal {kind, data}`: `data` is the JSON text of any value, relayed as it came.
    case signal(kind: String, data: String)
    /// `party.ready_check` (leader only).
    case readyCheck
    /// `party.ready {ready}`.
    case ready(Bool)
    /// `party.history {before_seq?, limit?}`.
    case history(beforeSeq: UInt64?, limit: Int?)
    /// `session.resume {party, after_seq}`.
    case resume(party: String, afterSeq: UInt64)
    /// `loot.choose {roll, choice}`: an eligible member's answer to a NEED_GREED roll.
    case chooseLoot(roll: String, choice: LootChoice)
    /// `loot.assign {roll, player}`: the master looter gives a MASTER_LOOTER roll's item.
    case assignLoot(roll: String, player: String)
    /// `loot.claim {roll}`: an eligible member takes a FREE_FOR_ALL roll's item, first come.
    case claimLoot(roll: String)
    /// `quest.share {quest_id, objectives}`: any member shares a quest with the party.
    case shareQuest(questID: String, objectives: [QuestObjective])
    /// `quest.abandon {quest_id}`: the sharer or the leader stops sharing it.
    case abandonQuest(questID: String)

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
        case .invite: return .invite
        case .inviteAccept: return .inviteAccept
        case .inviteDecline: return .inviteDecline
        case .regenerateCode: return .regenerateCode
        case .setOpen: return .setOpen
        case .setInvitePolicy: return .setInvitePolicy
        case .setComposition: return .setComposition
        case .requestAccept: return .requestAccept
        case .requestReject: return .requestReject
        case .signal: return .signal
        case .readyCheck: return .readyCheck
        case .ready: return .ready
        case .history: return .history
        case .resume: return .resume
        case .chooseLoot: return .chooseLoot
        case .assignLoot: return .assignLoot
        case .claimLoot: return .claimLoot
        case .shareQuest: return .shareQuest
        case .abandonQuest: return .abandonQuest
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
    case invite = "party.invite"
    case inviteAccept = "party.invite_accept"
    case inviteDecline = "party.invite_decline"
    case regenerateCode = "party.regenerate_code"
    case setOpen = "party.set_open"
    case setInvitePolicy = "party.set_invite_policy"
    case setComposition = "party.set_composition"
    case requestAccept = "party.request_accept"
    case requestReject = "party.request_reject"
    case signal = "party.signal"
    case readyCheck = "party.ready_check"
    case ready = "party.ready"
    case history = "party.history"
    case resume = "session.resume"
    case chooseLoot = "loot.choose"
    case assignLoot = "loot.assign"
    case claimLoot = "loot.claim"
    case shareQuest = "quest.share"
    case abandonQuest = "quest.abandon"

    /// Whether the operation only reads: a repeated `idem` key is not remembered for it.
    public var isReadOnly: Bool { self == .get || self == .history || self == .resume }
}

/// A decoded client frame: the command, the `rid` to answer it with, and the client's
/// idempotency key, if any.
public struct ClientRequest: Equatable, Sendable {
    /// The client's request id; a reply is sent only when present.
    public let rid: Int64?
    public let command: PartyCommand
    /// `idem`: a repeat of a key the player used recently gets the first answer again.
    public let idem: String?

    public init(rid: Int64?, command: PartyCommand, idem: String? = nil) {
        self.rid = rid
        self.command = command
        self.idem = idem
    }
}
