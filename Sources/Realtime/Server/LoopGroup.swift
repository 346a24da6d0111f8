import CPartyHubSystem
import Glibc

/// The server's event loops, each on its own thread. Loop 0 owns the listening socket (it
/// deals accepted connections round-robin) and the hub.
final class LoopGroup: @unchecked Sendable {
    let loops: [EventLoop]
    let hubLoopIndex = 0
    var loopCount: Int { loops.count }
    /// Each loop's requests not yet carried out by the hub's loop (backpressure).
    let hubBacklog: HubBacklog
    private var threads: [pthread_t] = []

    /// Makes the loops; the hub's loop runs `hub` (as recovered) and records its inputs in `log`.
    init(
        context: ServerContext, loopCount: Int, hub: Hub, log: HubInputLog, eventStream: EventStream, snapshotter: Snapshotter,
        snapshotEvery: Int
    ) throws {
        precondition(loopCount >= 1 && loopCount <= 255, "between 1 and 255 loops")
        hubBacklog = HubBacklog(loopCount: loopCount)
        loops = try (0..<loopCount).map { try EventLoop(index: $0, context: context, loopCount: loopCount) }
        for loop in loops { loop.group = self }
        let hubLoop = loops[hubLoopIndex]
        hubLoop.hubHost = HubHost(
            hub: hub, log: log, eventStream: eventStream, snapshotter: snapshotter, snapshotEvery: snapshotEvery, loop: hubLoop,
            loopCount: loopCount, epoch: context.epoch)
    }

    /// The hub's host on its loop (read after `join`, for the final snapshot).
    var hubHost: HubHost { loops[hubLoopIndex].hubHost! }

    /// The hub as its loop left it (read after `join`, for the final snapshot).
    var hub: Hub { hubHost.hub }

    /// Posts messages to a loop (from any thread).
    func post(_ messages: [LoopMessage], to loopIndex: Int) {
        loops[loopIndex].inbox.post(messages)
    }

    /// Starts one thread per loop.
    func start() throws {
        for loop in loops {
            let box = Unmanaged.passRetained(loop).toOpaque()
            var thread = pthread_t()
            let result = pthread_create(&thread, nil, { argument in
                let loop = Unmanaged<EventLoop>.fromOpaque(argument!).takeRetainedValue()
                partyhub_set_thread_name("partyhub-loop\(loop.index)")
                loop.run()
                return nil
            }, box)
            if result != 0 {
                Unmanaged<EventLoop>.fromOpaque(box).release()
                throw SystemError("pthread_create", code: result)
            }
            threads.append(thread)
        }
    }

    /// Asks every loop to close its connections (1001) and stop.
    func shutdown() {
        for index in loops.indices { post([.shutdown], to: index) }
    }

    /// Waits for every loop's thread to end.
    func join() {
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }
}
