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
struct SlotTable<Element: Vacant> {
    private var slots: [Element] = []
    private var occupied: [Bool] = []
    private var freeSlots: [Int] = []

    /// An empty table.
    init() {}

    /// Stores `element` and returns its slot.
    mutating func insert(_ element: Element) -> Int {
        if let slot = freeSlots.popLast() {
            slots[slot] = element
            occupied[slot] = true
            return slot
        }
        slots.append(element)
        occupied.append(true)
        return slots.count - 1
    }

    /// Removes the value at `slot`, freeing the slot for reuse.
    mutating func remove(_ slot: Int) {
        precondition(occupied[slot], "removing an empty slot")
        slots[slot] = .vacant
        occupied[slot] = false
        freeSlots.append(slot)
    }

    /// The value at an occupied slot (a slot the caller holds is always occupied).
    subscript(slot: Int) -> Element {
        _read {
            precondition(occupied[slot], "slot \(slot) is empty")
            yield slots[slot]
        }
        _modify {
            precondition(occupied[slot], "slot \(slot) is empty")
            yield &slots[slot]
        }
    }

    /// Every stored value, in slot order.
    var values: [Element] { slots.indices.filter { occupied[$0] }.map { slots[$0] } }

    // MARK: Persistence

    /// The number of slots, occupied or free.
    var slotCount: Int { slots.count }

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
        slots = stored.map { $0 ?? .vacant }
        occupied = stored.map { $0 != nil }
        freeSlots = freeList
    }
}

extension SlotTable: Sendable where Element: Sendable {}

/// Slot by slot, free list included: two tables are equal when every slot reference means
/// the same in both and they hand out the same slots next.
extension SlotTable: Equatable where Element: Equatable {}
