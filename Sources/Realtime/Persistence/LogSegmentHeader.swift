/// The header at the start of every log segment: the segment's first LSN, when it was
/// created, and the pinned blob the lead fills with what replay must know about the process
/// that wrote the segment (the hub configuration, the process epoch). Layout in `LogFormat`.
public struct LogSegmentHeader: Equatable, Sendable {
    /// The LSN of the segment's first record (the next LSN, when the segment has none).
    public var firstLSN: UInt64
    /// When the segment was created, Unix ms.
    public var createdAt: Int64
    /// Opaque bytes the writer was given, at most `LogFormat.maxPinnedBytes`.
    public var pinned: [UInt8]

    public init(firstLSN: UInt64, createdAt: Int64, pinned: [UInt8]) {
        precondition(
            pinned.count <= LogFormat.maxPinnedBytes, "a pinned blob has at most \(LogFormat.maxPinnedBytes) bytes")
        self.firstLSN = firstLSN
        self.createdAt = createdAt
        self.pinned = pinned
    }

    /// The header's size on disk.
    public var byteCount: Int { LogFormat.segmentHeaderBytes(pinnedCount: pinned.count) }

    /// The header's bytes, checksum included.
    public func encoded() -> [UInt8] {
        var bytes = LogFormat.segmentMagic
        bytes.reserveCapacity(byteCount)
        bytes.append(LogFormat.segmentVersion)
        bytes += [0, 0]
        LittleEndian.append(firstLSN, to: &bytes)
        LittleEndian.append(createdAt, to: &bytes)
        LittleEndian.append(UInt32(pinned.count), to: &bytes)
        bytes += pinned
        let crc = bytes.withUnsafeBytes { CRC32C.checksum($0) }
        LittleEndian.append(CRC32C.mask(crc), to: &bytes)
        return bytes
    }

    /// What `decode` found.
    public enum Decoded: Equatable, Sendable {
        /// A header that verifies, and its size.
        case header(LogSegmentHeader, byteCount: Int)
        /// Fewer bytes than the header needs: `byteCount` of them when the fixed part says so.
        case incomplete(byteCount: Int?)
        /// Bytes that are not a header of ours, and why; `byteCount` is the header's size when
        /// its fixed part could say.
        case invalid(String, byteCount: Int?)
    }

    /// Decodes the header at the start of `bytes` (a prefix of the file, or all of it).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Decoded {
        guard bytes.count >= LogFormat.segmentHeaderFixedBytes else { return .incomplete(byteCount: nil) }
        guard bytes.starts(with: LogFormat.segmentMagic) else { return .invalid("no PHWAL magic", byteCount: nil) }
        let version = bytes[LogFormat.segmentVersionOffset]
        guard version == LogFormat.segmentVersion else {
            return .invalid(
                "segment format version \(version), this build reads \(LogFormat.segmentVersion)", byteCount: nil)
        }
        let pinnedCount = Int(LittleEndian.load(UInt32.self, from: bytes, at: LogFormat.segmentPinnedLengthOffset))
        guard pinnedCount <= LogFormat.maxPinnedBytes else {
            return .invalid(
                "pinned length \(pinnedCount) is over the \(LogFormat.maxPinnedBytes) allowed", byteCount: nil)
        }
        let total = LogFormat.segmentHeaderBytes(pinnedCount: pinnedCount)
        guard bytes.count >= total else { return .incomplete(byteCount: total) }
        let stored = LittleEndian.load(UInt32.self, from: bytes, at: total - LogFormat.checksumBytes)
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<(total - LogFormat.checksumBytes)]))
        guard CRC32C.unmask(stored) == computed else {
            return .invalid("segment header checksum mismatch", byteCount: total)
        }
        let pinnedStart = LogFormat.segmentHeaderFixedBytes
        let header = LogSegmentHeader(
            firstLSN: LittleEndian.load(UInt64.self, from: bytes, at: LogFormat.segmentFirstLSNOffset),
            createdAt: LittleEndian.load(Int64.self, from: bytes, at: LogFormat.segmentCreatedAtOffset),
            pinned: Array(bytes[pinnedStart..<(pinnedStart + pinnedCount)]))
        return .header(header, byteCount: total)
    }
}
