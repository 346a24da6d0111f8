/// One record of the write-ahead log, as the reader hands it over.
public struct LogRecord {
    /// Its log sequence number: consecutive from 1 across every segment.
    public let lsn: UInt64
    /// What it holds.
    public let type: LogRecordType
    /// Its payload, in the reader's buffer: valid only until the call that handed the record
    /// over returns (copy it with `Array(record.payload)` to keep it).
    public let payload: UnsafeRawBufferPointer
}
