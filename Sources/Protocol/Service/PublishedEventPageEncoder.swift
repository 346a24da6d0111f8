/// The JSON bodies of `GET /api/v1/social/party/events` (docs/PROTOCOL.md, "Events out"): a
/// page of events, each the JSON `PublishedEventEncoder` made when it was published (copied in
/// as it is, never encoded again), and the refusal of an expired offset.
public enum PublishedEventPageEncoder {
    /// `{"events":[...],"next":K}`: `events` the JSON objects in order, `next` the offset of the
    /// last one (or `after` when there is none), to pass as the next request's `after`.
    public static func encodePage(_ events: [UnsafeRawBufferPointer], next: UInt64, into writer: ByteWriter) {
        writer.append("{\"events\":[")
        for (index, json) in events.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append(json)
        }
        writer.append("],\"next\":")
        writer.append(unsignedDecimal: next)
        writer.append("}")
    }

    /// `{"error":{"code":"offset_expired","oldest":K,"message":...}}`: the events after the
    /// offset asked for are gone; `oldest` is the oldest kept (start again after `oldest - 1`).
    public static func offsetExpiredBody(oldest: UInt64) -> [UInt8] {
        let writer = ByteWriter(capacity: 160)
        writer.append("{\"error\":{\"code\":\"offset_expired\",\"oldest\":")
        writer.append(unsignedDecimal: oldest)
        writer.append(",\"message\":")
        writer.appendJSONString("the events after that offset are no longer kept; the oldest kept is \(oldest)")
        writer.append("}}")
        return writer.array
    }
}
