extension LogBatchBuilder {
    /// Frames `input` as a hub-input record with `lsn`, encoding it through `scratch` (reset
    /// first, reused record after record so the payload needs no allocation of its own).
    mutating func append(_ input: HubInput, lsn: UInt64, scratch: inout BinaryWriter) {
        scratch.reset()
        input.encode(into: &scratch)
        scratch.bytes.withUnsafeBytes { append(lsn: lsn, type: .hubInput, payload: $0) }
    }
}
