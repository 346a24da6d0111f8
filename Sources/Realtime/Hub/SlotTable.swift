/// A value that can stand in an empty slot: cheap to make, holding no memory.
protocol Vacant {
    /// The stand-in for a freed slot.
    static var vacant: Self { get }
}

/// Values addressed by small integer slots, which stay valid until the value is removed;
/// freed slots are reused. The hub keeps players and parties here so that references between
/// them are array indexes, not hash lookups. A freed slot holds `Element.vacant` rather than
/// nil, so reading one field of a stored value borrows it in place instead of copying it out
/// of an optional (callgrind showed those copies, with their retains, on every chat).
///
/// The values live in chunks of `chunkSize` slots. A snapshot takes a copy of the hub, and the
/// loop's next write to a table must then copy what it writes to (copy-on-write): with one
/// flat array that was every value at once (300,000 players, about 80 ms on the loop); with
/// chunks it is the outer array of chunk references and the one chunk written, spread over
/// the turns that follow.
struct SlotTable<Element: Vacant> {
    static var chunkSize: Int { 1024 }

    private var chunks: [[Element]] = []
    private var occupied: [Bool] = []
    private var freeSlots: [Int] = []

    /// An empty table.
    init() {}

    /// Stores `element` and returns its slot.
    mutating func insert(_ element: Element) -> Int {
        if let slot = freeSlots.popLast() {
            chunks[slot / Self.chunkSize][slot % Self.chunkSize] = element
            occupied[slot] = true
            return slot
        }
        let slot = occupied.count
        if slot % Self.chunkSize == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        occupied.append(true)
        return slot
    }

    /// Removes the value at `slot`, freeing the slot for reuse.
    mutating func remove(_ slot: Int) {
        precondition(occupied[slot], "removing an empty slot")
        chunks[slot / Self.chunkSize][slot % Self.chunkSize] = .vacant
        occupied[slot] = false
        freeSlots.append(slot)
    }

    /// The value at an occupied slot (a slot the caller holds is always occupied).
    subscript(slot: Int) -> Element {
        _read {
            precondition(occupied[slot], "slot \(slot) is empty")
            yield chunks[slot / Self.chunkSize][slot % Self.chunkSize]
        }
        _modify {
            precondition(occupied[slot], "slot \(slot) is empty")
            yield &chunks[slot / Self.chunkSize][slot % Self.chunkSize]
        }
    }

    /// Every stored value, in slot order.
    var values: [Element] { occupied.indices.filter { occupied[$0] }.map { self[$0] } }

    // MARK: Persistence

    /// The number of slots, occupied or free.
    var slotCount: Int { occupied.count }

    /// Whether `slot` is a slot of the table holding a value.
    func isOccupied(_ slot: Int) -> Bool { slot >= 0 && slot < occupied.count && occupied[slot] }

    /// The free slots in the order `insert` takes them from the end.
    var freeList: [Int] { freeSlots }

    /// A table with exactly these slots and free list, as a snapshot restores it; nil unless
    /// the free list holds each free slot once and nothing else.
    init?(slots stored: [Element?], freeList: [Int]) {
        guard freeList.count == stored.count(where: { $0 == nil }) else { return nil }
        var listed = [Bool](repeating: false, count: stored.count)
        for slot in freeList {
            guard slot >= 0 && slot < stored.count && stored[slot] == nil && !listed[slot] else { return nil }
            listed[slot] = true
        }
        for start in stride(from: 0, to: stored.count, by: Self.chunkSize) {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            for value in stored[start..<min(start + Self.chunkSize, stored.count)] { chunk.append(value ?? .vacant) }
            chunks.append(chunk)
        }
        occupied = stored.map { $0 != nil }
        freeSlots = freeList
    }
}

extension SlotTable: Sendable where Element: Sendable {}

/// Slot by slot, free list included: two tables are equal when every slot reference means
/// the same in both and they hand out the same slots next.
extension SlotTable: Equatable where Element: Equatable {}
