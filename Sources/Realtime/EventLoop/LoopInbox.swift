import CPartyHubSystem
import Glibc
import Protocol

/// Messages one event loop hands another: the only way state crosses threads.
enum LoopMessage {
    /// A freshly accepted socket for this loop to own; `tls` is the context its TLS session
    /// begins with (nil: plain text); `chargedPeer` the peer address `--ip-handshake-rate`
    /// charged as it was accepted (nil: none was).
    case adopt(fd: Int32, tls: TLSContext?, chargedPeer: String?)
    /// A reloaded certificate and key (SIGHUP), for the connections the listening loop accepts from now on.
    case tlsContextReloaded(TLSContext)
    /// Inputs and refusals for the hub (sent to the loop that hosts it), in the order read,
    /// from loop `from` (whose backlog at the hub they count in, `HubBacklog`).
    case hubRequests([HubRequest], from: Int)
    /// The write-ahead log is durable through this LSN (from the log thread to the hub's loop).
    case logDurable(UInt64)
    /// Encoded frames for connections of this loop, in order.
    case deliveries([Delivery])
    /// The event stream's instructions for its subscribers on this loop (from the hub's loop).
    case eventStream([EventStreamInstruction])
    /// Stop accepting, close every WebSocket with 1001, and stop once they are gone.
    case shutdown
}

/// One encoded frame and the connections of one loop it goes to.
struct Delivery {
    let bytes: OutboundBytes
    let recipients: [ConnectionID]
}

/// What the hub's loop asks of a stream subscriber's connection on another loop.
enum EventStreamInstruction {
    /// Queue these frames; report `.eventStreamDrained` once the connection has written them.
    case chunk(ConnectionID, [OutboundBytes])
    /// Close the connection with this close frame (also sent for a party session the hub let
    /// go of: `HubOutput.sessionEnded`).
    case close(ConnectionID, WebSocketCloseCode, reason: String)
}

/// A multi-producer queue into one event loop, woken through an eventfd. Producers append
/// under a mutex and write the eventfd only when the queue goes from empty to non-empty; the
/// loop swaps the whole batch out in one lock. Each producer sends at most one batch per turn.
final class LoopInbox: @unchecked Sendable {
    let eventFD: Int32
    // Heap-allocated: a pthread mutex must not move, and `&storedProperty` promises no address.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var pending: [LoopMessage] = []

    init() throws {
        eventFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        if eventFD < 0 { throw SystemError("eventfd") }
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        close(eventFD)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Appends messages (from any thread) and wakes the loop if it may be asleep.
    func post(_ messages: [LoopMessage]) {
        if messages.isEmpty { return }
        pthread_mutex_lock(mutex)
        let wasEmpty = pending.isEmpty
        pending.append(contentsOf: messages)
        pthread_mutex_unlock(mutex)
        if wasEmpty {
            var one: UInt64 = 1
            _ = write(eventFD, &one, 8)
        }
    }

    /// Takes everything posted so far (on the owning loop).
    func drain() -> [LoopMessage] {
        var counter: UInt64 = 0
        _ = read(eventFD, &counter, 8)
        pthread_mutex_lock(mutex)
        let messages = pending
        pending = []
        pthread_mutex_unlock(mutex)
        return messages
    }
}
