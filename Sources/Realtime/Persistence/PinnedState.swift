/// What every log segment's and snapshot's header pins: the hub's rules the records after it
/// were applied with, and the epoch of the process that wrote it. A restart with other flags
/// starts a new segment pinning the new rules, so the past is never re-read with rules it was
/// not applied with.
struct PinnedState: Equatable {
    /// 2: the configuration gained the loot roll timeout. 3: the caps on pending invites and
    /// connections per player and the offline notice delay. 4: the party creation rate and
    /// burst. Versions 2 and 3 are still read, with the newer fields at their defaults.
    static let formatVersion: UInt8 = 4
    private static let oldestReadableVersion: UInt8 = 2

    let epoch: UInt16
    let configuration: HubConfiguration

    init(epoch: UInt16, configuration: HubConfiguration) {
        self.epoch = epoch
        self.configuration = configuration
    }

    var bytes: [UInt8] {
        var writer = BinaryWriter(reservingCapacity: 128)
        writer.writeUInt8(Self.formatVersion)
        writer.writeVarUInt(UInt64(epoch))
        configuration.encode(into: &writer)
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(BinaryDecodingError) {
        self = try bytes.decodeBinary { (reader) throws(BinaryDecodingError) -> PinnedState in
            let version = try reader.readUInt8()
            guard (Self.oldestReadableVersion...Self.formatVersion).contains(version) else {
                throw .unsupportedVersion(version, expected: Self.formatVersion, at: 0)
            }
            let epoch = try reader.readVarUInt()
            guard epoch <= UInt64(UInt16.max) else { throw .valueOutOfRange(epoch, "the epoch", at: 1) }
            let configuration = try HubConfiguration(decoding: &reader, formatVersion: version)
            return PinnedState(epoch: UInt16(epoch), configuration: configuration)
        }
    }
}
