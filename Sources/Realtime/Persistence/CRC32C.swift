import CPartyHubSystem

/// CRC32C (Castagnoli), the checksum of every log record, segment header and snapshot: the
/// SSE4.2 `crc32` instruction when the CPU has it, else a slicing-by-8 table (both in
/// `CPartyHubSystem/crc32c.c`, chosen once at run time).
public enum CRC32C {
    /// The CRC32C of `bytes`; pass an earlier result as `continuing` to checksum data given in
    /// pieces (`checksum(b, continuing: checksum(a))` is the checksum of `a` then `b`).
    @inline(__always)
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        partyhub_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    /// Whether `checksum` runs on the SSE4.2 instruction rather than the table.
    public static var usesHardware: Bool { partyhub_crc32c_uses_hardware() != 0 }

    /// Whether this CPU has the SSE4.2 `crc32` instruction.
    public static var hardwareAvailable: Bool { partyhub_crc32c_hardware_available() != 0 }

    /// The table implementation, whatever the CPU (for tests and measurements).
    public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        partyhub_crc32c_software(crc, bytes.baseAddress, bytes.count)
    }

    /// The SSE4.2 implementation (for tests and measurements); only when `hardwareAvailable`.
    public static func hardwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        precondition(hardwareAvailable, "this CPU has no SSE4.2 crc32 instruction")
        return partyhub_crc32c_hardware(crc, bytes.baseAddress, bytes.count)
    }

    /// The checksum as stored: rotated and offset, as LevelDB does, because the CRC of a byte
    /// string that itself contains CRCs is a poor check ("masked" CRC, `util/crc32c.h`).
    @inline(__always)
    public static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ maskDelta
    }

    /// The inverse of `mask`.
    @inline(__always)
    public static func unmask(_ masked: UInt32) -> UInt32 {
        let rotated = masked &- maskDelta
        return (rotated >> 17) | (rotated << 15)
    }

    private static let maskDelta: UInt32 = 0xA282_EAD8
}
