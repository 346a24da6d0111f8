/// How a party shares loot.
public enum LootMode: String, CaseIterable, Sendable {
    /// Everyone rolls need or greed on each drop (the default).
    case needGreed = "NEED_GREED"
    /// Each player gets their own loot.
    case personal = "PERSONAL"
    /// One member, the master looter, hands out the loot.
    case masterLooter = "MASTER_LOOTER"
    /// Whoever picks it up keeps it.
    case freeForAll = "FREE_FOR_ALL"
}

/// A member's combat role.
public enum PartyRole: String, CaseIterable, Sendable {
    case tank, healer, dps
}

/// One member as the `roster` of a party shows it.
public struct PartyMemberSnapshot: Equatable, Sendable {
    public let player: String
    public let role: PartyRole?
    /// Whether the player holds at least one connection.
    public let online: Bool
    /// When the player joined (Unix ms).
    public let joinedAt: Int64

    public init(player: String, role: PartyRole?, online: Bool, joinedAt: Int64) {
        self.player = player
        self.role = role
        self.online = online
        self.joinedAt = joinedAt
    }
}

/// A party as the wire shows it (`PARTY` in docs/PROTOCOL.md).
public struct PartySnapshot: Equatable, Sendable {
    public let id: String
    public let inviteCode: String
    public let leader: String
    /// Members in join order (the protocol core's plain list of player ids).
    public let members: [String]
    public let maxMembers: Int
    /// The party's last event number.
    public let seq: UInt64
    /// Unix ms.
    public let createdAt: Int64
    /// Unix ms of the last event.
    public let updatedAt: Int64
    /// The members with their role, presence and join time, in join order.
    public let roster: [PartyMemberSnapshot]
    public let lootMode: LootMode
    /// Set exactly when the loot mode is MASTER_LOOTER; always a member.
    public let masterLooter: String?
    public let settings: PartySettings
    /// Invites not yet answered.
    public let invites: [PendingInvite]
    /// Join requests the leader has not answered (closed parties).
    public let requests: [JoinRequestSnapshot]
    /// The running ready check, if any.
    public let readyCheck: ReadyCheckSnapshot?
    /// Items below this quality are not rolled for but given round-robin.
    public let lootThreshold: ItemQuality
    /// The loot rolls still open, oldest first.
    public let lootRolls: [LootRollSnapshot]
    /// The quests the party shares, oldest first.
    public let quests: [SharedQuestSnapshot]

    /// `full` when every seat is taken, else `forming`.
    public var status: String { members.count >= maxMembers ? "full" : "forming" }

    public init(
        id: String, inviteCode: String, leader: String, members: [String], maxMembers: Int, seq: UInt64 = 0,
        createdAt: Int64 = 0, updatedAt: Int64 = 0, roster: [PartyMemberSnapshot] = [], lootMode: LootMode = .needGreed,
        masterLooter: String? = nil, settings: PartySettings = PartySettings(), invites: [PendingInvite] = [],
        requests: [JoinRequestSnapshot] = [], readyCheck: ReadyCheckSnapshot? = nil, lootThreshold: ItemQuality = .uncommon,
        lootRolls: [LootRollSnapshot] = [], quests: [SharedQuestSnapshot] = []
    ) {
        self.id = id
        self.inviteCode = inviteCode
        self.leader = leader
        self.members = members
        self.maxMembers = maxMembers
        self.seq = seq
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.roster = roster
        self.lootMode = lootMode
        self.masterLooter = masterLooter
        self.settings = settings
        self.invites = invites
        self.requests = requests
        self.readyCheck = readyCheck
        self.lootThreshold = lootThreshold
        self.lootRolls = lootRolls
        self.quests = quests
    }
}

/// Why a member left (`reason` of `party.member_left`).
public enum PartyLeaveReason: String, Equatable, Sendable {
    /// `party.leave`.
    case left
    /// The leader kicked the player.
    case kicked
    /// The player's last connection closed and they did not come back within the reconnect
    /// grace (at once when the grace is 0).
    case timeout
}

/// What happened in a party; every member receives it, numbered by the party's `seq`.
public enum PartyEventBody: Equatable, Sendable {
    case memberJoined(player: String)
    case memberLeft(player: String, reason: PartyLeaveReason = .left)
    case leaderChanged(leader: String)
    case chat(from: String, text: String, timestampMs: Int64)
    /// The leader disbanded the party; it is gone after this event.
    case disbanded(by: String)
    /// A member chose a role (nil: none).
    case roleChanged(player: String, role: PartyRole?)
    /// The loot settings changed (by the leader, or because the master looter left).
    case lootChanged(mode: LootMode, masterLooter: String?, threshold: ItemQuality = .uncommon)
    /// A member invited `player`.
    case inviteSent(invite: String, player: String, by: String, expiresAt: Int64)
    case inviteDeclined(invite: String, player: String, by: String)
    case inviteExpired(invite: String, player: String, by: String)
    /// A player asked to join the closed party.
    case joinRequested(JoinRequestSnapshot)
    /// A join request ended without a join (the requester gets this too).
    case joinRejected(player: String, reason: JoinRejectReason)
    case codeChanged(inviteCode: String)
    case settingsChanged(PartySettings)
    /// Relayed live data; not stored, and it does not advance `seq` (it carries the last one).
    case signal(from: String, kind: String, data: String)
    case readyCheckStarted(by: String, expiresAt: Int64, composition: CompositionReport)
    case readyAnswered(player: String, ready: Bool)
    case readyCheckResult(ReadyCheckResult)
    case memberOffline(player: String)
    case memberOnline(player: String)
    /// A dropped item is up for a roll (NEED_GREED, MASTER_LOOTER or FREE_FOR_ALL).
    case lootRollStarted(LootRollSnapshot)
    /// An eligible member chose need, greed or pass.
    case lootChosen(roll: String, player: String, choice: LootChoice)
    /// An item was decided: every dropped item ends with exactly one of these.
    case lootRolled(LootRollOutcome)
    /// A member shared a quest.
    case questShared(SharedQuestSnapshot)
    /// The sharer or the leader stopped sharing a quest.
    case questAbandoned(questID: String, by: String)
    /// A member completed an objective of a shared quest (`progress` capped at `required`).
    case questProgress(questID: String, objectiveID: String, progress: Int, required: Int, by: String)
    /// Every objective of a shared quest is complete; the quest leaves the shared list.
    case questCompleted(questID: String, members: [String])

    /// Whether the event is kept in the party's history and numbered (all but signals).
    public var isStored: Bool {
        if case .signal = self { return false }
        return true
    }
}

/// A numbered party event.
///
/// Immutable and shared: one event travels to every recipient's output and into the party's
/// history, so it is a reference (one retain a copy) rather than a multi-field value whose
/// every copy retains each string (callgrind: three to four such copies per chat).
public final class PartyEvent: Equatable, Sendable, CustomStringConvertible {
    public let partyID: String
    /// Grows by exactly one with each event of the party.
    public let seq: UInt64
    public let body: PartyEventBody

    public init(partyID: String, seq: UInt64, body: PartyEventBody) {
        self.partyID = partyID
        self.seq = seq
        self.body = body
    }

    public static func == (left: PartyEvent, right: PartyEvent) -> Bool {
        left === right || (left.partyID == right.partyID && left.seq == right.seq && left.body == right.body)
    }

    public var description: String { "PartyEvent(\(partyID), seq: \(seq), \(body))" }
}

/// The `data` of a successful reply.
public enum ReplyData: Equatable, Sendable {
    case empty
    // Indirect: a snapshot is large, and replies travel inside every hub output and result;
    // boxed, they stay pointer-sized (callgrind showed the copies).
    indirect case party(PartySnapshot)
    /// `{"invite":INVITE}`.
    indirect case invite(InviteSnapshot)
    /// `{"request":REQUEST}`: the party is closed, and the join waits for the leader.
    indirect case joinRequest(JoinRequestSnapshot)
    /// `{"invite_code":...}`.
    case inviteCode(String)
    /// `{"events":[...]}` (`party.history`).
    indirect case events([PartyEvent])
    /// `{"replayed":N,"seq":S}` (`session.resume`; the events follow the reply).
    case resumed(replayed: Int, seq: UInt64)
}

/// Messages for one player rather than for a party's members.
public enum PlayerNotice: Equatable, Sendable {
    /// `party.invited`, to each connection of the invitee.
    case invited(InviteSnapshot)
    /// `party.invite_cancelled`: the party of a pending invite is gone.
    case inviteCancelled(invite: String, party: String, reason: InviteCancelReason)
    /// `party.join_rejected` when the party is gone (otherwise the party's own event is sent).
    case joinRejected(party: String, reason: JoinRejectReason)
    /// `party.join_accepted`: the leader took the player's join request; the party as it is now.
    indirect case joinAccepted(PartySnapshot)
}

/// Everything the server sends on the party endpoint.
public enum ServerMessage: Equatable, Sendable {
    /// `{"ev":"session.ready","player":...,"party":...,"invites":[...]}`, right after the upgrade.
    case sessionReady(player: String, party: PartySnapshot? = nil, invites: [InviteSnapshot] = [])
    /// The reply to a command; `rid` is null only for frames whose rid could not be read.
    case reply(rid: Int64?, Result<ReplyData, PartyError>)
    /// A party event.
    case event(PartyEvent)
    /// A message for one player.
    case notice(PlayerNotice)
}
