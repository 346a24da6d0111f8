/// Every rule in declaration order: counts and milliseconds as zigzag LEB128, rates and bursts
/// as 8-byte doubles (NaN refused: a bucket made with it would trap). A field added to `HubConfiguration` must come last here, and old bytes
/// need a new format version (the snapshot's, or the log's) to be read: `PinnedState` passes
/// the version it read, and the fields an older version lacks keep their defaults.
extension HubConfiguration: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.write(maxMembers)
        writer.write(maxPartySize)
        writer.write(maxChatScalars)
        writer.writeDouble(chatRatePerSecond)
        writer.writeDouble(chatBurst)
        writer.writeDouble(signalRatePerSecond)
        writer.writeDouble(signalBurst)
        writer.writeDouble(commandRatePerSecond)
        writer.writeDouble(commandBurst)
        writer.writeVarInt(inviteTTLMilliseconds)
        writer.writeVarInt(reconnectGraceMilliseconds)
        writer.writeVarInt(readyCheckMilliseconds)
        writer.write(historySize)
        writer.write(idempotencyKeys)
        writer.writeVarInt(lootRollTimeoutMilliseconds)
        writer.write(maxPendingInvitesPerPlayer)
        writer.write(maxSessionsPerPlayer)
        writer.writeVarInt(offlineNoticeDelayMilliseconds)
        writer.writeDouble(partyCreationsPerMinute)
        writer.writeDouble(partyCreationBurst)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        try self.init(decoding: &reader, formatVersion: PinnedState.formatVersion)
    }

    /// Reads the fields format `formatVersion` of the pinned state had (2: up to the loot roll timeout).
    init(decoding reader: inout BinaryReader, formatVersion: UInt8) throws(BinaryDecodingError) {
        let start = reader.offset
        self.init()
        maxMembers = try reader.read()
        maxPartySize = try reader.read()
        maxChatScalars = try reader.read()
        chatRatePerSecond = try reader.readDouble()
        chatBurst = try reader.readDouble()
        signalRatePerSecond = try reader.readDouble()
        signalBurst = try reader.readDouble()
        commandRatePerSecond = try reader.readDouble()
        commandBurst = try reader.readDouble()
        inviteTTLMilliseconds = try reader.readVarInt()
        reconnectGraceMilliseconds = try reader.readVarInt()
        readyCheckMilliseconds = try reader.readVarInt()
        historySize = try reader.read()
        idempotencyKeys = try reader.read()
        lootRollTimeoutMilliseconds = try reader.readVarInt()
        if formatVersion >= 3 {
            maxPendingInvitesPerPlayer = try reader.read()
            maxSessionsPerPlayer = try reader.read()
            offlineNoticeDelayMilliseconds = try reader.readVarInt()
        }
        if formatVersion >= 4 {
            partyCreationsPerMinute = try reader.readDouble()
            partyCreationBurst = try reader.readDouble()
        }
        let rates = [
            chatRatePerSecond, chatBurst, signalRatePerSecond, signalBurst, commandRatePerSecond, commandBurst,
            partyCreationsPerMinute, partyCreationBurst,
        ]
        if rates.contains(where: \.isNaN) { throw .inconsistent("a rate or burst is NaN", at: start) }
    }
}
