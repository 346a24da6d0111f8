/// A member's answer to a NEED_GREED roll (`loot.choose`).
public enum LootChoice: String, CaseIterable, Sendable {
    case need, greed, pass
}

/// Why an item went where it went (`reason` of `party.loot_rolled`).
public enum LootRollReason: String, CaseIterable, Sendable {
    /// Below the party's threshold: not rolled for, given round-robin.
    case threshold
    /// PERSONAL mode: given round-robin.
    case personal
    /// NEED_GREED: the winner chose need (the need choosers rolled).
    case need
    /// NEED_GREED: nobody chose need; the winner chose greed.
    case greed
    /// Nobody chose need or greed (NEED_GREED), or nobody claimed it in time (FREE_FOR_ALL).
    case nobody
    /// MASTER_LOOTER: the master looter named the winner.
    case assigned
    /// MASTER_LOOTER: the master looter named nobody in time and keeps it.
    case timeout
    /// FREE_FOR_ALL: the first eligible member to claim it.
    case claimed
    /// The party ended (disbanded, or its last member left) with the roll open.
    case disbanded
}

/// One member's choice in a roll.
public struct PlayerLootChoice: Equatable, Sendable {
    public let player: String
    public let choice: LootChoice

    public init(player: String, choice: LootChoice) {
        self.player = player
        self.choice = choice
    }
}

/// The values one contender rolled, one per round (round 0 first).
public struct ContenderRolls: Equatable, Sendable {
    public let player: String
    public let values: [Int]

    public init(player: String, values: [Int]) {
        self.player = player
        self.values = values
    }
}

/// A roll still open: `party.loot_roll_started` (without `choices`, which start empty) and
/// each entry of `PARTY.loot_rolls`.
public struct LootRollSnapshot: Equatable, Sendable {
    /// The roll id (`roll_1`, `roll_2`, ...).
    public let roll: String
    public let item: DroppedItem
    /// NEED_GREED, MASTER_LOOTER or FREE_FOR_ALL: the party's mode when the item dropped.
    public let mode: LootMode
    /// The members who may still win it, in join order.
    public let eligible: [String]
    /// Unix ms.
    public let expiresAt: Int64
    /// Lowercase hex SHA-256 of the secret seed revealed when the roll ends.
    public let commitment: String
    /// The choices made so far (NEED_GREED), in join order.
    public let choices: [PlayerLootChoice]

    public init(
        roll: String, item: DroppedItem, mode: LootMode, eligible: [String], expiresAt: Int64, commitment: String,
        choices: [PlayerLootChoice] = []
    ) {
        self.roll = roll
        self.item = item
        self.mode = mode
        self.eligible = eligible
        self.expiresAt = expiresAt
        self.commitment = commitment
        self.choices = choices
    }
}

/// How an item ended: `party.loot_rolled`.
public struct LootRollOutcome: Equatable, Sendable {
    public let roll: String
    public let item: DroppedItem
    /// The party's mode when the item dropped.
    public let mode: LootMode
    /// Who gets the item; nil for nobody.
    public let winner: String?
    public let reason: LootRollReason
    /// The choices made (NEED_GREED; members who stayed silent are absent: silence is pass).
    public let choices: [PlayerLootChoice]
    /// Each contender's values, one per round (NEED_GREED with a contender).
    public let rolls: [ContenderRolls]
    /// The secret seed, revealed.
    public let seed: String
    /// Lowercase hex SHA-256 of `seed`, as published when the roll opened.
    public let commitment: String

    public init(
        roll: String, item: DroppedItem, mode: LootMode, winner: String?, reason: LootRollReason,
        choices: [PlayerLootChoice] = [], rolls: [ContenderRolls] = [], seed: String, commitment: String
    ) {
        self.roll = roll
        self.item = item
        self.mode = mode
        self.winner = winner
        self.reason = reason
        self.choices = choices
        self.rolls = rolls
        self.seed = seed
        self.commitment = commitment
    }
}
