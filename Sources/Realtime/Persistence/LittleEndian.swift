/// Little-endian integers in byte buffers, for the storage formats.
enum LittleEndian {
    /// Appends `value`'s bytes, least significant first.
    static func append<Value: FixedWidthInteger>(_ value: Value, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The integer stored at `offset` (no alignment needed).
    static func load<Value: FixedWidthInteger>(_: Value.Type, from bytes: UnsafeRawBufferPointer, at offset: Int)
        -> Value
    {
        Value(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Value.self))
    }

    /// Stores `value` at `offset` (no alignment needed).
    static func store<Value: FixedWidthInteger>(
        _ value: Value, into bytes: UnsafeMutableRawBufferPointer, at offset: Int
    ) {
        bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: Value.self)
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws `StorageError` (the standard library's rethrows
    /// an untyped error).
    func withStorageBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(StorageError) -> Result
    ) throws(StorageError) -> Result {
        try withUnsafeBytes { bytes in Swift.Result { () throws(StorageError) in try body(bytes) } }.get()
    }
}
