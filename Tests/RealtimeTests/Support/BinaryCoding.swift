@testable import Realtime

/// The bytes `body` writes.
func encoded(_ body: (inout BinaryWriter) -> Void) -> [UInt8] {
    var writer = BinaryWriter()
    body(&writer)
    return writer.bytes
}

/// Decodes `bytes` with `body`, which must read them all.
func decoded<Value>(_ bytes: [UInt8], _ body: (inout BinaryReader) throws -> Value) throws -> Value {
    try bytes.withUnsafeBytes { raw in
        var reader = BinaryReader(raw)
        let value = try body(&reader)
        try reader.expectEnd()
        return value
    }
}

/// `value` encoded and decoded again.
func roundTripped<Value: BinaryCodable>(_ value: Value) throws -> Value {
    try decoded(encoded { value.encode(into: &$0) }) { try Value(decoding: &$0) }
}
