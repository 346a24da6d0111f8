import Foundation

extension RawWebSocketClient {
    /// Sends one API request (any method; a JSON body when given; `Authorization: Bearer`
    /// when a token is given), kept alive unless `close`, and reads the response.
    func request(_ method: String, _ path: String, json body: String? = nil, token: String?, close: Bool = false) throws
        -> RawHTTPResponse
    {
        try send(Self.apiRequest(method, path, json: body, token: token, port: port, close: close))
        return try readHTTPResponse()
    }

    /// The bytes of such a request (pipelining tests send several at once).
    static func apiRequest(
        _ method: String, _ path: String, json body: String?, token: String?, port: Int, close: Bool = false
    ) -> String {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if close { head += "Connection: close\r\n" }
        guard let body else { return head + "\r\n" }
        return head + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    }
}

extension RawHTTPResponse {
    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// `error.code` of an error body.
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
}
