import CPartyHubSystem
import Glibc

/// One epoll instance (level-triggered) and the buffer its events are read into.
final class Epoll {
    /// Readiness flags, as epoll reports them.
    struct Events: OptionSet {
        let rawValue: UInt32
        static let readable = Events(rawValue: EPOLLIN.rawValue)
        static let writable = Events(rawValue: EPOLLOUT.rawValue)
        static let hangup = Events(rawValue: EPOLLHUP.rawValue)
        static let error = Events(rawValue: EPOLLERR.rawValue)
        static let readHangup = Events(rawValue: EPOLLRDHUP.rawValue)
    }

    let fd: Int32
    let capacity: Int
    private let rawEvents: UnsafeMutableRawPointer
    /// The flags of the events from the last `wait`.
    let readyEvents: UnsafeMutablePointer<UInt32>
    /// The user data of the events from the last `wait`.
    let readyData: UnsafeMutablePointer<UInt64>

    init(capacity: Int = 256) throws {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        if fd < 0 { throw SystemError("epoll_create1") }
        self.capacity = capacity
        rawEvents = .allocate(byteCount: partyhub_epoll_event_size() * capacity, alignment: 16)
        readyEvents = .allocate(capacity: capacity)
        readyData = .allocate(capacity: capacity)
    }

    deinit {
        close(fd)
        rawEvents.deallocate()
        readyEvents.deallocate()
        readyData.deallocate()
    }

    func add(_ descriptor: Int32, events: Events, data: UInt64) throws {
        if partyhub_epoll_ctl(fd, EPOLL_CTL_ADD, descriptor, events.rawValue, data) != 0 { throw SystemError("epoll_ctl(ADD)") }
    }

    func modify(_ descriptor: Int32, events: Events, data: UInt64) {
        _ = partyhub_epoll_ctl(fd, EPOLL_CTL_MOD, descriptor, events.rawValue, data)
    }

    func remove(_ descriptor: Int32) {
        _ = partyhub_epoll_ctl(fd, EPOLL_CTL_DEL, descriptor, 0, 0)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever); returns how many events are ready.
    func wait(timeoutMilliseconds: Int32) -> Int {
        let count = partyhub_epoll_wait(
            fd, rawEvents.assumingMemoryBound(to: epoll_event.self), Int32(capacity), timeoutMilliseconds, readyEvents, readyData)
        return count < 0 ? 0 : Int(count)
    }
}
