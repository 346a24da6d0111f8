#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental HTTP/1.1 request parser (RFC 9112) with hard limits. Fed the connection's
/// unread bytes again as more arrive, it finds the end of the head without rescanning what it
/// already looked at, and returns a request or the status to refuse it with.
public struct HTTPRequestParser: Sendable {
    /// What a call to `parse` found.
    public enum Result: Equatable, Sendable {
        /// The request is not complete yet.
        case needMoreData
        /// A complete request, which took the first `consumed` bytes.
        case request(HTTPRequest, consumed: Int)
        /// Refuse with this status and close the connection.
        case failure(HTTPStatus, reason: String)
    }

    /// The most bytes the request line and headers may take (431 beyond).
    public let maxHeaderBytes: Int
    /// The largest body accepted (413 beyond).
    public let maxBodyBytes: Int
    /// The most header fields accepted (431 beyond).
    public let maxHeaderCount: Int
    private var scanned = 0
    /// The head of the request whose body is still arriving, parsed once: a body sent a byte
    /// at a time must not cost a parse of the head per read.
    private var headAwaitingBody: HeadAwaitingBody?

    private struct HeadAwaitingBody: Sendable {
        var request: HTTPRequest
        /// The bytes of the head (the body starts there).
        let headLength: Int
        let bodyLength: Int
    }

    public init(maxHeaderBytes: Int = 8192, maxBodyBytes: Int = 1 << 20, maxHeaderCount: Int = 100) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderCount = maxHeaderCount
    }

    /// Parses from the start of the unread bytes. After a `.request`, the parser is ready for
    /// the next request on the same connection (keep-alive). While a body arrives, the bytes
    /// of the head already parsed are not read again: the caller hands the same unread bytes,
    /// with more after them.
    public mutating func parse(_ input: UnsafeRawBufferPointer) -> Result {
        let pending: HeadAwaitingBody
        if let known = headAwaitingBody {
            pending = known
        } else {
            switch parseNewHead(input) {
            case .needMoreData: return .needMoreData
            case .failure(let status, let reason): return .failure(status, reason: reason)
            case .head(let head): pending = head
            }
        }
        let end = pending.headLength + pending.bodyLength
        guard input.count >= end else {
            headAwaitingBody = pending
            return .needMoreData
        }
        var request = pending.request
        request.body = Array(UnsafeRawBufferPointer(rebasing: input[pending.headLength..<end]))
        scanned = 0
        headAwaitingBody = nil
        return .request(request, consumed: end)
    }

    private enum HeadStep {
        case needMoreData
        case failure(HTTPStatus, reason: String)
        case head(HeadAwaitingBody)
    }

    /// Finds and parses the head, and reads the body's length from it.
    private mutating func parseNewHead(_ input: UnsafeRawBufferPointer) -> HeadStep {
        guard let end = findHeadEnd(input) else {
            if input.count > maxHeaderBytes { return .failure(.requestHeaderFieldsTooLarge, reason: "request head over \(maxHeaderBytes) bytes") }
            return .needMoreData
        }
        if end > maxHeaderBytes { return .failure(.requestHeaderFieldsTooLarge, reason: "request head over \(maxHeaderBytes) bytes") }
        let request: HTTPRequest
        switch parseHead(UnsafeRawBufferPointer(rebasing: input[0..<end])) {
        case .success(let parsed): request = parsed
        case .failure(let failure): return .failure(failure.status, reason: failure.reason)
        }
        if request.header("transfer-encoding") != nil {
            return .failure(.notImplemented, reason: "Transfer-Encoding is not supported")
        }
        var bodyLength = 0
        let lengths = request.headers.filter { $0.name == "content-length" }.map(\.value)
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), first.utf8.count <= 18, !first.isEmpty,
                first.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let value = Int(first)
            else { return .failure(.badRequest, reason: "invalid Content-Length") }
            if value > maxBodyBytes { return .failure(.payloadTooLarge, reason: "body over \(maxBodyBytes) bytes") }
            bodyLength = value
        }
        return .head(HeadAwaitingBody(request: request, headLength: end, bodyLength: bodyLength))
    }

    /// Offset just past the blank line ending the head, if it has arrived.
    private mutating func findHeadEnd(_ input: UnsafeRawBufferPointer) -> Int? {
        let limit = min(input.count, maxHeaderBytes + 4)
        let start = max(0, scanned - 3)
        guard let base = input.baseAddress, limit - start >= 4 else { return nil }
        var index = start
        // memchr finds each CR a vector at a time; only those are checked for CR LF CR LF.
        while index + 3 < limit, let found = memchr(base + index, 0x0D, limit - 3 - index) {
            let position = base.distance(to: UnsafeRawPointer(found))
            if input[position + 1] == 0x0A && input[position + 2] == 0x0D && input[position + 3] == 0x0A {
                return position + 4
            }
            index = position + 1
        }
        scanned = limit
        return nil
    }

    private struct HeadFailure: Error {
        let status: HTTPStatus
        let reason: String
    }

    private func parseHead(_ head: UnsafeRawBufferPointer) -> Swift.Result<HTTPRequest, HeadFailure> {
        var lines: [UnsafeRawBufferPointer] = []
        var lineStart = 0
        var index = 0
        // The head ends with CRLF CRLF; split on CRLF and drop the final empty line.
        while index + 1 < head.count {
            if head[index] == 0x0D {
                guard head[index + 1] == 0x0A else { return .failure(HeadFailure(status: .badRequest, reason: "bare CR")) }
                lines.append(UnsafeRawBufferPointer(rebasing: head[lineStart..<index]))
                index += 2
                lineStart = index
            } else if head[index] == 0x0A {
                return .failure(HeadFailure(status: .badRequest, reason: "bare LF"))
            } else {
                index += 1
            }
        }
        guard lines.count >= 1 else { return .failure(HeadFailure(status: .badRequest, reason: "empty request")) }
        _ = lines.removeLast()
        guard let requestLine = lines.first else { return .failure(HeadFailure(status: .badRequest, reason: "empty request")) }
        if lines.count - 1 > maxHeaderCount {
            return .failure(HeadFailure(status: .requestHeaderFieldsTooLarge, reason: "over \(maxHeaderCount) header fields"))
        }

        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(Self.isTokenCharacter) else {
            return .failure(HeadFailure(status: .badRequest, reason: "malformed request line"))
        }
        let target = parts[1]
        guard target.first == UInt8(ascii: "/"), target.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            return .failure(HeadFailure(status: .badRequest, reason: "malformed request target"))
        }
        let version = Array(parts[2])
        let prefix = Array("HTTP/".utf8)
        guard version.count == 8, Array(version[0..<5]) == prefix, version[6] == UInt8(ascii: "."),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(version[5]), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(version[7])
        else { return .failure(HeadFailure(status: .badRequest, reason: "malformed HTTP version")) }
        guard version[5] == UInt8(ascii: "1") else {
            return .failure(HeadFailure(status: .httpVersionNotSupported, reason: "only HTTP/1.x is served"))
        }
        let minor = Int(version[7] - UInt8(ascii: "0"))

        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            guard let first = line.first, first != 0x20, first != 0x09 else {
                return .failure(HeadFailure(status: .badRequest, reason: "obsolete line folding"))
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
                return .failure(HeadFailure(status: .badRequest, reason: "header field without a name"))
            }
            let name = line[0..<colon]
            guard name.allSatisfy(Self.isTokenCharacter) else {
                return .failure(HeadFailure(status: .badRequest, reason: "invalid header field name"))
            }
            var valueStart = colon + 1
            var valueEnd = line.count
            while valueStart < valueEnd && (line[valueStart] == 0x20 || line[valueStart] == 0x09) { valueStart += 1 }
            while valueEnd > valueStart && (line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09) { valueEnd -= 1 }
            let value = line[valueStart..<valueEnd]
            guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
                return .failure(HeadFailure(status: .badRequest, reason: "control character in a header value"))
            }
            headers.append((
                String(unsafeUninitializedCapacity: name.count) { buffer in
                    for (index, byte) in name.enumerated() { buffer[index] = ASCII.lowercase(byte) }
                    return name.count
                },
                String(decoding: UnsafeRawBufferPointer(rebasing: value), as: UTF8.self)
            ))
        }
        let request = HTTPRequest(
            method: String(decoding: UnsafeRawBufferPointer(rebasing: parts[0]), as: UTF8.self),
            target: String(decoding: UnsafeRawBufferPointer(rebasing: target), as: UTF8.self),
            minorVersion: minor, headers: headers)
        // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host is a 400.
        if minor >= 1 && request.headers.filter({ $0.name == "host" }).count != 1 {
            return .failure(HeadFailure(status: .badRequest, reason: "HTTP/1.1 request needs exactly one Host"))
        }
        return .success(request)
    }

    // RFC 9110 §5.6.2 tchar.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
