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
        // Byte-level work throughout: Character-level String operations were most of the
        // handshake's cost (callgrind).
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target[...] }
        return target[..<question]
    }

    /// The first value of a header; the name is compared ASCII case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first(where: { ASCII.equalsIgnoringCase($0.name, name) })?.value
    }

    /// Whether a comma-separated header holds `token` (ASCII case-insensitive), e.g.
    /// `Connection: keep-alive, Upgrade`.
    public func header(_ name: String, containsToken token: String) -> Bool {
        var token = token
        return token.withUTF8 { wanted in
            for field in headers where ASCII.equalsIgnoringCase(field.name, name) {
                var value = field.value
                let found = value.withUTF8 { bytes in
                    bytes.split(separator: UInt8(ascii: ",")).contains { part in
                        ASCII.equalsIgnoringCase(UnsafeBufferPointer(rebasing: ASCII.trimmingSpaces(part)), wanted)
                    }
                }
                if found { return true }
            }
            return false
        }
    }

    /// The decoded value of a query parameter (`application/x-www-form-urlencoded` rules).
    public func queryParameter(_ name: String) -> String? {
        var target = target
        return target.withUTF8 { bytes -> String? in
            guard let question = bytes.firstIndex(of: UInt8(ascii: "?")) else { return nil }
            var start = question + 1
            while start <= bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
                let pair = bytes[start..<end]
                start = end + 1
                if pair.isEmpty { continue }
                let equals = pair.firstIndex(of: UInt8(ascii: "="))
                let key = pair[..<(equals ?? pair.endIndex)]
                // Most keys have no escape: compare the raw bytes before decoding anything.
                let matches = key.contains(UInt8(ascii: "%")) || key.contains(UInt8(ascii: "+"))
                    ? PercentDecoding.decode(bytes: key) == name : key.elementsEqual(name.utf8)
                guard matches else { continue }
                guard let equals else { return "" }
                return PercentDecoding.decode(bytes: pair[(equals + 1)...])
            }
            return nil
        }
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

/// Percent-decoding of URL query components; nil on a broken escape or bytes that are not UTF-8.
public enum PercentDecoding {
    public static func decode(_ text: Substring) -> String? {
        decode(bytes: text.utf8)
    }

    /// Decodes percent-encoded bytes.
    public static func decode(bytes text: some Collection<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var iterator = text.makeIterator()
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
