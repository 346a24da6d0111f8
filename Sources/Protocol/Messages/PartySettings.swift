/// Who may invite players to a party.
public enum InvitePolicy: String, CaseIterable, Sendable {
    /// Any member (the default).
    case members
    /// The leader alone.
    case leader
}

/// Role slots the leader wants filled: at most this many members may take each role.
public struct Composition: Equatable, Sendable {
    public var tank: Int
    public var healer: Int
    public var dps: Int

    public init(tank: Int, healer: Int, dps: Int) {
        self.tank = tank
        self.healer = healer
        self.dps = dps
    }

    /// The slots for `role`.
    public func slots(for role: PartyRole) -> Int {
        switch role {
        case .tank: return tank
        case .healer: return healer
        case .dps: return dps
        }
    }

    /// Every slot.
    public var total: Int { tank + healer + dps }
}

/// A party's settings, as `party.settings_changed` and PARTY show them.
public struct PartySettings: Equatable, Sendable {
    /// Whether the invite code joins at once (true) or files a join request (false).
    public var open: Bool
    public var invitePolicy: InvitePolicy
    public var composition: Composition?

    public init(open: Bool = true, invitePolicy: InvitePolicy = .members, composition: Composition? = nil) {
        self.open = open
        self.invitePolicy = invitePolicy
        self.composition = composition
    }
}

/// How many members hold each role, against the composition (`party.ready_check_result`).
public struct CompositionReport: Equatable, Sendable {
    /// The slots, when the leader set any.
    public let slots: Composition?
    /// Members per role.
    public let filled: Composition
    /// Members with no role.
    public let unassigned: Int

    public init(slots: Composition?, filled: Composition, unassigned: Int) {
        self.slots = slots
        self.filled = filled
        self.unassigned = unassigned
    }

    /// Whether every slot is taken (true when there is no composition).
    public var isComplete: Bool {
        guard let slots else { return true }
        return filled.tank >= slots.tank && filled.healer >= slots.healer && filled.dps >= slots.dps
    }
}
