// The fuzz targets: one entry point per parser that sees bytes from outside, shared by the
// libFuzzer harness (Tests/Fuzz/run.sh builds this file into it) and by `swift test`, which
// replays every checked-in corpus and crash file through the same functions
// (Tests/RealtimeTests/FuzzTargets.swift is a symlink to this file). Test-only code, so it lives
// under Tests/, not in a product module; see docs/SECURITY.md, "Fuzzing".
//
// Each target must return for every input: no trap, no unbounded loop. Preconditions here check
// the parsers' own promises (a consumed count within the buffer, a range inside it).

@testable import Protocol
@testable import Realtime

/// A fuzz target: its name is its corpus directory, `Tests/Fuzz/corpus/<name>/`.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// RFC 6455 frames through `WebSocketMessageReader`, fed in chunks.
    case frames
    /// HTTP requests through `HTTPRequestParser`, then the handshake, the query, and the
    /// organizations API's path and body.
    case http
    /// A client message: `ClientMessageDecoder` and `JSONParser`.
    case json
    /// A JWT through `JWTCodec.verify`.
    case token
    /// An HTTP API body: the first line is `METHOD /path`, the rest the body, decoded by
    /// `ServiceEventDecoder` and, for an organizations path, `OrganizationRequestDecoder`.
    case apiBodies = "api-bodies"
    /// A whole write-ahead log segment, read by `LogRecovery.verifyLog` (and so `LogReader`);
    /// every hub input record it hands over is decoded.
    case logSegment = "log-segment"
    /// One log record's payload through `HubInput(decodingPayload:)`.
    case logPayload = "log-payload"

    /// Feeds `bytes` to the target's parsers.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .frames: fuzzFrames(bytes)
        case .http: fuzzHTTP(bytes)
        case .json: fuzzJSON(bytes)
        case .token: fuzzToken(bytes)
        case .apiBodies: fuzzAPIBodies(bytes)
        case .logSegment: fuzzLogSegment(bytes)
        case .logPayload: fuzzLogPayload(bytes)
        }
    }
}

/// Splits `bytes` into chunks of 1 to 17 bytes, each length taken from the chunk's first byte
/// (uWebSockets' fuzzers do the same), so one input also explores where reads are cut.
private func chunks(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var result: [ArraySlice<UInt8>] = []
    var index = 0
    while index < bytes.count {
        let end = min(bytes.count, index + Int(bytes[index] % 17) + 1)
        result.append(bytes[index..<end])
        index = end
    }
    return result
}

private func fuzzFrames(_ bytes: [UInt8]) {
    var reader = WebSocketMessageReader(maxMessageBytes: 4096)
    var buffer: [UInt8] = []
    for chunk in chunks(bytes) {
        buffer += chunk
        while true {
            let (event, consumed) = buffer.withUnsafeMutableBytes { reader.read($0) }
            precondition(consumed <= buffer.count, "the reader consumed more than it was given")
            switch event {
            case .needMoreData: break
            case .violation, .close: return
            case .message(_, .input(let range)), .ping(let range), .pong(let range):
                precondition(range.upperBound <= buffer.count, "a payload range past the buffer")
                buffer.removeFirst(consumed)
                continue
            default:
                buffer.removeFirst(consumed)
                continue
            }
            break
        }
    }
}

private func fuzzHTTP(_ bytes: [UInt8]) {
    var parser = HTTPRequestParser(maxHeaderBytes: 512, maxBodyBytes: 128)
    var buffer: [UInt8] = []
    for chunk in chunks(bytes) {
        buffer += chunk
        switch buffer.withUnsafeBytes({ parser.parse($0) }) {
        case .needMoreData: continue
        case .failure: return
        case .request(let request, let consumed):
            precondition(consumed <= buffer.count, "the parser consumed more than it was given")
            _ = WebSocketHandshake.validate(request)
            _ = request.queryParameter("token")
            _ = request.keepAlive
            _ = request.path
            decodeOrganizationRequest(method: request.method, path: request.path, body: request.body)
            buffer.removeFirst(consumed)
        }
    }
}

/// The organizations API: its path, then the method and body the router hands on.
private func decodeOrganizationRequest(method: String, path: Substring, body: [UInt8]) {
    guard OrganizationPath.isUnderAPI(path), let parsed = OrganizationPath.parse(path) else { return }
    _ = parsed.endpoint(method: method)
    _ = OrganizationRequestDecoder.decode(method: method, path: parsed, body: body)
}

private func fuzzJSON(_ bytes: [UInt8]) {
    guard bytes.withUnsafeBytes({ UTF8Validator.isValid($0) }) else { return }
    _ = ClientMessageDecoder.decode(bytes)
    _ = try? JSONParser.parse(bytes, maxDepth: 16)
}

private func fuzzToken(_ bytes: [UInt8]) {
    let codec = JWTCodec(secret: Array("fuzz".utf8))
    _ = codec.verify(Substring(String(decoding: bytes, as: UTF8.self)), now: 1_800_000_000)
}

private func fuzzAPIBodies(_ bytes: [UInt8]) {
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
    let body = Array(bytes[min(bytes.endIndex, newline + 1)...])
    _ = ServiceEventDecoder.decode(body)
    let requestLine = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ", maxSplits: 1)
    if requestLine.count == 2 {
        decodeOrganizationRequest(method: String(requestLine[0]), path: requestLine[1], body: body)
    }
}

private func fuzzLogSegment(_ bytes: [UInt8]) {
    let fileSystem = OneSegmentFileSystem(segment: bytes)
    _ = try? LogRecovery.verifyLog(fileSystem: fileSystem, directory: OneSegmentFileSystem.directory) { record in
        if record.type == .hubInput { _ = try? HubInput(decodingPayload: record.payload) }
    }
}

private func fuzzLogPayload(_ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { try? HubInput(decodingPayload: $0) }
}

/// A read-only directory holding one log segment (the first, LSN 1) in memory: what
/// `LogRecovery.verifyLog` needs, which opens, sizes, reads and closes files and lists the
/// directory. Anything that would change the directory fails.
private final class OneSegmentFileSystem: StorageFileSystem {
    static let directory = "/fuzz"
    private let name = LogFormat.segmentName(firstLSN: 1)
    private let segment: [UInt8]

    init(segment: [UInt8]) { self.segment = segment }

    private var path: String { Self.directory + "/" + name }

    private func refused(_ operation: String, _ path: String) -> StorageError {
        .system(operation, path: path, code: 30)  // EROFS
    }

    func createDirectory(_ path: String) throws(StorageError) -> Bool { throw refused("mkdir", path) }

    func listDirectory(_ path: String) throws(StorageError) -> [String] {
        guard path == Self.directory else { throw .system("opendir", path: path, code: 2) }
        return [name]
    }

    func createFile(_ path: String) throws(StorageError) -> StorageFile { throw refused("open", path) }

    func openFile(_ path: String, writable: Bool) throws(StorageError) -> StorageFile {
        guard !writable else { throw refused("open", path) }
        guard path == self.path else { throw .system("open", path: path, code: 2) }
        return StorageFile(descriptor: 3, path: path)
    }

    func append(_ file: StorageFile, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        throw refused("write", file.path)
    }

    func read(_ file: StorageFile, at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(StorageError)
        -> Int
    {
        precondition(offset >= 0, "a read at a negative offset")
        guard offset < segment.count, !buffer.isEmpty else { return 0 }
        let count = min(buffer.count, segment.count - offset)
        segment.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        return count
    }

    func size(_ file: StorageFile) throws(StorageError) -> Int { segment.count }
    func truncate(_ file: StorageFile, to length: Int) throws(StorageError) { throw refused("ftruncate", file.path) }
    func sync(_ file: StorageFile) throws(StorageError) { throw refused("fdatasync", file.path) }
    func preallocate(_ file: StorageFile, length: Int) throws(StorageError) { throw refused("fallocate", file.path) }

    func writeBack(_ file: StorageFile, offset: Int, length: Int) throws(StorageError) {
        throw refused("sync_file_range", file.path)
    }

    func close(_ file: StorageFile) {}
    func syncDirectory(_ path: String) throws(StorageError) { throw refused("fsync", path) }
    func rename(_ from: String, to: String) throws(StorageError) { throw refused("rename", from) }
    func remove(_ path: String) throws(StorageError) { throw refused("unlink", path) }
    func lock(_ path: String) throws(StorageError) -> StorageFile { throw refused("flock", path) }
}
