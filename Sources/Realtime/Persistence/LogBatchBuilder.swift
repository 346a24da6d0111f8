/// Frames records into one buffer for a `LogBatch`: length, masked CRC32C, LSN, type,
/// payload. Reusable: `removeAll()` keeps the buffer's capacity for the next batch.
public struct LogBatchBuilder: Sendable {
    private var bytes: [UInt8] = []
    /// The LSN of the first record appended since the last `removeAll` (0 when empty).
    public private(set) var firstLSN: UInt64 = 0
    /// The LSN of the last record appended (0 when empty).
    public private(set) var lastLSN: UInt64 = 0
    /// How many records were appended since the last `removeAll`.
    public private(set) var recordCount = 0

    /// A builder whose buffer starts with room for `capacity` bytes.
    public init(capacity: Int = 64 << 10) {
        bytes.reserveCapacity(capacity)
    }

    /// Whether no record was appended since the last `removeAll`.
    public var isEmpty: Bool { recordCount == 0 }

    /// The framed bytes so far.
    public var byteCount: Int { bytes.count }

    /// The records so far, as a batch for `LogWriter.write`.
    public var batch: LogBatch { LogBatch(firstLSN: firstLSN, lastLSN: lastLSN, bytes: bytes) }

    /// Frames one record. LSNs are consecutive from the first (an invariant of the caller's),
    /// and a payload has at most `LogFormat.maxPayloadBytes`.
    public mutating func append(lsn: UInt64, type: LogRecordType, payload: UnsafeRawBufferPointer) {
        precondition(lsn > 0, "LSNs start at 1")
        precondition(isEmpty || lsn == lastLSN + 1, "LSN \(lsn) does not follow \(lastLSN) in a batch")
        precondition(
            payload.count <= LogFormat.maxPayloadBytes, "a log payload has at most \(LogFormat.maxPayloadBytes) bytes")
        let start = bytes.count
        LittleEndian.append(UInt32(LogFormat.minRecordLength + payload.count), to: &bytes)
        LittleEndian.append(UInt32(0), to: &bytes)  // the checksum, filled in below
        LittleEndian.append(lsn, to: &bytes)
        bytes.append(type.rawValue)
        bytes.append(contentsOf: payload)
        bytes.withUnsafeMutableBytes { buffer in
            let covered = UnsafeRawBufferPointer(rebasing: buffer[(start + LogFormat.recordLSNOffset)...])
            LittleEndian.store(
                CRC32C.mask(CRC32C.checksum(covered)), into: buffer, at: start + LogFormat.recordChecksumOffset)
        }
        if isEmpty { firstLSN = lsn }
        lastLSN = lsn
        recordCount += 1
    }

    /// Empties the builder for the next batch, keeping its buffer.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        firstLSN = 0
        lastLSN = 0
        recordCount = 0
    }
}
