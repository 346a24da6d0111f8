/// Where the published stream's new events go once they are visible: the WebSocket
/// subscribers today (`EventSubscriptions`); a bridge to an external broker could be another.
/// A sink lives on the hub's loop with the stream and reads what it needs from it, at its own
/// pace, from the offset it has reached.
protocol EventSink: AnyObject {
    /// Events through `stream.lastOffset` became visible: the log batches that produced them
    /// are durable and they are in the stream (memory tail and files).
    func eventStreamAdvanced(_ stream: EventStream)
}
