import CPartyHubSystem
import Glibc

/// The PartyHub server: a listening socket and its event loops. `start` returns at once;
/// `shutdown` closes every WebSocket with 1001 and `wait` returns when the loops have stopped
/// (at the latest after the shutdown grace period).
public final class Server: @unchecked Sendable {
    public let configuration: ServerConfiguration
    /// The port actually bound (useful with port 0).
    public let port: Int
    /// The number of event loops.
    public let loopCount: Int
    /// This process's epoch (part of every session id; one more than the data directory's last).
    public var epoch: UInt16 { context.epoch }
    private let group: LoopGroup
    private let context: ServerContext
    private let persistence: Persistence

    /// Locks the data directory and recovers the hub from it (newest valid snapshot, then the
    /// log after it), then binds the listening socket: a server listens only once everything
    /// it acknowledged before is back.
    public init(configuration: ServerConfiguration) throws {
        precondition(!configuration.jwtSecret.isEmpty || !configuration.jwtKeys.isEmpty, "a JWT secret is required")
        self.configuration = configuration
        partyhub_ignore_sigpipe()
        loopCount = max(1, min(255, configuration.threads ?? Int(partyhub_available_cpus())))
        let metrics = PersistenceMetrics()
        persistence = try Persistence(
            path: configuration.dataDirectory, configuration: configuration.persistence, hubConfiguration: configuration.hub,
            metrics: metrics, logger: configuration.logger)
        context = ServerContext(configuration: configuration, loopCount: loopCount, epoch: persistence.epoch, persistenceMetrics: metrics)
        let (listener, boundPort) = try Self.listen(host: configuration.host, port: configuration.port)
        port = boundPort
        do {
            group = try LoopGroup(
                context: context, loopCount: loopCount, hub: persistence.takeRecoveredHub(), log: persistence.inputLog,
                eventStream: persistence.eventStream, snapshotter: persistence.snapshotter, snapshotEvery: configuration.persistence.snapshotEveryRecords)
            try group.loops[0].adoptListener(listener)
        } catch {
            close(listener)
            throw error
        }
    }

    /// Starts the log and snapshot threads and the loops' threads.
    public func start() throws {
        let group = self.group
        try persistence.start(durable: { lsn in group.post([.logDurable(lsn)], to: group.hubLoopIndex) })
        try group.start()
        context.logger.info(
            "partyhub listening", ["address": "\(configuration.host):\(port)", "loops": String(loopCount)])
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
