/// The server side of the opening handshake (RFC 6455 §4.2).
public enum WebSocketHandshake {
    /// The GUID every accept key is derived with (RFC 6455 §1.3).
    public static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// Why an upgrade request was refused, with the response to send.
    public struct Refusal: Error, Equatable, Sendable {
        /// The status to answer with.
        public let status: HTTPStatus
        /// What was wrong, for the response body and the logs.
        public let reason: String
        /// Extra headers (426 carries `Sec-WebSocket-Version: 13`).
        public let headers: [String: String]

        /// The HTTP response for this refusal.
        public var response: HTTPResponse {
            .text(status, reason + "\n", headers: headers.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) })
        }
    }

    /// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`.
    public static func acceptKey(for clientKey: String) -> String {
        Base64.encode(Digest.sha1(Array((clientKey + acceptGUID).utf8)))
    }

    /// Checks a request for a version 13 upgrade and returns the accept key to answer with.
    /// The method (GET) is the router's business, before this is called.
    public static func validate(_ request: HTTPRequest) -> Result<String, Refusal> {
        guard request.minorVersion >= 1 else {
            return .failure(Refusal(status: .badRequest, reason: "WebSocket needs HTTP/1.1", headers: [:]))
        }
        guard request.header("upgrade", containsToken: "websocket") else {
            return .failure(Refusal(status: .badRequest, reason: "missing Upgrade: websocket", headers: [:]))
        }
        guard request.header("connection", containsToken: "upgrade") else {
            return .failure(Refusal(status: .badRequest, reason: "missing Connection: Upgrade", headers: [:]))
        }
        guard let version = request.header("sec-websocket-version") else {
            return .failure(Refusal(status: .badRequest, reason: "missing Sec-WebSocket-Version", headers: [:]))
        }
        // §4.4: an unsupported version gets 426 and the versions this server speaks.
        guard version == "13" else {
            return .failure(Refusal(
                status: .upgradeRequired, reason: "unsupported WebSocket version", headers: ["Sec-WebSocket-Version": "13"]))
        }
        // §4.1: the key is 16 random bytes, base64-encoded.
        guard let key = request.header("sec-websocket-key"), let decoded = Base64.decode(key), decoded.count == 16 else {
            return .failure(Refusal(status: .badRequest, reason: "missing or invalid Sec-WebSocket-Key", headers: [:]))
        }
        return .success(acceptKey(for: key))
    }

    /// The 101 response completing the handshake.
    public static func switchingProtocolsResponse(acceptKey: String) -> HTTPResponse {
        HTTPResponse(
            status: .switchingProtocols,
            headers: [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", acceptKey)])
    }
}
