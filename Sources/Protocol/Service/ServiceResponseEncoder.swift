/// The JSON bodies of the service endpoints' answers (docs/PROTOCOL.md "Service events").
public enum ServiceResponseEncoder {
    /// `{"results":[{"event_id":..,"status":..,...}, ...]}`, one entry per event in order.
    public static func encodeResults(_ results: [ServiceEventResult], into writer: ByteWriter) {
        writer.append("{\"results\":[")
        for (index, result) in results.enumerated() {
            if index > 0 { writer.append(",") }
            writer.append("{\"event_id\":")
            writer.appendJSONString(result.eventID)
            switch result.status {
            case .applied(let rolls):
                writer.append(",\"status\":\"applied\"")
                if let rolls {
                    writer.append(",\"rolls\":[")
                    for (index, roll) in rolls.enumerated() {
                        if index > 0 { writer.append(",") }
                        writer.appendJSONString(roll)
                    }
                    writer.append("]")
                }
            case .duplicate:
                writer.append(",\"status\":\"duplicate\"")
            case .ignored(let reason):
                writer.append(",\"status\":\"ignored\",\"reason\":")
                writer.appendJSONString(reason)
            case .rejected(let error):
                writer.append(",\"status\":\"rejected\",\"code\":")
                writer.appendJSONString(error.code.rawValue)
                writer.append(",\"message\":")
                writer.appendJSONString(error.message)
            }
            writer.append("}")
        }
        writer.append("]}")
    }

    /// `{"error":{"code":..,"message":..}}`, the body of every refused service request.
    public static func errorBody(code: String, message: String) -> [UInt8] {
        let writer = ByteWriter(capacity: 128 + message.utf8.count)
        writer.append("{\"error\":{\"code\":")
        writer.appendJSONString(code)
        writer.append(",\"message\":")
        writer.appendJSONString(message)
        writer.append("}}")
        return writer.array
    }
}

extension HTTPResponse {
    /// A JSON response.
    public static func json(_ status: HTTPStatus, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    /// A service endpoint's refusal: `{"error":{"code":..,"message":..}}`.
    public static func jsonError(
        _ status: HTTPStatus, code: String, _ message: String, headers: [(name: String, value: String)] = []
    ) -> HTTPResponse {
        json(status, ServiceResponseEncoder.errorBody(code: code, message: message), headers: headers)
    }
}
