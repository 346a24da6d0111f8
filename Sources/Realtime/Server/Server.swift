import CPartyHubSystem
import Glibc

/// The PartyHub server: its listening sockets (plain text, TLS, or both) and its event loops.
/// `start` returns at once; `shutdown` closes every WebSocket with 1001 and `wait` returns
/// when the loops have stopped (at the latest after the shutdown grace period).
public final class Server: @unchecked Sendable {
    public let configuration: ServerConfiguration
    /// The plain-text port actually bound (useful with port 0); the TLS port when plain text is off.
    public let port: Int
    /// The TLS port actually bound; nil when TLS is off.
    public let tlsPort: Int?
    /// The number of event loops.
    public let loopCount: Int
    /// This process's epoch (part of every session id; one more than the data directory's last).
    public var epoch: UInt16 { context.epoch }
    private let group: LoopGroup
    private let context: ServerContext
    private let persistence: Persistence
    /// The TLS context the listening loop was last given (the start's, then each reload's).
    private var currentTLSContext: TLSContext?

    /// Reads the TLS certificate and key (when configured), locks the data directory and
    /// recovers the hub from it (newest valid snapshot, then the log after it), then binds the
    /// listening sockets: a server listens only once everything it acknowledged before is back.
    public init(configuration: ServerConfiguration) throws {
        precondition(!configuration.jwtSecret.isEmpty || !configuration.jwtKeys.isEmpty, "a JWT secret is required")
        self.configuration = configuration
        guard configuration.servesPlainText || configuration.tls != nil else {
            throw ConfigurationError("nothing to serve: plain text is off and TLS is not configured (--tls-cert, --tls-key)")
        }
        // Read the certificate first, before a long recovery and before binding anything: a
        // file that does not load is the operator's to fix, at once.
        let tlsContext = try configuration.tls.map {
            try TLSContext(certificatePath: $0.certificatePath, privateKeyPath: $0.privateKeyPath)
        }
        partyhub_ignore_sigpipe()
        loopCount = max(1, min(255, configuration.threads ?? Int(partyhub_available_cpus())))
        let metrics = PersistenceMetrics()
        persistence = try Persistence(
            path: configuration.dataDirectory, configuration: configuration.persistence, hubConfiguration: configuration.hub,
            metrics: metrics, logger: configuration.logger)
        context = ServerContext(configuration: configuration, loopCount: loopCount, epoch: persistence.epoch, persistenceMetrics: metrics)
        var listeners: [Int32] = []
        do {
            var plainPort: Int?
            if configuration.servesPlainText {
                let (listener, boundPort) = try Self.listen(host: configuration.host, port: configuration.port)
                listeners.append(listener)
                plainPort = boundPort
            }
            var tlsListener: Int32 = -1
            if let tls = configuration.tls {
                let (listener, boundPort) = try Self.listen(host: configuration.host, port: tls.port)
                listeners.append(listener)
                tlsListener = listener
                tlsPort = boundPort
            } else {
                tlsPort = nil
            }
            port = plainPort ?? tlsPort ?? 0
            group = try LoopGroup(
                context: context, loopCount: loopCount, hub: persistence.takeRecoveredHub(), log: persistence.inputLog,
                eventStream: persistence.eventStream, snapshotter: persistence.snapshotter, snapshotEvery: configuration.persistence.snapshotEveryRecords)
            if configuration.servesPlainText { try group.loops[0].adoptListener(listeners[0]) }
            if let tlsContext { try group.loops[0].adoptTLSListener(tlsListener, context: tlsContext) }
            currentTLSContext = tlsContext
        } catch {
            for listener in listeners { close(listener) }
            throw error
        }
    }

    /// Starts the log and snapshot threads and the loops' threads.
    public func start() throws {
        let group = self.group
        try persistence.start(durable: { lsn in group.post([.logDurable(lsn)], to: group.hubLoopIndex) })
        try group.start()
        let loops = String(loopCount)
        switch (configuration.servesPlainText, tlsPort) {
        case (true, let tlsPort?):
            context.logger.info(
                "partyhub listening",
                ["address": "\(configuration.host):\(port)", "tls_address": "\(configuration.host):\(tlsPort)", "loops": loops])
        case (false, let tlsPort?):
            context.logger.info("partyhub listening", ["tls_address": "\(configuration.host):\(tlsPort)", "loops": loops])
        default:
            context.logger.info("partyhub listening", ["address": "\(configuration.host):\(port)", "loops": loops])
        }
    }

    /// Reads the TLS certificate chain and key again (SIGHUP) into a new context that the
    /// connections accepted from now on begin with; open connections keep theirs and are not
    /// dropped. Throws (and changes nothing) when TLS is off or the files do not make a valid
    /// pair, so a bad renewal never takes the working certificate away. Session tickets issued
    /// before still resume. Any thread, one call at a time (the main thread's signal loop).
    public func reloadTLSCertificate() throws {
        guard let tls = configuration.tls else { throw ConfigurationError("TLS is not configured: nothing to reload") }
        let context = try TLSContext(
            certificatePath: tls.certificatePath, privateKeyPath: tls.privateKeyPath, previous: currentTLSContext)
        currentTLSContext = context
        group.post([.tlsContextReloaded(context)], to: 0)
        self.context.logger.info("reloaded the TLS certificate", ["certificate": tls.certificatePath])
    }

    /// WebSocket sessions counted for a client address by `--max-connections-per-ip` (tests).
    func addressSessions(_ address: String) -> Int {
        context.addressAdmission.sessions(of: address)
    }

    /// Begins a graceful shutdown (from any thread).
    public func shutdown() {
        context.logger.info("shutting down", ["grace_seconds": String(configuration.shutdownGrace)])
        group.shutdown()
    }

    /// Blocks until every loop has stopped, then ends the log and writes the final snapshot
    /// (so the next start replays nothing).
    public func wait() {
        group.join()
        let host = group.hubHost
        persistence.close(finalHub: host.hub, releaseHeldEvents: { host.releaseHeldEventsAfterStop() })
    }

    private static func listen(host: String, port: Int) throws -> (Int32, Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        // An address that cannot be resolved or bound is the operator's to fix (--host, --port):
        // a ConfigurationError, which the command line exits with 2 for.
        guard status == 0, let first = results else {
            throw ConfigurationError("cannot listen on \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(results) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 {
            let error = ConfigurationError("cannot listen on \(host):\(port): \(String(cString: strerror(errno)))")
            close(fd)
            throw error
        }
        if Glibc.listen(fd, 4096) != 0 {
            let error = SystemError("listen")
            close(fd)
            throw error
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let boundPort: Int
        if Int32(storage.ss_family) == AF_INET6 {
            boundPort = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        } else {
            boundPort = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        }
        return (fd, boundPort)
    }
}

/// A write to a socket the peer has reset raises SIGPIPE, which would end the process; OpenSSL
/// writes with plain `write`, so a process that speaks TLS ignores the signal and takes EPIPE.
public func ignoreBrokenPipeSignals() { partyhub_ignore_sigpipe() }
