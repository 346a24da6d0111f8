import Protocol

/// The hub loop's side of the write-ahead log: numbers each recorded input with the next log
/// sequence number (LSN), gathers the turn's records into one batch, hands the batch over at
/// the end of the turn, and knows through which LSN the log is durable.
final class HubInputLog {
    /// Whether an input changes what the hub would do later, and so must be logged. Everything
    /// is, but a `party.signal` without an `idem` key: it is relayed, never stored, and only
    /// spends the signal budget, which nothing else reads. (A keyed signal is logged: its key
    /// takes a place in the player's `idem` cache.)
    static func isRecorded(_ input: HubInput) -> Bool {
        if case .command(_, let request, _, _) = input, case .signal = request.command, request.idem == nil { return false }
        return true
    }

    private(set) var lastRecordedLSN: UInt64
    private(set) var durableLSN: UInt64
    private var uncommitted = 0

    init(lastLSN: UInt64) {
        lastRecordedLSN = lastLSN
        durableLSN = lastLSN
    }

    var hasUncommittedRecords: Bool { uncommitted > 0 }

    func record(_ input: HubInput) {
        lastRecordedLSN += 1
        uncommitted += 1
    }

    func commitTurn() {
        guard uncommitted > 0 else { return }
        uncommitted = 0
        durableLSN = lastRecordedLSN
    }

    func noteDurable(through lsn: UInt64) {
        durableLSN = max(durableLSN, lsn)
    }
}
