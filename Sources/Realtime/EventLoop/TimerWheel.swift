/// A hashed timing wheel of connection checks. Time is in ticks; each entry names a connection
/// and the tick it was scheduled for, so an entry superseded by a later reschedule is told
/// apart and dropped instead of being removed (removal would need a search).
struct TimerWheel {
    struct Entry {
        let connection: ConnectionID
        let tick: Int64
    }

    private var slots: [[Entry]]
    private(set) var currentTick: Int64

    init(slotCount: Int = 1024, startTick: Int64) {
        precondition(slotCount > 0, "a wheel needs slots")
        slots = Array(repeating: [], count: slotCount)
        currentTick = startTick
    }

    /// Schedules a check of `connection` at `tick` (clamped to the wheel's horizon; a check
    /// that comes early simply reschedules itself). Returns the tick actually used.
    @discardableResult
    mutating func schedule(_ connection: ConnectionID, at tick: Int64) -> Int64 {
        let clamped = min(max(tick, currentTick + 1), currentTick + Int64(slots.count) - 1)
        slots[Int(clamped % Int64(slots.count))].append(Entry(connection: connection, tick: clamped))
        return clamped
    }

    /// Advances to `tick`, handing every entry that came due to `fire`.
    mutating func advance(to tick: Int64, _ fire: (Entry) -> Void) {
        while currentTick < tick {
            currentTick += 1
            let index = Int(currentTick % Int64(slots.count))
            if slots[index].isEmpty { continue }
            let due = slots[index]
            slots[index] = []
            for entry in due {
                if entry.tick <= currentTick {
                    fire(entry)
                } else {
                    slots[index].append(entry)
                }
            }
        }
    }
}
