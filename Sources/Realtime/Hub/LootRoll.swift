import Protocol

/// A dropped item up for a roll (NEED_GREED, MASTER_LOOTER or FREE_FOR_ALL), as the hub keeps
/// it until it is decided.
struct LootRoll: Equatable, Sendable {
    /// `roll_N`.
    let id: String
    let item: DroppedItem
    /// The party's mode when the item dropped; the roll keeps it if the leader changes modes.
    let mode: LootMode
    /// The secret seed (64 lowercase hex characters) revealed when the roll ends.
    let seed: String
    /// SHA-256 of the seed, published when the roll opens (kept rather than hashed again for
    /// every PARTY snapshot).
    let commitment: String
    /// Unix ms.
    let expiresAt: Int64
    /// The members (player slots) who may win it, in join order: the members when it dropped
    /// who are still members.
    var eligible: [Int]
    /// Each eligible member's choice so far (NEED_GREED), nil for none yet.
    var choices: [LootChoice?]

    init(id: String, item: DroppedItem, mode: LootMode, seed: String, expiresAt: Int64, eligible: [Int], choices: [LootChoice?]) {
        self.id = id
        self.item = item
        self.mode = mode
        self.seed = seed
        self.commitment = LootFairness.commitment(ofSeed: seed)
        self.expiresAt = expiresAt
        self.eligible = eligible
        self.choices = choices
    }

    /// Whether every eligible member has chosen (vacuously so when none is left).
    var everyoneChose: Bool { !choices.contains(nil) }
}
