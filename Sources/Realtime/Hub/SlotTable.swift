/// Values addressed by small integer slots, which stay valid until the value is removed;
/// freed slots are reused. The hub keeps players and parties here so that references between
/// them are array indexes, not hash lookups.
struct SlotTable<Element> {
    private var slots: [Element?] = []
    private var freeSlots: [Int] = []

    /// Stores `element` and returns its slot.
    mutating func insert(_ element: Element) -> Int {
        if let slot = freeSlots.popLast() {
            slots[slot] = element
            return slot
        }
        slots.append(element)
        return slots.count - 1
    }

    /// Removes the value at `slot`, freeing the slot for reuse.
    mutating func remove(_ slot: Int) {
        precondition(slots[slot] != nil, "removing an empty slot")
        slots[slot] = nil
        freeSlots.append(slot)
    }

    /// The value at an occupied slot (a slot the caller holds is always occupied).
    subscript(slot: Int) -> Element {
        get {
            guard let element = slots[slot] else { preconditionFailure("slot \(slot) is empty") }
            return element
        }
        _modify {
            precondition(slots[slot] != nil, "slot \(slot) is empty")
            yield &slots[slot]!
        }
    }

    /// Every stored value, in slot order.
    var values: [Element] { slots.compactMap { $0 } }
}
extension SlotTable: Sendable where Element: Sendable {}
