/// Names a connection across the whole server: its event loop, its slot in that loop's table,
/// and the slot's generation, so an id outliving its connection never reaches the slot's next
/// tenant (the same trick SwiftNIO plays with epoll registration ids).
struct ConnectionID: Hashable, Sendable {
    let rawValue: UInt64

    init(loop: Int, slot: Int, generation: UInt32) {
        precondition(loop < 256 && slot < 1 << 24, "connection id fields out of range")
        rawValue = UInt64(loop) << 56 | UInt64(slot) << 32 | UInt64(generation)
    }

    init(session: SessionID) { rawValue = session.rawValue }

    var loop: Int { Int(rawValue >> 56) }
    var slot: Int { Int((rawValue >> 32) & 0xFF_FFFF) }
    var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
    var session: SessionID { SessionID(rawValue: rawValue) }
}
