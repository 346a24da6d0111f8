/// An event the hub publishes for other services (the outgoing stream, docs/PROTOCOL.md
/// "Events out"). Offsets run 1, 2, 3, ... with no gap and are the same across restarts: the
/// hub assigns them as it applies its inputs, so replaying the log assigns them again.
public struct PublishedEvent: Equatable, Sendable {
    /// The event's place in the stream.
    public let offset: UInt64
    /// When it happened, Unix ms.
    public let ts: Int64
    public let kind: Kind

    public enum Kind: Equatable, Sendable {
        /// `party:created {party, leader, max_members, loot_mode}`.
        case partyCreated(party: String, leader: String, maxMembers: Int, lootMode: LootMode)
        /// `party:member-joined {party, player}`.
        case memberJoined(party: String, player: String)
        /// `party:member-left {party, player, reason}` (`left`, `kicked`, `timeout`, ...).
        case memberLeft(party: String, player: String, reason: String)
        /// `party:leader-changed {party, leader}`.
        case leaderChanged(party: String, leader: String)
        /// `party:disbanded {party, reason}`.
        case disbanded(party: String, reason: String)
        /// `party:loot-rolled {party, roll, item, winner, reason}`.
        case lootRolled(party: String, roll: String, item: DroppedItem, winner: String?, reason: String)
        /// `party:quest-completed {party, quest_id, members}`.
        case questCompleted(party: String, questID: String, members: [String])
        /// `group.created {group, organization, name, by}`.
        case groupCreated(group: String, organization: String, name: String, by: String)
        /// `group.member.added {group, organization, user, invited_by}`.
        case groupMemberAdded(group: String, organization: String, user: String, invitedBy: String)
        /// `group.member.removed {group, organization, user, by, reason}`.
        case groupMemberRemoved(group: String, organization: String, user: String, by: String, reason: GroupRemovalReason)
        /// `group.deleted {group, organization, by}`.
        case groupDeleted(group: String, organization: String, by: String)

        /// The `type` on the wire.
        public var type: String {
            switch self {
            case .partyCreated: return "party:created"
            case .memberJoined: return "party:member-joined"
            case .memberLeft: return "party:member-left"
            case .leaderChanged: return "party:leader-changed"
            case .disbanded: return "party:disbanded"
            case .lootRolled: return "party:loot-rolled"
            case .questCompleted: return "party:quest-completed"
            case .groupCreated: return "group.created"
            case .groupMemberAdded: return "group.member.added"
            case .groupMemberRemoved: return "group.member.removed"
            case .groupDeleted: return "group.deleted"
            }
        }
    }

    public init(offset: UInt64, ts: Int64, kind: Kind) {
        self.offset = offset
        self.ts = ts
        self.kind = kind
    }
}

extension PublishedEvent {
    /// The `reason` of `party:disbanded`.
    public enum DisbandReason {
        /// The leader disbanded the party (`party.disband`).
        public static let leader = "leader"
        /// Its last member left (or was kicked, or timed out).
        public static let empty = "empty"
        /// An operator disbanded it (`POST /api/v1/admin/parties/{id}/disband`): `admin:<reason>`;
        /// also the `by` of the members' `party.disbanded`.
        public static let admin = "admin"
    }
}
