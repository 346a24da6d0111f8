import Protocol

extension Hub {
    /// The version byte that starts an encoded state; a state of another version is refused,
    /// but for versions 3 (its configuration lacks the caps per player, no offline notice is
    /// pending) and 4 (no party creation budgets yet), whose missing parts take their defaults.
    /// 5: the party creation budgets. 6: which sessions are read-only (5 had none).
    static let stateFormatVersion: UInt8 = 6
    private static let oldestReadableStateVersion: UInt8 = 3

    /// Writes the whole state (docs/CODEC.md): the version byte, the configuration, the time,
    /// the slot tables with their exact slots and free lists, every index, the invites, the
    /// counters, the deadline heap and the organizations with their groups. Deterministic: the same state always gives the same
    /// bytes (dictionaries in ascending key order: strings by their UTF-8 bytes, sessions by number).
    func encodeState(into writer: inout BinaryWriter) {
        writer.writeUInt8(Self.stateFormatVersion)
        writer.write(configuration)
        writer.writeVarInt(now)
        writer.write(players)
        writer.writeDictionary(playerSlotByName)
        writer.writeDictionary(playerSlotBySession)
        writer.write(parties)
        writer.writeDictionary(partySlotByCode)
        writer.writeDictionary(partySlotByID)
        writer.writeDictionary(invites)
        writer.writeDictionary(inviteIDsByPlayer)
        writer.writeVarUInt(nextInviteNumber)
        writer.writeDictionary(requestedPartyIDsByPlayer)
        writer.write(deadlines)
        writer.writeVarUInt(nextEventOffset)
        writer.write(serviceEventLedger)
        writer.writeVarUInt(nextRollNumber)
        writer.write(organizations)
        writer.writeDictionary(pendingOfflineNotices)
        writer.writeDictionary(partyCreationBuckets)
        writer.writeVarInt(Int64(partyCreationSweepThreshold))
        writer.write(readOnlySessionsInOrder())
    }

    /// Every read-only session, by number: each player's are those of its sessions in this
    /// list, in the order of its sessions, so the list alone restores them.
    private func readOnlySessionsInOrder() -> [SessionID] {
        var sessions: [SessionID] = []
        for slot in 0..<players.slotCount where players.isOccupied(slot) { sessions += players[slot].readOnlySessions }
        return sessions.sorted { $0.rawValue < $1.rawValue }
    }

    private mutating func restoreReadOnlySessions(_ sessions: [SessionID], at start: Int) throws(BinaryDecodingError) {
        guard !sessions.isEmpty else { return }
        let readOnly = Set(sessions)
        var owners = Set<Int>()
        for session in sessions {
            guard let slot = playerSlotBySession[session], players.isOccupied(slot) else {
                throw .inconsistent("read-only session \(session.rawValue) belongs to no player", at: start)
            }
            owners.insert(slot)
        }
        for slot in owners { players[slot].readOnlySessions = players[slot].sessions.filter { readOnly.contains($0) } }
    }

    /// Reads what `encodeState` wrote. Besides every value's own checks, each slot reference
    /// (members, leaders, a player's party, an invite's party, the indexes) must name an
    /// occupied slot and each leader must be a member, so the restored hub never reads an empty
    /// slot; the finer rules (an invite's party holding its id, counters far from overflow,
    /// ...) are trusted, the snapshot file's checksum guarding the bytes.
    init(decodingState reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        let version = try reader.readUInt8()
        guard (Self.oldestReadableStateVersion...Self.stateFormatVersion).contains(version) else {
            throw .unsupportedVersion(version, expected: Self.stateFormatVersion, at: start)
        }
        // State 3 holds the configuration as pinned state 2 does.
        let configurationVersion: UInt8
        switch version {
        case 3: configurationVersion = 2
        case 4: configurationVersion = 3
        default: configurationVersion = PinnedState.formatVersion
        }
        self.init(configuration: try HubConfiguration(decoding: &reader, formatVersion: configurationVersion))
        now = try reader.readVarInt()
        players = try reader.read()
        playerSlotByName = try reader.readDictionary()
        playerSlotBySession = try reader.readDictionary()
        parties = try reader.read()
        partySlotByCode = try reader.readDictionary()
        partySlotByID = try reader.readDictionary()
        invites = try reader.readDictionary()
        inviteIDsByPlayer = try reader.readDictionary()
        nextInviteNumber = try reader.readVarUInt()
        requestedPartyIDsByPlayer = try reader.readDictionary()
        deadlines = try reader.read()
        nextEventOffset = try reader.readVarUInt()
        serviceEventLedger = try reader.read()
        nextRollNumber = try reader.readVarUInt()
        organizations = try reader.read()
        // State 3 told every absence at once: no notice is pending.
        if version >= 4 { pendingOfflineNotices = try reader.readDictionary() }
        if version >= 5 {
            partyCreationBuckets = try reader.readDictionary()
            let sweepThreshold: Int64 = try reader.readVarInt()
            guard (Int64(Self.minimumPartyCreationSweepThreshold)...Int64(Int32.max)).contains(sweepThreshold) else {
                throw .inconsistent("party creation sweep threshold \(sweepThreshold) out of range", at: start)
            }
            partyCreationSweepThreshold = Int(sweepThreshold)
        }
        if version >= 6 { try restoreReadOnlySessions(try reader.read(), at: start) }
        if let broken = firstBrokenReference() { throw .inconsistent(broken, at: start) }
    }

    /// The first slot reference to an empty slot (or leader outside the party), described;
    /// nil when there is none.
    private func firstBrokenReference() -> String? {
        for slot in 0..<players.slotCount where players.isOccupied(slot) {
            if let party = players[slot].party, !parties.isOccupied(party) {
                return "player slot \(slot) is in party slot \(party), which is empty"
            }
        }
        for slot in 0..<parties.slotCount where parties.isOccupied(slot) {
            let party = parties[slot]
            let named =
                party.members + [party.leader] + (party.masterLooter.map { [$0] } ?? [])
                + (party.readyCheck?.asked ?? []) + party.lootRolls.flatMap(\.eligible)
            if let empty = named.first(where: { !players.isOccupied($0) }) {
                return "party slot \(slot) names player slot \(empty), which is empty"
            }
            // The hand-over of the lead reads the first member.
            if !party.members.contains(party.leader) { return "party slot \(slot) is led by a non-member" }
        }
        if let invite = invites.values.first(where: { !parties.isOccupied($0.partySlot) }) {
            return "invite \(invite.id) is to party slot \(invite.partySlot), which is empty"
        }
        let playerIndexes = Array(playerSlotByName.values) + Array(playerSlotBySession.values)
        if let empty = playerIndexes.first(where: { !players.isOccupied($0) }) {
            return "an index names empty player slot \(empty)"
        }
        let partyIndexes = [partySlotByCode.values, partySlotByID.values].joined()
        if let empty = partyIndexes.first(where: { !parties.isOccupied($0) }) {
            return "an index names empty party slot \(empty)"
        }
        return nil
    }
}
