import CPartyHubSystem
import Glibc

/// A pthread mutex with one condition variable, for the few hand-offs between the hub's loop
/// and the persistence threads (never on a socket's path). Heap-allocated: a pthread mutex
/// must not move.
final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        // CLOCK_MONOTONIC, so a timed wait is not stretched or cut by a wall-clock step.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` holding the mutex.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits (holding the mutex, from inside `withLock`) until signalled.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits (from inside `withLock`) until signalled or `milliseconds` pass.
    func wait(milliseconds: Int64) {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let nanoseconds = Int64(deadline.tv_nsec) + (milliseconds % 1000) * 1_000_000
        deadline.tv_sec += Int(milliseconds / 1000) + Int(nanoseconds / 1_000_000_000)
        deadline.tv_nsec = Int(nanoseconds % 1_000_000_000)
        pthread_cond_timedwait(condition, mutex, &deadline)
    }

    /// Wakes every waiter (call holding the mutex or not).
    func broadcast() { pthread_cond_broadcast(condition) }
}

/// Starts a detached-from-nothing pthread running `body`; `join` waits for it.
final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private var started = false

    /// Starts `body` on a new thread named `name`; a `background` thread (SCHED_IDLE) gives
    /// the core up to any other thread the moment that one wakes.
    func start(name: String, background: Bool = false, _ body: @escaping @Sendable () -> Void) throws {
        let body: @Sendable () -> Void = {
            partyhub_set_thread_name(name)
            if background { partyhub_set_thread_background() }
            body()
        }
        final class Box: @unchecked Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let result = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        if result != 0 {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SystemError("pthread_create", code: result)
        }
        started = true
    }

    /// Waits for the thread to end (once).
    func join() {
        guard started else { return }
        started = false
        pthread_join(thread, nil)
    }
}
