/// A connection's own buffer for bytes that arrived but do not yet make a whole frame or
/// request. Most reads never need it: they land in the loop's shared scratch buffer and are
/// handled there; only a partial tail is copied here, and the memory is released once empty,
/// so an idle connection holds no read buffer at all.
struct ReadBuffer {
    private(set) var storage: UnsafeMutableRawPointer?
    private(set) var capacity = 0
    /// Unread bytes, from the start of storage.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Room at the end, growing to at least `minimum` free bytes.
    mutating func reserveFree(_ minimum: Int) -> UnsafeMutableRawBufferPointer {
        if capacity - count < minimum {
            var newCapacity = max(capacity * 2, 4096)
            while newCapacity - count < minimum { newCapacity *= 2 }
            let newStorage = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            if let storage {
                newStorage.copyMemory(from: storage, byteCount: count)
                storage.deallocate()
            }
            storage = newStorage
            capacity = newCapacity
        }
        return UnsafeMutableRawBufferPointer(start: storage! + count, count: capacity - count)
    }

    mutating func didAppend(_ written: Int) { count += written }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let room = reserveFree(bytes.count)
        if let source = bytes.baseAddress { room.baseAddress!.copyMemory(from: source, byteCount: bytes.count) }
        count += bytes.count
    }

    /// The unread bytes, mutable (frames are unmasked in place).
    var unread: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: storage, count: count) }

    /// Drops `consumed` bytes from the front; frees the memory when nothing is left.
    mutating func consume(_ consumed: Int) {
        precondition(consumed <= count, "consumed more than was buffered")
        if consumed == count {
            release()
            return
        }
        if consumed > 0, let storage {
            storage.copyMemory(from: storage + consumed, byteCount: count - consumed)
            count -= consumed
        }
    }

    mutating func release() {
        storage?.deallocate()
        storage = nil
        capacity = 0
        count = 0
    }
}
