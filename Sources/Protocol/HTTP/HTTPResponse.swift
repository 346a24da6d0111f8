/// Serialises HTTP/1.1 responses.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text response (a status page or an error).
    public static func text(_ status: HTTPStatus, _ text: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: Array(text.utf8))
    }

    /// The response's bytes. `Content-Length` is added for every status but 101 and 204
    /// (RFC 9110 §8.6: never in either), and `Connection: close` when the connection will not
    /// be kept. A 204 has no body.
    public func serialized(keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status.rawValue) \(status.reasonPhrase)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if status != .switchingProtocols {
            if status != .noContent { head += "Content-Length: \(body.count)\r\n" }
            if !keepAlive { head += "Connection: close\r\n" }
        }
        head += "\r\n"
        return status == .noContent ? Array(head.utf8) : Array(head.utf8) + body
    }
}
