/// A parsed HTTP/1.1 request head (and its body, when it had a Content-Length).
public struct HTTPRequest: Equatable, Sendable {
    /// The method token, as sent (methods are case-sensitive, RFC 9110 §9.1).
    public var method: String
    /// The request target as sent: path and optional query.
    public var target: String
    /// The minor version of HTTP/1.x.
    public var minorVersion: Int
    /// Header fields in order, names lowercased.
    public var headers: [(name: String, value: String)]
    /// The body (empty without a Content-Length).
    public var body: [UInt8] = []

    public init(method: String, target: String, minorVersion: Int, headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
    }

    /// The path part of the target (before `?`).
    public var path: Substring {
        target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    /// The first value of a header (name compared case-insensitively).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first(where: { $0.name == lowered })?.value
    }

    /// Whether a comma-separated header holds `token` (case-insensitive), e.g. `Connection: keep-alive, Upgrade`.
    public func header(_ name: String, containsToken token: String) -> Bool {
        let lowered = name.lowercased()
        let wanted = token.lowercased()
        for field in headers where field.name == lowered {
            for part in field.value.split(separator: ",") where part.trimmingSpaces.lowercased() == wanted { return true }
        }
        return false
    }

    /// The decoded value of a query parameter (`application/x-www-form-urlencoded` rules).
    public func queryParameter(_ name: String) -> String? {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        for pair in parts[1].split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if PercentDecoding.decode(keyValue[0]) == name {
                return keyValue.count == 2 ? PercentDecoding.decode(keyValue[1]) : ""
            }
        }
        return nil
    }

    /// Whether the connection stays open after the response (RFC 9112 §9.3).
    public var keepAlive: Bool {
        if header("connection", containsToken: "close") { return false }
        if minorVersion >= 1 { return true }
        return header("connection", containsToken: "keep-alive")
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.minorVersion == rhs.minorVersion
            && lhs.headers.count == rhs.headers.count
            && zip(lhs.headers, rhs.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value } && lhs.body == rhs.body
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}

/// Percent-decoding of URL query components; nil on a broken escape or bytes that are not UTF-8.
public enum PercentDecoding {
    public static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(ASCII.hexValue), let low = iterator.next().flatMap(ASCII.hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
