import CPartyHubSystem
import Protocol

/// Why a handshake (or plain HTTP request) was refused, as a metrics label.
enum HandshakeFailure: Int, CaseIterable {
    case badRequest, unauthorized, notFound, methodNotAllowed, payloadTooLarge, upgradeRequired, headersTooLarge
    case notImplemented, versionNotSupported, timeout, other
    /// Refused by `--allowed-origins` (403).
    case forbiddenOrigin
    /// Refused by `--max-connections` (503).
    case serverFull
    /// Refused by `--max-connections-per-ip` (429).
    case addressConnections
    /// Refused by `--ip-handshake-rate` (429).
    case addressHandshakeRate

    init(status: HTTPStatus) {
        switch status {
        case .badRequest: self = .badRequest
        case .unauthorized: self = .unauthorized
        case .notFound: self = .notFound
        case .methodNotAllowed: self = .methodNotAllowed
        case .payloadTooLarge: self = .payloadTooLarge
        case .upgradeRequired: self = .upgradeRequired
        case .requestHeaderFieldsTooLarge: self = .headersTooLarge
        case .notImplemented: self = .notImplemented
        case .httpVersionNotSupported: self = .versionNotSupported
        default: self = .other
        }
    }

    var label: String {
        switch self {
        case .badRequest: return "bad_request"
        case .unauthorized: return "unauthorized"
        case .notFound: return "not_found"
        case .methodNotAllowed: return "method_not_allowed"
        case .payloadTooLarge: return "payload_too_large"
        case .upgradeRequired: return "upgrade_required"
        case .headersTooLarge: return "headers_too_large"
        case .notImplemented: return "not_implemented"
        case .versionNotSupported: return "version_not_supported"
        case .timeout: return "timeout"
        case .other: return "other"
        case .forbiddenOrigin: return "origin"
        case .serverFull: return "max_connections"
        case .addressConnections: return "ip_connections"
        case .addressHandshakeRate: return "ip_handshake_rate"
        }
    }
}

/// The close codes counted one by one; the rest go under "other". 1006 counts connections that
/// ended without a close handshake.
let countedCloseCodes: [UInt16] = [1000, 1001, 1002, 1003, 1006, 1007, 1008, 1009, 1011, 4008]

/// Command operations as metrics labels: the known ops, then unknown and undecodable frames.
let commandOperationLabels: [String] = PartyOperation.allCases.map(\.rawValue) + ["unknown", "invalid"]

extension PartyOperation {
    /// This operation's index in `commandOperationLabels` (a switch: `allCases` would build an
    /// array on every command).
    var metricsIndex: Int {
        switch self {
        case .create: return 0
        case .join: return 1
        case .leave: return 2
        case .chat: return 3
        case .get: return 4
        case .kick: return 5
        case .promote: return 6
        case .disband: return 7
        case .setRole: return 8
        case .setLoot: return 9
        case .invite: return 10
        case .inviteAccept: return 11
        case .inviteDecline: return 12
        case .regenerateCode: return 13
        case .setOpen: return 14
        case .setInvitePolicy: return 15
        case .setComposition: return 16
        case .requestAccept: return 17
        case .requestReject: return 18
        case .signal: return 19
        case .readyCheck: return 20
        case .ready: return 21
        case .history: return 22
        case .resume: return 23
        case .chooseLoot: return 24
        case .assignLoot: return 25
        case .claimLoot: return 26
        case .shareQuest: return 27
        case .abandonQuest: return 28
        }
    }

    /// The label index of frames whose op is unknown.
    static let unknownMetricsIndex = allCases.count
    /// The label index of frames that are not a command at all.
    static let invalidMetricsIndex = allCases.count + 1
}

/// Command results as metrics labels: ok, then each error code.
let commandResultCodes: [PartyErrorCode] = [
    .alreadyInParty, .notFound, .partyFull, .notInParty, .invalidMessage, .rateLimited, .unknownOp, .notLeader,
    .notMember, .invalidTarget, .rollClosed, .notEligible, .notMasterLooter, .alreadyShared, .forbidden, .internalError,
]

/// The statuses the organizations API's requests are counted by, one by one; the rest go
/// under "other".
let apiCountedStatuses: [HTTPStatus] = [.ok, .created, .noContent, .badRequest, .unauthorized, .forbidden, .notFound, .conflict, .internalServerError, .serviceUnavailable]

/// Upper bounds (µs) of the event-loop turn time histogram buckets.
let turnTimeBucketsMicroseconds: [Int64] = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100_000]

/// One event loop's counters. Only that loop writes them (a plain load and store, no lock
/// prefix); `/metrics`, on any loop, reads every loop's with relaxed atomic loads and sums.
final class LoopMetrics: @unchecked Sendable {
    /// Single counters and gauges.
    enum Counter: Int, CaseIterable {
        case openConnections, acceptedTotal, framesIn, framesOut, bytesIn, bytesOut, slowConsumerDrops
        case webSocketSessions, parties, players, turnCount, turnTimeSumNanoseconds
        case framesDroppedAfterClose
        /// Service events answered, by status.
        case serviceEventsApplied, serviceEventsDuplicate, serviceEventsIgnored, serviceEventsRejected
        /// The longest turn so far, in nanoseconds.
        case turnMaxNanoseconds
        /// Live organizations and groups (gauges set by the hub's loop).
        case organizations, groups
        /// The published event stream (the hub's loop): its last and oldest kept offsets, and
        /// its WebSocket subscribers.
        case eventStreamLastOffset, eventStreamOldestOffset, eventStreamSubscribers
        /// Pending invites ended because their invitee held `--max-invites-per-player` newer ones.
        case invitesSuperseded
        /// Times this loop stopped reading its sockets because its requests piled up at the hub.
        case hubBacklogReadPauses
        /// Times a connection's socket was no longer read because its own requests piled up at the hub.
        case connectionBacklogReadPauses
        /// TLS: handshakes completed (and of those, resumed sessions), handshakes that failed
        /// (a protocol error, a refused version, garbage, a timeout), certificate reloads.
        case tlsHandshakes, tlsResumedHandshakes, tlsHandshakeFailures, tlsCertificateReloads
        /// WebSockets warned for sending faster than `--inbound-message-rate`, and those closed
        /// with 1008 for keeping on.
        case inboundRateWarnings, inboundRateCloses
    }

    private static let handshakeBase = Counter.allCases.count
    private static let closeBase = handshakeBase + HandshakeFailure.allCases.count
    private static let closeOther = closeBase + countedCloseCodes.count
    private static let commandBase = closeOther + 1
    private static let commandResults = commandResultCodes.count + 1
    private static let turnBucketBase = commandBase + commandOperationLabels.count * commandResults
    private static let apiStatusCount = apiCountedStatuses.count + 1
    private static let apiBase = turnBucketBase + turnTimeBucketsMicroseconds.count + 1
    private static let size = apiBase + OrganizationOperation.Kind.allCases.count * apiStatusCount

    private let counters = CounterBlock(count: size)

    @inline(__always)
    func add(_ counter: Counter, _ delta: Int64 = 1) {
        counters.add(counter.rawValue, delta)
    }

    func set(_ counter: Counter, _ value: Int64) {
        counters.store(counter.rawValue, value)
    }

    func handshakeFailed(_ reason: HandshakeFailure) {
        counters.add(Self.handshakeBase + reason.rawValue, 1)
    }

    func closed(code: UInt16) {
        let index = countedCloseCodes.firstIndex(of: code).map { Self.closeBase + $0 } ?? Self.closeOther
        counters.add(index, 1)
    }

    /// Counts a command: `operation` indexes `commandOperationLabels`; `error` nil is ok.
    func command(operation: Int, error: PartyErrorCode?) {
        let result = error.map { code in (commandResultCodes.firstIndex(of: code) ?? commandResultCodes.count - 1) + 1 } ?? 0
        counters.add(Self.commandBase + operation * Self.commandResults + result, 1)
    }

    /// Counts a request to the organizations API answered with `status`.
    func apiRequest(_ endpoint: OrganizationOperation.Kind, status: HTTPStatus) {
        let statusIndex = apiCountedStatuses.firstIndex(of: status) ?? apiCountedStatuses.count
        counters.add(Self.apiBase + endpoint.rawValue * Self.apiStatusCount + statusIndex, 1)
    }

    func turnTook(nanoseconds: Int64) {
        counters.count(nanoseconds / 1000, inHistogramAt: Self.turnBucketBase, bounds: turnTimeBucketsMicroseconds)
        add(.turnCount)
        add(.turnTimeSumNanoseconds, nanoseconds)
        if nanoseconds > value(.turnMaxNanoseconds) { set(.turnMaxNanoseconds, nanoseconds) }
    }

    // MARK: Reading (any thread)

    func value(_ counter: Counter) -> Int64 { counters.load(counter.rawValue) }

    func handshakeFailures(_ reason: HandshakeFailure) -> Int64 {
        counters.load(Self.handshakeBase + reason.rawValue)
    }

    /// Closes by code index into `countedCloseCodes`, or nil for "other".
    func closes(codeIndex: Int?) -> Int64 {
        counters.load((codeIndex.map { Self.closeBase + $0 } ?? Self.closeOther))
    }

    /// Commands by operation index and result index (0 ok, then `commandResultCodes`).
    func commands(operation: Int, result: Int) -> Int64 {
        counters.load(Self.commandBase + operation * Self.commandResults + result)
    }

    /// Organizations API requests by endpoint and status index (into `apiCountedStatuses`,
    /// or its count for "other").
    func apiRequests(_ endpoint: OrganizationOperation.Kind, statusIndex: Int) -> Int64 {
        counters.load(Self.apiBase + endpoint.rawValue * Self.apiStatusCount + statusIndex)
    }

    /// Turns in a histogram bucket (the last is +Inf).
    func turns(bucket: Int) -> Int64 { counters.load(Self.turnBucketBase + bucket) }
}
