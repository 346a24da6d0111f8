import Glibc
import Protocol

/// One client connection, owned by one event loop: its socket, its unread and unsent bytes,
/// and where it is in its life (HTTP, open WebSocket, closing). The methods that move it
/// along are in the `Connection+…` files; the loop calls them and carries out the I/O.
final class Connection {
    /// Where the connection is in its life.
    enum Phase: Equatable {
        /// Reading HTTP requests (a WebSocket upgrade, or plain requests with keep-alive).
        case http
        /// An HTTP request was handed to the hub; its answer is awaited (reading is paused, and
        /// pipelined bytes wait in `input`).
        case awaitingAnswer
        /// An open WebSocket.
        case open
        /// The server sent a close frame and waits for the client's (RFC 6455 §7.1.2).
        case closeSent
        /// The client broke the protocol: the close frame is sent, input is discarded until
        /// the client closes its side or the close timeout passes.
        case draining
        /// The last bytes (a close echo, an error response) are being written; then the socket closes.
        case finishing
        /// Gone: the socket is closed and the slot freed.
        case closed
    }

    let id: ConnectionID
    let fd: Int32
    let transport: Transport
    /// The epoll interest registered for the socket (changed only when it differs).
    var registeredEvents: Epoll.Events = .readable
    /// In the loop's list of connections whose transport holds input already off the socket.
    var isQueuedForBufferedRead = false
    var phase: Phase = .http
    var httpParser: HTTPRequestParser
    var reader: WebSocketMessageReader
    /// Set at the upgrade.
    var endpoint: WebSocketEndpoint?
    var input = ReadBuffer()
    var output = OutboundQueue()
    /// In the loop's list of connections to flush this turn.
    var isDirty = false
    /// EPOLLOUT is armed (there were leftovers after a write).
    var isWritableArmed = false
    /// Close the socket once the output is written.
    var closeWhenFlushed = false
    /// Shut down the sending side once the output is written (after a protocol-error close).
    var shutdownWriteWhenFlushed = false
    /// The close code the metrics record; 1006 until a close handshake says otherwise.
    var closeCode = WebSocketCloseCode.abnormalClosure
    /// Whether any HTTP request completed (a keep-alive timeout is then not a failed handshake).
    var servedRequest = false
    /// Whether the connection is kept after the awaited answer.
    var keepAliveAfterAnswer = false
    /// Reading is paused (EPOLLIN off) while an answer is awaited.
    var isReadPaused = false
    /// The connection's requests waiting at the hub's loop (`--max-connection-backlog`).
    var hubBacklog = ConnectionHubBacklog()
    /// An event stream subscriber was sent a catch-up chunk: the hub's loop hears when the
    /// queue has drained, and only then sends the next (flow control).
    var awaitsStreamDrain = false
    /// Monotonic milliseconds when the current phase began.
    var phaseStartedAt: Int64
    var lastReceivedAt: Int64
    var lastPingSentAt: Int64 = 0
    /// The timer wheel tick of this connection's current check (older entries are stale).
    var scheduledTick: Int64 = -1
    /// The socket's peer address (`ClientAddress.peer`), asked of the system only when a
    /// per-address limit needs it.
    private(set) lazy var peerAddress: String = ClientAddress.peer(of: fd)
    /// `--ip-handshake-rate` charged this (TLS) connection's peer as it was accepted
    /// (`EventLoop.admitsTLSHandshake`): its upgrade does not pay again.
    let handshakeChargedAtAccept: Bool
    /// The client address a WebSocket session was counted under by `--max-connections-per-ip`,
    /// given back when the connection ends; nil when none was counted.
    var countedAddress: String?
    /// Messages this WebSocket may still send now (`--inbound-message-rate`).
    var inboundMessages: TokenBucket
    /// The client was told once it sends too fast; the next excess closes it with 1008.
    var warnedForInboundRate = false

    init(
        id: ConnectionID, fd: Int32, transport: Transport, now: Int64, configuration: ServerConfiguration, chargedPeer: String?
    ) {
        self.id = id
        self.fd = fd
        self.transport = transport
        handshakeChargedAtAccept = chargedPeer != nil
        self.inboundMessages = TokenBucket(
            ratePerSecond: configuration.inboundMessageRatePerSecond, burst: configuration.inboundMessageBurst, now: now)
        self.httpParser = HTTPRequestParser(maxHeaderBytes: configuration.maxHeaderBytes)
        self.reader = WebSocketMessageReader(maxMessageBytes: configuration.maxMessageBytes)
        self.phaseStartedAt = now
        self.lastReceivedAt = now
        if let chargedPeer { peerAddress = chargedPeer }
    }

    deinit {
        input.release()
        transport.release()
    }

    /// Whether the session came from a read-only token (`"scope":"read"`).
    var isReadOnly: Bool {
        if case .party(_, let readOnly) = endpoint { return readOnly }
        return false
    }

    /// The player of a party session.
    var player: String? {
        if case .party(let player, _) = endpoint { return player }
        return nil
    }

    /// Whether the socket is left unread for now: an answer is awaited, or the connection's own
    /// requests pile up at the hub. (The loop may also hold all its connections' reads.)
    var holdsReads: Bool { isReadPaused || hubBacklog.isPaused }

    /// Whether the connection still reads and handles frames.
    var acceptsFrames: Bool { phase == .open || phase == .closeSent }

    func enterPhase(_ next: Phase, now: Int64) {
        phase = next
        phaseStartedAt = now
    }
}
