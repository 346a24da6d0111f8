/// A running ready check, inside PARTY.
public struct ReadyCheckSnapshot: Equatable, Sendable {
    public let by: String
    /// Unix ms.
    public let expiresAt: Int64
    /// Each member asked, with their answer so far (nil: none yet), in join order.
    public let answers: [ReadyAnswer]

    public init(by: String, expiresAt: Int64, answers: [ReadyAnswer]) {
        self.by = by
        self.expiresAt = expiresAt
        self.answers = answers
    }
}

/// One member's answer to a ready check.
public struct ReadyAnswer: Equatable, Sendable {
    public let player: String
    /// nil: no answer.
    public let ready: Bool?

    public init(player: String, ready: Bool?) {
        self.player = player
        self.ready = ready
    }
}

/// How a ready check ended (`party.ready_check_result`).
public struct ReadyCheckResult: Equatable, Sendable {
    public let answers: [ReadyAnswer]
    /// Every member asked answered true, and at least one is still in the party to have done so.
    public let allReady: Bool
    /// `answered` (everyone answered) or `timeout`.
    public let reason: ReadyCheckEnd
    public let composition: CompositionReport

    public init(answers: [ReadyAnswer], allReady: Bool, reason: ReadyCheckEnd, composition: CompositionReport) {
        self.answers = answers
        self.allReady = allReady
        self.reason = reason
        self.composition = composition
    }
}

/// Why a ready check ended.
public enum ReadyCheckEnd: String, Equatable, Sendable {
    case answered, timeout
}
