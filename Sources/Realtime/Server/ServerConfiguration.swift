import Protocol

/// Everything `partyhub serve` can be told, with the documented defaults.
public struct ServerConfiguration: Sendable {
    /// Address to listen on.
    public var host = "0.0.0.0"
    /// TCP port for plain text (ws://, http://); 0 picks a free one (tests).
    public var port = 8084
    /// Whether `port` is served at all: false, with `tls` set, serves TLS only (`--port off`).
    public var servesPlainText = true
    /// TLS (wss://, https://) on a port of its own, beside plain text or alone; nil: off.
    public var tls: TLSConfiguration?
    /// Where the server keeps its files: the write-ahead log, snapshots, the generated JWT secret.
    public var dataDirectory = "./partyhub-data"
    /// The write-ahead log and snapshots.
    public var persistence = PersistenceConfiguration()
    /// Event loops; nil means one per CPU this process may run on (sched_getaffinity).
    public var threads: Int?
    /// The HS256 secret tokens are checked with (used when `jwtKeys` is empty).
    public var jwtSecret: [UInt8] = []
    /// Several HS256 secrets selected by the token header's `kid` (the first signs); when not
    /// empty they replace `jwtSecret`.
    public var jwtKeys: [JWTKey] = []
    /// When set, a token's `iss` must be exactly this.
    public var jwtIssuer: String?
    /// When set, a token's `aud` must name this.
    public var jwtAudience: String?
    /// Seconds of clock skew allowed on `exp` and `nbf`.
    public var jwtLeewaySeconds: Int64 = 10
    /// Unsent bytes a connection may have queued before it is closed with 1008 (never less
    /// than one largest message and its header).
    public var maxOutboundBytes = 1 << 20
    /// Largest WebSocket message (all fragments together); larger gets 1009.
    public var maxMessageBytes = 64 << 10
    /// Largest request head (431 beyond).
    public var maxHeaderBytes = 8 << 10
    /// Seconds a new connection has to complete its HTTP request.
    public var handshakeTimeout: Double = 10
    /// Seconds of silence from a client before the server pings it.
    public var pingInterval: Double = 20
    /// Seconds of silence after which a WebSocket is closed.
    public var idleTimeout: Double = 60
    /// Seconds a closing connection has to finish the close handshake.
    public var closeTimeout: Double = 5
    /// Seconds a shutdown waits for connections to close before exiting anyway.
    public var shutdownGrace: Double = 5
    /// The WebSocket path of the party protocol.
    public var partyPath = "/api/v1/social/party/ws"
    /// A sign-in-free echo endpoint for conformance suites; nil when off.
    public var echoPath: String?
    /// The address clients reach the server at (`https://play.example.com`, no trailing
    /// slash), for links the server hands out: a group's `invite_link` is
    /// `<publicURL>/groups/join/<code>`. nil: no links.
    public var publicURL: String?
    /// Origins a browser may open WebSockets from (`https://game.example.com`, compared
    /// exactly), or `*` for any; a browser upgrade whose `Origin` is not listed gets 403, which
    /// stops cross-site WebSocket hijacking. Upgrades without `Origin` (native clients) pass.
    /// Empty: every origin (the default, for native games).
    public var allowedOrigins: [String] = []
    /// Open connections (all loops) past which an upgrade gets 503; 0: no limit.
    public var maxConnections = 0
    /// WebSocket sessions one client address may hold at once (past it, 429); 0: no limit.
    public var maxConnectionsPerAddress = 256
    /// Upgrades per second one client address may start (a token bucket refilled at this rate;
    /// past it, 429 with `Retry-After`); 0: no limit.
    public var handshakeRatePerAddress: Double = 50
    /// Upgrades one client address may start at once.
    public var handshakeBurstPerAddress: Double = 100
    /// Peer addresses (exact IPv4 or IPv6 text) whose `X-Forwarded-For` names the client: a
    /// proxy on the same host or in front. From anyone else the header is ignored.
    public var trustedProxies: [String] = []
    /// Messages per second a WebSocket may send (a token bucket); past it the client gets one
    /// warning and, if it keeps on, a close with 1008. 0: no limit.
    public var inboundMessageRatePerSecond: Double = 50
    /// Messages a WebSocket may send at once.
    public var inboundMessageBurst: Double = 100
    /// The party rules.
    public var hub = HubConfiguration()
    /// Requests one event loop may have waiting at the hub's loop (loop 0) before it stops
    /// reading its sockets until the hub has worked them down to half (0: no limit).
    public var maxHubBacklog = 4096
    /// Requests one connection may have waiting at the hub's loop before its socket is no
    /// longer read until the hub has worked them down to half (0: no limit). Below the loop's
    /// limit, so one pipelining client is held back before its whole loop is.
    public var maxConnectionBacklog = 64
    /// Logging.
    public var logger = Logger()

    public init() {}

    /// The codec that checks sign-in tokens with these settings.
    public var jwtCodec: JWTCodec {
        let keys = jwtKeys.isEmpty ? [JWTKey(id: nil, secret: jwtSecret)] : jwtKeys
        return JWTCodec(keys: keys, leewaySeconds: jwtLeewaySeconds, issuer: jwtIssuer, audience: jwtAudience)
    }
}

/// The TLS listener: where the certificate chain and key are, and its port.
public struct TLSConfiguration: Sendable {
    /// PEM certificate chain: the server's certificate first, then any intermediates.
    public var certificatePath: String
    /// PEM private key of the certificate (read again with the certificate on SIGHUP).
    public var privateKeyPath: String
    /// TCP port for TLS; 0 picks a free one (tests).
    public var port: Int

    /// The default TLS port: 8443, the usual alternative HTTPS port.
    public static let defaultPort = 8443

    public init(certificatePath: String, privateKeyPath: String, port: Int = TLSConfiguration.defaultPort) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.port = port
    }
}
