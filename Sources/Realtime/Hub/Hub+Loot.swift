import Protocol

/// Loot: each dropped item is given round-robin (below the party's threshold, or in PERSONAL
/// mode) or opens a roll (NEED_GREED, MASTER_LOOTER, FREE_FOR_ALL) that `loot.choose`,
/// `loot.assign`, `loot.claim`, its deadline, members leaving or the party ending decide.
/// Every item ends with exactly one `party.loot_rolled` and one published `party:loot-rolled`.
extension Hub {
    /// How many decided roll ids a party remembers, so that a late command on one is told
    /// `roll_closed` rather than `not_found`.
    static let decidedRollsKept = 64

    // MARK: Drops

    /// Gives each item, or opens a roll for it, in order, with the seed drawn for it (one per
    /// item); returns the roll ids, one per item.
    mutating func dropLoot(
        _ items: [DroppedItem], seeds: ArraySlice<String>, in partySlot: Int, into outputs: inout [HubOutput]
    ) -> [String] {
        var rollIDs: [String] = []
        rollIDs.reserveCapacity(items.count)
        for (item, seed) in zip(items, seeds) {
            let id = "roll_\(nextRollNumber)"
            nextRollNumber += 1
            rollIDs.append(id)
            if parties[partySlot].lootMode == .personal {
                giveInTurn(item, roll: id, seed: seed, reason: .personal, in: partySlot, into: &outputs)
            } else if item.quality < parties[partySlot].lootThreshold {
                giveInTurn(item, roll: id, seed: seed, reason: .threshold, in: partySlot, into: &outputs)
            } else {
                openRoll(item, roll: id, seed: seed, in: partySlot, into: &outputs)
            }
        }
        return rollIDs
    }

    /// Gives an item to the member whose turn it is (join order, online or not), decided at
    /// once: the roll never opens.
    private mutating func giveInTurn(
        _ item: DroppedItem, roll id: String, seed: String, reason: LootRollReason, in partySlot: Int,
        into outputs: inout [HubOutput]
    ) {
        let members = parties[partySlot].members
        let turn = parties[partySlot].lootTurn % members.count
        parties[partySlot].lootTurn = turn + 1
        let outcome = LootRollOutcome(
            roll: id, item: item, mode: parties[partySlot].lootMode, winner: players[members[turn]].name, reason: reason,
            seed: seed, commitment: LootFairness.commitment(ofSeed: seed))
        announce(outcome, in: partySlot, into: &outputs)
    }

    private mutating func openRoll(
        _ item: DroppedItem, roll id: String, seed: String, in partySlot: Int, into outputs: inout [HubOutput]
    ) {
        let party = parties[partySlot]
        let (end, overflow) = now.addingReportingOverflow(configuration.lootRollTimeoutMilliseconds)
        let roll = LootRoll(
            id: id, item: item, mode: party.lootMode, seed: seed, expiresAt: overflow ? .max : end, eligible: party.members,
            choices: Array(repeating: nil, count: party.members.count))
        parties[partySlot].lootRolls.append(roll)
        deadlines.schedule(.endLootRoll(partyID: party.id, roll: id), at: roll.expiresAt)
        emit(.lootRollStarted(lootRollSnapshot(roll)), in: partySlot, into: &outputs)
    }

    // MARK: Commands

    /// `loot.choose`: an eligible member's need, greed or pass, once; the last choice awaited
    /// settles the roll.
    mutating func chooseLoot(_ rollID: String, choice: LootChoice, playerSlot: Int, into outputs: inout [HubOutput])
        throws(PartyError) -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        let index = try openRollIndex(rollID, in: partySlot)
        let roll = parties[partySlot].lootRolls[index]
        try requireMode(.needGreed, of: roll, instead: "loot.choose")
        guard let position = roll.eligible.firstIndex(of: playerSlot) else {
            throw PartyError(.notEligible, "you are not eligible for \(rollID)")
        }
        if let earlier = roll.choices[position] {
            throw PartyError(.invalidMessage, "you already chose \(earlier.rawValue) for \(rollID)")
        }
        parties[partySlot].lootRolls[index].choices[position] = choice
        emit(.lootChosen(roll: rollID, player: players[playerSlot].name, choice: choice), in: partySlot, into: &outputs)
        if parties[partySlot].lootRolls[index].everyoneChose { settleByRolls(index, in: partySlot, into: &outputs) }
        return .empty
    }

    /// `loot.assign`: the master looter gives a MASTER_LOOTER roll's item to an eligible member.
    mutating func assignLoot(_ rollID: String, to name: String, by playerSlot: Int, into outputs: inout [HubOutput])
        throws(PartyError) -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        let index = try openRollIndex(rollID, in: partySlot)
        let roll = parties[partySlot].lootRolls[index]
        try requireMode(.masterLooter, of: roll, instead: "loot.assign")
        guard rollMaster(of: partySlot) == playerSlot else {
            throw PartyError(.notMasterLooter, "only the master looter may assign \(rollID)")
        }
        guard let target = playerSlotByName[name], roll.eligible.contains(target) else {
            throw PartyError(.notEligible, "\(name) is not eligible for \(rollID)")
        }
        finish(index, in: partySlot, winner: name, reason: .assigned, into: &outputs)
        return .empty
    }

    /// `loot.claim`: the first eligible member to claim a FREE_FOR_ALL roll's item wins it.
    mutating func claimLoot(_ rollID: String, playerSlot: Int, into outputs: inout [HubOutput]) throws(PartyError)
        -> ReplyData
    {
        let partySlot = try partySlot(of: playerSlot)
        let index = try openRollIndex(rollID, in: partySlot)
        let roll = parties[partySlot].lootRolls[index]
        try requireMode(.freeForAll, of: roll, instead: "loot.claim")
        guard roll.eligible.contains(playerSlot) else { throw PartyError(.notEligible, "you are not eligible for \(rollID)") }
        finish(index, in: partySlot, winner: players[playerSlot].name, reason: .claimed, into: &outputs)
        return .empty
    }

    /// The index of an open roll of the party, or why there is none.
    private func openRollIndex(_ rollID: String, in partySlot: Int) throws(PartyError) -> Int {
        if let index = parties[partySlot].lootRolls.firstIndex(where: { $0.id == rollID }) { return index }
        if parties[partySlot].decidedRollIDs.contains(rollID) { throw PartyError(.rollClosed, "\(rollID) is already decided") }
        throw PartyError(.notFound, "your party has no loot roll \(rollID)")
    }

    private func requireMode(_ mode: LootMode, of roll: LootRoll, instead command: String) throws(PartyError) {
        guard roll.mode != mode else { return }
        let fitting: String
        switch roll.mode {
        case .needGreed: fitting = "loot.choose"
        case .masterLooter: fitting = "loot.assign"
        default: fitting = "loot.claim"
        }
        throw PartyError(.invalidMessage, "\(roll.id) is a \(roll.mode.rawValue) roll: \(command) does not apply (\(fitting) does)")
    }

    /// Who decides a MASTER_LOOTER roll: the master looter, whoever holds the role now (a new
    /// master looter inherits open rolls); the leader when the party has since left that mode.
    func rollMaster(of partySlot: Int) -> Int { parties[partySlot].masterLooter ?? parties[partySlot].leader }

    // MARK: Time, leaving, ending

    /// A roll's deadline: silence is pass (NEED_GREED), the master looter keeps the item
    /// (MASTER_LOOTER), nobody claimed it (FREE_FOR_ALL). A roll already decided is left alone.
    mutating func timeOutLootRoll(partyID: String, roll rollID: String, into outputs: inout [HubOutput]) {
        guard let partySlot = partySlotByID[partyID],
            let index = parties[partySlot].lootRolls.firstIndex(where: { $0.id == rollID })
        else { return }
        switch parties[partySlot].lootRolls[index].mode {
        case .masterLooter:
            finish(index, in: partySlot, winner: players[rollMaster(of: partySlot)].name, reason: .timeout, into: &outputs)
        case .freeForAll:
            finish(index, in: partySlot, winner: nil, reason: .nobody, into: &outputs)
        case .needGreed, .personal:
            settleByRolls(index, in: partySlot, into: &outputs)
        }
    }

    /// A member is about to leave (still in `members`): the round-robin turn keeps pointing at
    /// the same member, so nobody is skipped or served twice.
    mutating func leaveLootRotation(_ playerSlot: Int, partySlot: Int) {
        guard let position = parties[partySlot].members.firstIndex(of: playerSlot) else { return }
        if position < parties[partySlot].lootTurn { parties[partySlot].lootTurn -= 1 }
    }

    /// A member left a party that lives on: they drop out of its open rolls. A NEED_GREED roll
    /// that was waiting only for them is settled, and a FREE_FOR_ALL roll nobody may claim any
    /// more ends with nobody. (A MASTER_LOOTER roll waits for the master looter.)
    mutating func dropFromOpenRolls(_ playerSlot: Int, partySlot: Int, into outputs: inout [HubOutput]) {
        for rollID in parties[partySlot].lootRolls.map(\.id) {
            guard let index = parties[partySlot].lootRolls.firstIndex(where: { $0.id == rollID }),
                let position = parties[partySlot].lootRolls[index].eligible.firstIndex(of: playerSlot)
            else { continue }
            parties[partySlot].lootRolls[index].eligible.remove(at: position)
            parties[partySlot].lootRolls[index].choices.remove(at: position)
            let roll = parties[partySlot].lootRolls[index]
            if roll.mode == .needGreed && roll.everyoneChose {
                settleByRolls(index, in: partySlot, into: &outputs)
            } else if roll.mode == .freeForAll && roll.eligible.isEmpty {
                finish(index, in: partySlot, winner: nil, reason: .nobody, into: &outputs)
            }
        }
    }

    /// The party ends (disbanded, or its last member left): each open roll ends with nobody,
    /// reason `disbanded`, before the party is gone.
    mutating func endOpenRolls(_ partySlot: Int, into outputs: inout [HubOutput]) {
        guard !parties[partySlot].lootRolls.isEmpty else { return }
        // A last member's leaving kept their connections as recipients (for their member_left):
        // what follows goes to the members there are.
        refreshRecipients(partySlot)
        while !parties[partySlot].lootRolls.isEmpty {
            finish(0, in: partySlot, winner: nil, reason: .disbanded, into: &outputs)
        }
    }

    // MARK: Deciding

    /// Settles a NEED_GREED roll: the need choosers roll, or if none the greed choosers;
    /// nobody, when no one chose either.
    private mutating func settleByRolls(_ index: Int, in partySlot: Int, into outputs: inout [HubOutput]) {
        let roll = parties[partySlot].lootRolls[index]
        let chosen = zip(roll.eligible, roll.choices).compactMap { slot, choice in choice.map { (players[slot].name, $0) } }
        let need = chosen.filter { $0.1 == .need }.map(\.0)
        let contenders = need.isEmpty ? chosen.filter { $0.1 == .greed }.map(\.0) : need
        guard let (winner, rolls) = LootFairness.contest(seed: roll.seed, roll: roll.id, contenders: contenders) else {
            finish(index, in: partySlot, winner: nil, reason: .nobody, into: &outputs)
            return
        }
        finish(index, in: partySlot, winner: winner, reason: need.isEmpty ? .greed : .need, rolls: rolls, into: &outputs)
    }

    /// Ends the open roll at `index`: it leaves the party's open rolls and is announced.
    private mutating func finish(
        _ index: Int, in partySlot: Int, winner: String?, reason: LootRollReason, rolls: [ContenderRolls] = [],
        into outputs: inout [HubOutput]
    ) {
        let roll = parties[partySlot].lootRolls.remove(at: index)
        let outcome = LootRollOutcome(
            roll: roll.id, item: roll.item, mode: roll.mode, winner: winner, reason: reason, choices: choices(of: roll),
            rolls: rolls, seed: roll.seed, commitment: roll.commitment)
        announce(outcome, in: partySlot, into: &outputs)
    }

    /// `party.loot_rolled` to the party and `party:loot-rolled` to the outgoing stream; the
    /// roll id is remembered as decided.
    private mutating func announce(_ outcome: LootRollOutcome, in partySlot: Int, into outputs: inout [HubOutput]) {
        parties[partySlot].decidedRollIDs.append(outcome.roll)
        let excess = parties[partySlot].decidedRollIDs.count - Self.decidedRollsKept
        if excess > 0 { parties[partySlot].decidedRollIDs.removeFirst(excess) }
        emit(.lootRolled(outcome), in: partySlot, into: &outputs)
        publish(
            .lootRolled(
                party: parties[partySlot].id, roll: outcome.roll, item: outcome.item, winner: outcome.winner,
                reason: outcome.reason.rawValue),
            into: &outputs)
    }

    // MARK: Snapshots

    /// The choices made so far, in join order.
    private func choices(of roll: LootRoll) -> [PlayerLootChoice] {
        zip(roll.eligible, roll.choices).compactMap { slot, choice in
            choice.map { PlayerLootChoice(player: players[slot].name, choice: $0) }
        }
    }

    func lootRollSnapshot(_ roll: LootRoll) -> LootRollSnapshot {
        LootRollSnapshot(
            roll: roll.id, item: roll.item, mode: roll.mode, eligible: roll.eligible.map { players[$0].name },
            expiresAt: roll.expiresAt, commitment: roll.commitment, choices: choices(of: roll))
    }
}
