/// A close status code (RFC 6455 §7.4). Named constants for the codes the server sends.
public struct WebSocketCloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 1000: the purpose of the connection is fulfilled.
    public static let normalClosure = WebSocketCloseCode(rawValue: 1000)
    /// 1001: the server is going away (shutdown).
    public static let goingAway = WebSocketCloseCode(rawValue: 1001)
    /// 1002: the peer broke the framing rules.
    public static let protocolError = WebSocketCloseCode(rawValue: 1002)
    /// 1003: a data type the endpoint does not accept (binary on the party endpoint).
    public static let unsupportedData = WebSocketCloseCode(rawValue: 1003)
    /// 1005: reserved; never on the wire, stands for "no code given".
    public static let noStatusReceived = WebSocketCloseCode(rawValue: 1005)
    /// 1006: reserved; never on the wire, stands for "closed without a close frame".
    public static let abnormalClosure = WebSocketCloseCode(rawValue: 1006)
    /// 1007: text that is not UTF-8.
    public static let invalidPayloadData = WebSocketCloseCode(rawValue: 1007)
    /// 1008: a policy violation (slow consumer, unauthorised use).
    public static let policyViolation = WebSocketCloseCode(rawValue: 1008)
    /// 1009: a message larger than the endpoint accepts.
    public static let messageTooBig = WebSocketCloseCode(rawValue: 1009)
    /// 1011: the server met an unexpected condition.
    public static let internalError = WebSocketCloseCode(rawValue: 1011)
    /// 4008 (the application range, 4000-4999; 1008 is policy): the player opened more
    /// connections than `--max-sessions-per-player`, and this was their oldest.
    public static let tooManySessions = WebSocketCloseCode(rawValue: 4008)
    /// 4410 (the application range, 4000-4999): the event stream was asked to start after an
    /// offset older than the oldest event it keeps (the reason says `offset_expired oldest=K`);
    /// 410 is the same answer over plain HTTP.
    public static let offsetExpired = WebSocketCloseCode(rawValue: 4410)

    /// Whether a peer may send this code in a close frame (RFC 6455 §7.4.1, §7.4.2 and the IANA
    /// registry): 1000-1003, 1007-1011 and the registered 1012-1014, and 3000-4999 for
    /// libraries and applications. 1004-1006 and 1015 are reserved and never sent.
    public var isAllowedOnTheWire: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }

    public var description: String { String(rawValue) }
}
