/// Names a connection across the whole server and across restarts: its event loop, the process
/// epoch, its slot in that loop's table, and the slot's generation, so an id outliving its
/// connection never reaches the slot's next tenant (the same trick SwiftNIO plays with epoll
/// registration ids), and a session id logged by an earlier process never names a connection
/// of this one.
///
/// Layout (64 bits): loop 8 | epoch 16 | slot 20 | generation 20.
struct ConnectionID: Hashable, Sendable {
    static let slotLimit = 1 << 20
    static let generationMask: UInt32 = (1 << 20) - 1

    let rawValue: UInt64

    init(loop: Int, epoch: UInt16, slot: Int, generation: UInt32) {
        precondition(loop < 256 && slot < Self.slotLimit && generation <= Self.generationMask, "connection id fields out of range")
        rawValue = UInt64(loop) << 56 | UInt64(epoch) << 40 | UInt64(slot) << 20 | UInt64(generation)
    }

    init(session: SessionID) { rawValue = session.rawValue }

    var loop: Int { Int(rawValue >> 56) }
    var epoch: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 40) }
    var slot: Int { Int((rawValue >> 20) & 0xF_FFFF) }
    var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue) & Self.generationMask }
    var session: SessionID { SessionID(rawValue: rawValue) }

    /// The next generation of a slot: never 0, so no id is all zero in its low bits.
    static func generation(after generation: UInt32) -> UInt32 {
        let next = (generation &+ 1) & generationMask
        return next == 0 ? 1 : next
    }
}
