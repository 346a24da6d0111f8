/// Framed records with consecutive LSNs in one contiguous buffer, written with one call by
/// `LogWriter.write`. Built by a `LogBatchBuilder`.
public struct LogBatch: Sendable {
    /// The LSN of the first record (0 when the batch is empty).
    public let firstLSN: UInt64
    /// The LSN of the last record (0 when the batch is empty).
    public let lastLSN: UInt64
    /// The records, framed as `LogFormat` says.
    public let bytes: [UInt8]

    /// Whether the batch holds no record.
    public var isEmpty: Bool { bytes.isEmpty }
}
