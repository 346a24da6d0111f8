/// One event of the published stream as it is served: its offset and its text frame, whose
/// payload is the event's JSON (`PublishedEventEncoder`). Encoded once; the same bytes go to
/// every stream subscriber, and the JSON inside them into every `GET …/events` answer.
struct StreamedEvent {
    /// The event's place in the stream.
    let offset: UInt64
    /// One unmasked text frame holding the event's JSON.
    let frame: OutboundBytes

    /// The event's JSON (the frame's payload), valid while `frame` lives.
    var json: UnsafeRawBufferPointer { frame.framePayload }
}
