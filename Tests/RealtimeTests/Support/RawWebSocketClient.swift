import Foundation
import Glibc
import Protocol

/// Why a client operation did not produce what was asked for. Every read has a deadline, so a
/// server that goes quiet fails the test with `.timedOut` instead of hanging it.
struct ClientError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }

    static func timedOut(_ what: String) -> ClientError { ClientError("timed out waiting for \(what)") }
}

/// A frame as the server sent it. `opcode` is the raw 4-bit value, so reserved opcodes show up
/// as they are instead of being mapped.
struct ReceivedFrame: CustomStringConvertible {
    let fin: Bool
    let rsv: UInt8
    let opcode: UInt8
    let payload: [UInt8]

    var text: String? {
        opcode == WebSocketOpcode.text.rawValue ? String(validating: payload, as: UTF8.self) : nil
    }

    /// The close code, for a close frame with at least two payload bytes.
    var closeCode: UInt16? {
        guard opcode == WebSocketOpcode.close.rawValue, payload.count >= 2 else { return nil }
        return UInt16(payload[0]) << 8 | UInt16(payload[1])
    }

    /// The close reason (after the code), for a close frame.
    var closeReason: String {
        payload.count > 2 ? String(decoding: payload[2...], as: UTF8.self) : ""
    }

    var description: String {
        switch opcode {
        case WebSocketOpcode.text.rawValue: return "text(\(String(decoding: payload, as: UTF8.self)))"
        case WebSocketOpcode.close.rawValue: return "close(\(closeCode.map(String.init) ?? "none") \(closeReason))"
        default: return "frame(opcode \(opcode), fin \(fin), \(payload.count) bytes)"
        }
    }
}

/// An HTTP response as read off the socket: status line, headers (names lowercased) and the
/// body announced by Content-Length.
struct RawHTTPResponse {
    let statusLine: String
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first(where: { $0.name == lowered })?.value
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// How a connection ended, as seen by a client that reads until it does.
enum ConnectionEnd: Equatable, CustomStringConvertible {
    /// The server sent a close frame with this code (nil: an empty close payload).
    case closeFrame(code: UInt16?)
    /// The stream ended cleanly between frames.
    case endOfStream
    /// The stream ended in the middle of a frame (the connection was cut, no garbage seen).
    case endOfStreamInsideFrame
    /// The server reset the connection.
    case reset

    var description: String {
        switch self {
        case .closeFrame(let code): return "close frame \(code.map(String.init) ?? "without code")"
        case .endOfStream: return "end of stream"
        case .endOfStreamInsideFrame: return "end of stream inside a frame"
        case .reset: return "connection reset"
        }
    }
}

/// A JSON object the server sent on the party endpoint.
typealias JSONObject = [String: Any]

/// A blocking POSIX socket client for one connection to 127.0.0.1: it writes requests and
/// masked frames byte for byte as a test wants them (valid or not) and reads the server's
/// bytes back with a deadline on every read (SO_RCVTIMEO set to what is left of it).
final class RawWebSocketClient {
    /// How long a read waits by default before the test fails instead of hanging.
    static let defaultTimeout: TimeInterval = 5

    let fd: Int32
    let port: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var sawEndOfStream = false
    private var isClosed = false
    /// Set when the connection speaks TLS: every byte goes through it.
    private(set) var tls: TLSClientSession?
    /// Messages read while waiting for something else (a reply, a named event), oldest first.
    private(set) var stash: [JSONObject] = []

    /// Connects to 127.0.0.1:`port`. `receiveBufferSize` sets SO_RCVBUF before connecting (so
    /// the window the kernel offers is small too), for clients that must stall.
    init(port: Int, receiveBufferSize: Int32? = nil) throws {
        self.port = port
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: \(String(cString: strerror(errno)))") }
        if var size = receiveBufferSize {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // Writes must not block forever either (a server that stopped reading).
        var sendTimeout = Self.makeTimeval(seconds: Self.defaultTimeout)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = ClientError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
            Glibc.close(fd)
            throw error
        }
    }

    /// Connects to 127.0.0.1:`port` and runs a TLS handshake with `options` (`receiveBufferSize`
    /// as for a plain connection).
    convenience init(tlsPort port: Int, options: TLSClientSession.Options, receiveBufferSize: Int32? = nil) throws {
        try self.init(port: port, receiveBufferSize: receiveBufferSize)
        var timeout = Self.makeTimeval(seconds: Self.defaultTimeout)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        tls = try TLSClientSession(fd: fd, options: options)
    }

    deinit { close() }

    /// Closes the socket (idempotent).
    func close() {
        if isClosed { return }
        isClosed = true
        Glibc.close(fd)
    }

    /// Half-closes: the server reads end of stream, this side can still read.
    func shutdownWrite() {
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    // MARK: Writing

    /// Writes all of `bytes`.
    func send(_ bytes: [UInt8]) throws {
        if let tls { return try bytes.withUnsafeBytes { try tls.write($0) } }
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw ClientError("send: \(String(cString: strerror(errno)))")
            }
            sent += result
        }
    }

    /// Writes a string as UTF-8.
    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends a masked frame (as a client must, RFC 6455 §5.3) with a random key.
    func sendFrame(_ opcode: WebSocketOpcode, fin: Bool = true, rsv: UInt8 = 0, payload: [UInt8]) throws {
        var random = SystemRandomNumberGenerator()
        let key = (
            UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random),
            UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random)
        )
        try send(WebSocketFrameEncoder.maskedFrame(opcode: opcode, fin: fin, payload: payload, maskKey: key, rsv: rsv))
    }

    /// Sends a text frame.
    func sendText(_ text: String, fin: Bool = true) throws { try sendFrame(.text, fin: fin, payload: Array(text.utf8)) }

    /// Sends a close frame with a code and reason.
    func sendClose(code: UInt16, reason: String = "") throws {
        try sendFrame(.close, payload: [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
    }

    /// Sends an unmasked frame, which a server must refuse (§5.1).
    func sendUnmaskedFrame(_ opcode: WebSocketOpcode, payload: [UInt8]) throws {
        try send(WebSocketFrameEncoder.frame(opcode: opcode, payload: payload))
    }

    // MARK: Reading bytes

    private static func makeTimeval(seconds: TimeInterval) -> timeval {
        let clamped = max(seconds, 0.001)
        return Glibc.timeval(tv_sec: Int(clamped), tv_usec: Int((clamped - clamped.rounded(.down)) * 1_000_000))
    }

    private var available: Int { buffer.count - readIndex }

    /// recv(2), or its TLS equivalent.
    private func receive(into chunk: UnsafeMutableRawBufferPointer) -> Int {
        if let tls { return tls.read(into: chunk) }
        return recv(fd, chunk.baseAddress, chunk.count, 0)
    }

    /// Reads once more from the socket, waiting at most until `deadline`. Returns false at end
    /// of stream; throws on timeout or reset (`ClientError` whose description says which).
    private func fill(until deadline: Date, _ what: @autoclosure () -> String) throws -> Bool {
        if sawEndOfStream { return false }
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 1 << 16 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { throw ClientError.timedOut(what()) }
            var timeout = Self.makeTimeval(seconds: remaining)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { receive(into: $0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count == 0 {
                sawEndOfStream = true
                return false
            }
            let error = errno
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK { continue }  // the loop re-checks the deadline
            if error == ECONNRESET { throw ClientError.reset }
            throw ClientError("recv: \(String(cString: strerror(error)))")
        }
    }

    /// Reads at most `count` bytes that have arrived (or arrive within `timeout`) into the
    /// buffer without parsing them; returns how many. A slow reader drains its socket with this.
    @discardableResult
    func receiveSome(upTo count: Int, timeout: TimeInterval = 0.05) throws -> Int {
        if sawEndOfStream { return 0 }
        var timeoutValue = Self.makeTimeval(seconds: timeout)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeoutValue, socklen_t(MemoryLayout<timeval>.size))
        var chunk = [UInt8](repeating: 0, count: count)
        let received = chunk.withUnsafeMutableBytes { receive(into: $0) }
        if received > 0 {
            buffer.append(contentsOf: chunk[0..<received])
            return received
        }
        if received == 0 { sawEndOfStream = true }
        return 0
    }

    /// Waits for end of stream, discarding anything that arrives first; returns how many bytes
    /// that was. Throws if the connection stays open past the deadline.
    @discardableResult
    func readUntilEndOfStream(timeout: TimeInterval = defaultTimeout) throws -> Int {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var discarded = available
        readIndex = buffer.count
        while try fill(until: deadline, "end of stream") {
            discarded += available
            readIndex = buffer.count
        }
        return discarded
    }

    /// Whether the server has closed its side: true at end of stream (or a reset), false if
    /// nothing at all arrives within `timeout` (bytes that do arrive are an error).
    func isClosedByServer(within timeout: TimeInterval) throws -> Bool {
        do {
            let deadline = Date(timeIntervalSinceNow: timeout)
            if available > 0 { throw ClientError("unexpected bytes: \(available)") }
            if try fill(until: deadline, "end of stream") { throw ClientError("unexpected bytes: \(available)") }
            return true
        } catch let error as ClientError where error.description.hasPrefix("timed out") {
            return false
        } catch let error as ClientError where error.description == ClientError.reset.description {
            return true
        }
    }

    // MARK: HTTP

    /// Reads one HTTP response: the head, then as many body bytes as Content-Length says.
    func readHTTPResponse(timeout: TimeInterval = defaultTimeout) throws -> RawHTTPResponse {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var headEnd: Int?
        while headEnd == nil {
            if let found = findHeadEnd() {
                headEnd = found
            } else if try !fill(until: deadline, "an HTTP response head") {
                throw ClientError("end of stream before a complete HTTP response head (\(available) bytes)")
            }
        }
        let head = String(decoding: buffer[readIndex..<headEnd!], as: UTF8.self)
        readIndex = headEnd!
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw ClientError("empty response head") }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw ClientError("malformed status line: \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw ClientError("malformed header line: \(line)") }
            headers.append(
                (
                    line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                ))
        }
        var body: [UInt8] = []
        if let lengthText = headers.first(where: { $0.name == "content-length" })?.value {
            guard let length = Int(lengthText) else { throw ClientError("bad Content-Length \(lengthText)") }
            while available < length {
                if try !fill(until: deadline, "an HTTP response body") {
                    throw ClientError("end of stream inside a response body")
                }
            }
            body = Array(buffer[readIndex..<(readIndex + length)])
            readIndex += length
        }
        return RawHTTPResponse(statusLine: statusLine, status: status, headers: headers, body: body)
    }

    private func findHeadEnd() -> Int? {
        var index = readIndex
        while index + 3 < buffer.count {
            if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
                return index + 4
            }
            index += 1
        }
        return nil
    }

    /// Sends `GET path` (HTTP/1.1, kept alive unless `close`) and reads the response.
    func get(_ path: String, close: Bool = false) throws -> RawHTTPResponse {
        try send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(close ? "Connection: close\r\n" : "")\r\n")
        return try readHTTPResponse()
    }

    /// Sends `POST path` with a JSON body and `Authorization: Bearer token` (when given), kept
    /// alive unless `close`, and reads the response.
    func post(_ path: String, json body: String, token: String?, close: Bool = false) throws -> RawHTTPResponse {
        try send(Self.postRequest(path, json: body, token: token, port: port, close: close))
        return try readHTTPResponse()
    }

    /// The bytes of such a request (pipelining tests send several at once).
    static func postRequest(_ path: String, json body: String, token: String?, port: Int, close: Bool = false) -> String {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if close { head += "Connection: close\r\n" }
        return head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    /// A random `Sec-WebSocket-Key`: 16 random bytes, base64 (RFC 6455 §4.1).
    static func randomKey() -> String {
        var random = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }).base64EncodedString()
    }

    /// The `Sec-WebSocket-Accept` a server must answer `key` with (§4.2.2): SHA-1 by OpenSSL,
    /// base64 by Foundation, so the check does not reuse the server's own function.
    static func expectedAccept(for key: String) -> String {
        Data(Digest.sha1(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
    }

    /// The request head of an upgrade; `headers` replace or remove (nil) the standard ones.
    static func upgradeRequest(path: String, port: Int, key: String, headers: [String: String?] = [:]) -> String {
        var fields: [(String, String?)] = [
            ("Host", "127.0.0.1:\(port)"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13"),
        ]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            if let index = fields.firstIndex(where: { $0.0.lowercased() == name.lowercased() }) {
                fields[index].1 = value
            } else {
                fields.append((name, value))
            }
        }
        var request = "GET \(path) HTTP/1.1\r\n"
        for (name, value) in fields { if let value { request += "\(name): \(value)\r\n" } }
        return request + "\r\n"
    }

    /// Does the opening handshake and checks the 101 (status, Upgrade, Connection and the
    /// accept key for this connection's random key). Throws with the response when refused.
    @discardableResult
    func upgrade(path: String, headers: [String: String?] = [:], key: String = randomKey()) throws -> RawHTTPResponse {
        try send(Self.upgradeRequest(path: path, port: port, key: key, headers: headers))
        let response = try readHTTPResponse()
        guard response.status == 101 else {
            throw ClientError("upgrade refused: \(response.statusLine) \(response.bodyText)")
        }
        guard response.header("upgrade")?.lowercased() == "websocket",
            response.header("connection")?.lowercased() == "upgrade"
        else { throw ClientError("101 without Upgrade: websocket and Connection: Upgrade: \(response.headers)") }
        guard response.header("sec-websocket-accept") == Self.expectedAccept(for: key) else {
            throw ClientError("wrong Sec-WebSocket-Accept \(response.header("sec-websocket-accept") ?? "none")")
        }
        return response
    }

    // MARK: Frames

    /// Parses one server frame from the buffer, if a whole one is there. Server frames must
    /// not be masked (§5.1).
    private func parseFrame() throws -> ReceivedFrame? {
        guard available >= 2 else { return nil }
        let first = buffer[readIndex]
        let second = buffer[readIndex + 1]
        if second & 0x80 != 0 { throw ClientError("the server sent a masked frame") }
        var headerLength = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            headerLength = 4
            guard available >= 4 else { return nil }
            length = Int(buffer[readIndex + 2]) << 8 | Int(buffer[readIndex + 3])
        } else if length == 127 {
            headerLength = 10
            guard available >= 10 else { return nil }
            var value: UInt64 = 0
            for index in 2..<10 { value = value << 8 | UInt64(buffer[readIndex + index]) }
            guard value < 1 << 40 else { throw ClientError("absurd frame length \(value)") }
            length = Int(value)
        }
        guard available >= headerLength + length else { return nil }
        let start = readIndex + headerLength
        let frame = ReceivedFrame(
            fin: first & 0x80 != 0, rsv: (first >> 4) & 0x7, opcode: first & 0x0F,
            payload: Array(buffer[start..<(start + length)]))
        readIndex = start + length
        return frame
    }

    /// The bytes of a frame whose end has not arrived (header included), when one has begun.
    private var partialFrameBytes: ArraySlice<UInt8> { buffer[readIndex...] }

    /// Reads the next frame of any kind.
    func readFrame(timeout: TimeInterval = defaultTimeout) throws -> ReceivedFrame {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            if let frame = try parseFrame() { return frame }
            if try !fill(until: deadline, "a frame") {
                throw ClientError(available == 0 ? "end of stream" : "end of stream inside a frame")
            }
        }
    }

    /// Reads frames until a close frame or the end of the stream, discarding data frames;
    /// `inspect` sees every frame before that (and the bytes of a frame cut off by the end).
    func readUntilConnectionEnds(
        timeout: TimeInterval = defaultTimeout, inspect: (ReceivedFrame) throws -> Void = { _ in },
        inspectCutOffFrame: (ArraySlice<UInt8>) throws -> Void = { _ in }
    ) throws -> ConnectionEnd {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            do {
                while let frame = try parseFrame() {
                    if frame.opcode == WebSocketOpcode.close.rawValue { return .closeFrame(code: frame.closeCode) }
                    try inspect(frame)
                }
                if try !fill(until: deadline, "a close frame or end of stream") {
                    if available == 0 { return .endOfStream }
                    try inspectCutOffFrame(partialFrameBytes)
                    return .endOfStreamInsideFrame
                }
            } catch let error as ClientError where error.description == ClientError.reset.description {
                return .reset
            }
        }
    }

    /// Reads every frame until the server ends the stream, reading on past a close frame: a
    /// server must send nothing after its close frame (RFC 6455 §5.5.1), and a test sees whether
    /// it did only by reading to the end. `end` is `.endOfStream`, `.endOfStreamInsideFrame`
    /// (a frame cut off) or `.reset`; the frames read before a reset are kept.
    func readEveryFrameUntilEndOfStream(timeout: TimeInterval = defaultTimeout) throws -> (
        frames: [ReceivedFrame], end: ConnectionEnd
    ) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var frames: [ReceivedFrame] = []
        while true {
            do {
                while let frame = try parseFrame() { frames.append(frame) }
                if try !fill(until: deadline, "end of stream (after \(frames.count) frames)") {
                    return (frames, available == 0 ? .endOfStream : .endOfStreamInsideFrame)
                }
            } catch let error as ClientError where error.description == ClientError.reset.description {
                return (frames, .reset)
            }
        }
    }

    /// Reads the next text frame, skipping pings and pongs, and decodes it as a JSON object.
    func readJSON(timeout: TimeInterval = defaultTimeout) throws -> JSONObject {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            let frame = try readFrame(timeout: max(deadline.timeIntervalSinceNow, 0.001))
            switch frame.opcode {
            case WebSocketOpcode.ping.rawValue, WebSocketOpcode.pong.rawValue:
                continue
            case WebSocketOpcode.text.rawValue:
                return try Self.decodeJSON(frame)
            default:
                throw ClientError("expected a text frame, got \(frame)")
            }
        }
    }

    static func decodeJSON(_ frame: ReceivedFrame) throws -> JSONObject {
        guard frame.fin, frame.rsv == 0, let text = frame.text else {
            throw ClientError("not a whole text frame: \(frame)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? JSONObject else {
            throw ClientError("not a JSON object: \(text)")
        }
        return object
    }

    /// The next message: from the stash first, then from the socket.
    func nextMessage(timeout: TimeInterval = defaultTimeout) throws -> JSONObject {
        if !stash.isEmpty { return stash.removeFirst() }
        return try readJSON(timeout: timeout)
    }

    /// Reads until a message matches, stashing the others for later `next…` calls.
    func waitFor(_ what: String, timeout: TimeInterval = defaultTimeout, _ matches: (JSONObject) -> Bool) throws
        -> JSONObject
    {
        if let index = stash.firstIndex(where: matches) { return stash.remove(at: index) }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { throw ClientError.timedOut(what) }
            let message = try readJSON(timeout: remaining)
            if matches(message) { return message }
            stash.append(message)
        }
    }

    /// Waits for the reply carrying `rid`.
    func reply(rid: Int, timeout: TimeInterval = defaultTimeout) throws -> JSONObject {
        try waitFor("the reply to rid \(rid)", timeout: timeout) { ($0["rid"] as? Int) == rid && $0["ev"] == nil }
    }

    /// Waits for the next event named `name` (e.g. "party.member_joined").
    func event(_ name: String, timeout: TimeInterval = defaultTimeout) throws -> JSONObject {
        try waitFor("an event \(name)", timeout: timeout) { ($0["ev"] as? String) == name }
    }

    /// Sends a command object (`op`, optional `rid`, extra fields) as one text frame.
    func sendCommand(_ op: String, rid: Int? = nil, _ fields: [String: Any] = [:]) throws {
        var object = fields
        object["op"] = op
        if let rid { object["rid"] = rid }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try sendFrame(.text, payload: Array(data))
    }

    /// Sends a command with `rid` and returns its reply.
    func call(_ op: String, rid: Int, _ fields: [String: Any] = [:]) throws -> JSONObject {
        try sendCommand(op, rid: rid, fields)
        return try reply(rid: rid)
    }
}

extension ClientError {
    static let reset = ClientError("connection reset by the server")
}

extension JSONObject {
    /// `ok` of a reply.
    var isOK: Bool { (self["ok"] as? Bool) == true }
    /// `error.code` of a failed reply.
    var errorCode: String? { (self["error"] as? JSONObject)?["code"] as? String }
    /// `data.party` of a successful reply.
    var party: JSONObject? { (self["data"] as? JSONObject)?["party"] as? JSONObject }
    /// `seq` of an event.
    var seq: Int? { self["seq"] as? Int }
    /// `ev` of an event.
    var eventName: String? { self["ev"] as? String }
}
