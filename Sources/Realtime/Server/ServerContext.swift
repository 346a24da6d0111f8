import Protocol

/// What every event loop reads and nobody writes after start-up.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let jwt: JWTCodec
    let logger: Logger
    /// Every loop's metrics, in loop order, for `/metrics`.
    let loopMetrics: [LoopMetrics]
    /// The log's and the snapshots' counters.
    let persistenceMetrics: PersistenceMetrics

    /// The per-address limits on upgrades, shared by every loop.
    let addressAdmission: AddressAdmission

    /// This process's start number, part of every connection id, so a session id never
    /// repeats across restarts.
    let epoch: UInt16

    init(configuration: ServerConfiguration, loopCount: Int, epoch: UInt16, persistenceMetrics: PersistenceMetrics) {
        self.epoch = epoch
        self.configuration = configuration
        self.jwt = configuration.jwtCodec
        self.logger = configuration.logger
        self.loopMetrics = (0..<loopCount).map { _ in LoopMetrics() }
        self.persistenceMetrics = persistenceMetrics
        self.addressAdmission = AddressAdmission(
            maxSessionsPerAddress: configuration.maxConnectionsPerAddress,
            handshakeRatePerSecond: configuration.handshakeRatePerAddress, handshakeBurst: configuration.handshakeBurstPerAddress)
    }
}
