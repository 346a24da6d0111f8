// libFuzzer harness for every parser that sees network bytes (see run.sh). The first input
// byte picks the parser; the rest is fed to it, split into chunks by the input's own bytes,
// so one corpus explores framing, HTTP, JSON commands and tokens.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 1 else { return 0 }
    let selector = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch selector % 4 {
    case 0: fuzzFrames(bytes)
    case 1: fuzzHTTP(bytes)
    case 2: fuzzJSON(bytes)
    default: fuzzToken(bytes)
    }
    return 0
}

private func chunks(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var result: [ArraySlice<UInt8>] = []
    var index = 0
    var step = 1
    while index < bytes.count {
        step = Int(bytes[index] % 17) + 1
        let end = min(bytes.count, index + step)
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
            precondition(consumed <= buffer.count)
            switch event {
            case .needMoreData: break
            case .violation, .close: return
            case .message(_, .input(let range)), .ping(let range), .pong(let range):
                precondition(range.upperBound <= buffer.count)
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
            _ = WebSocketHandshake.validate(request)
            _ = request.queryParameter("token")
            _ = request.keepAlive
            _ = request.path
            // The organizations API: its path, then the method and body the router hands on.
            if OrganizationPath.isUnderAPI(request.path), let path = OrganizationPath.parse(request.path) {
                _ = path.endpoint(method: request.method)
                _ = OrganizationRequestDecoder.decode(method: request.method, path: path, body: request.body)
            }
            buffer.removeFirst(consumed)
        }
    }
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
