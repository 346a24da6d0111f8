/// The rate, the burst, the tokens (each an 8-byte double), then the time they were counted.
/// A NaN, which no live bucket holds and which would trap when converted to a wait, is refused.
extension TokenBucket: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeDouble(ratePerSecond)
        writer.writeDouble(capacity)
        writer.writeDouble(tokens)
        writer.writeVarInt(updatedAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        let start = reader.offset
        self.init(
            ratePerSecond: try reader.readDouble(), capacity: try reader.readDouble(), tokens: try reader.readDouble(),
            updatedAt: try reader.readVarInt())
        if ratePerSecond.isNaN || capacity.isNaN || tokens.isNaN {
            throw .inconsistent("a token bucket holds NaN", at: start)
        }
    }
}
