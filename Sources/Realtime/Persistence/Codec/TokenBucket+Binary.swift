/// The rate, the burst, the tokens (each an 8-byte double), then the time they were counted.
extension TokenBucket: BinaryCodable {
    func encode(into writer: inout BinaryWriter) {
        writer.writeDouble(ratePerSecond)
        writer.writeDouble(capacity)
        writer.writeDouble(tokens)
        writer.writeVarInt(updatedAt)
    }

    init(decoding reader: inout BinaryReader) throws(BinaryDecodingError) {
        self.init(
            ratePerSecond: try reader.readDouble(), capacity: try reader.readDouble(), tokens: try reader.readDouble(),
            updatedAt: try reader.readVarInt())
    }
}
