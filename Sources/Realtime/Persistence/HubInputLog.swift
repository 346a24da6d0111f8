import Protocol

/// The hub loop's side of the write-ahead log: numbers each recorded input with the next log
/// sequence number (LSN), frames the turn's records into one batch, hands the batch to the
/// committer at the end of the turn, and knows through which LSN the log is durable.
final class HubInputLog {
    /// Whether an input changes what the hub would do later, and so must be logged. Everything
    /// is, but a `party.signal` without an `idem` key: it is relayed, never stored, and only
    /// spends the signal budget, which nothing else reads. (A keyed signal is logged: its key
    /// takes a place in the player's `idem` cache.) And but a read of the organizations API
    /// (`HubInput.isReadOnly`), which changes nothing at all; its answer still waits behind
    /// the records of the state it shows.
    static func isRecorded(_ input: HubInput) -> Bool {
        if case .command(_, let request, _, _) = input, case .signal = request.command, request.idem == nil { return false }
        return !input.isReadOnly
    }

    private let committer: LogCommitter
    private var builder = LogBatchBuilder(capacity: 16 << 10)
    private var payload = BinaryWriter(reservingCapacity: 512)
    private(set) var lastRecordedLSN: UInt64
    private(set) var durableLSN: UInt64

    init(lastLSN: UInt64, committer: LogCommitter) {
        self.committer = committer
        lastRecordedLSN = lastLSN
        durableLSN = lastLSN
    }

    var hasUncommittedRecords: Bool { !builder.isEmpty }

    /// Frames `input` as the next record of this turn's batch.
    func record(_ input: HubInput) {
        lastRecordedLSN += 1
        builder.append(input, lsn: lastRecordedLSN, scratch: &payload)
    }

    /// Hands the turn's batch to the committer (written at once under `none`).
    func commitTurn() {
        committer.syncIfRequested()
        guard !builder.isEmpty else { return }
        let batch = builder.batch
        // A new buffer, not a cleared one: the batch still holds the old one.
        builder = LogBatchBuilder(capacity: 16 << 10)
        if let durable = committer.submit(batch) { noteDurable(through: durable) }
    }

    /// The committer reports the log durable through `lsn`.
    func noteDurable(through lsn: UInt64) {
        durableLSN = max(durableLSN, lsn)
    }
}
