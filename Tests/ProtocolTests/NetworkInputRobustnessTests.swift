import Protocol
import TestSupport
import XCTest

/// Feeds the parsers that see network bytes with random and mutated input, split at random
/// points, and checks that they never trap and always make progress or stop with an error.
/// The generator is seeded, so a failure reproduces.
final class NetworkInputRobustnessTests: XCTestCase {
    private var random = SplitMix64(seed: 0x5EED_0F_7A27_4B0B)

    private func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty:
                bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
            case 2:
                bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
            case 3 where !bytes.isEmpty:
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            default:
                bytes += (0..<Int.random(in: 0..<16, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        }
        return bytes
    }

    private func randomBytes(_ maxCount: Int) -> [UInt8] {
        (0..<Int.random(in: 0...maxCount, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    func testFrameReaderSurvivesRandomAndMutatedFrames() {
        let key: (UInt8, UInt8, UInt8, UInt8) = (0x12, 0x34, 0x56, 0x78)
        let seeds: [[UInt8]] = [
            WebSocketFrameEncoder.maskedFrame(opcode: .text, payload: Array("{\"op\":\"party.chat\",\"text\":\"héllo\"}".utf8), maskKey: key),
            WebSocketFrameEncoder.maskedFrame(opcode: .binary, payload: [UInt8](repeating: 7, count: 300), maskKey: key),
            WebSocketFrameEncoder.maskedFrame(opcode: .text, fin: false, payload: [0xE2, 0x82], maskKey: key)
                + WebSocketFrameEncoder.maskedFrame(opcode: .ping, payload: [1, 2], maskKey: key)
                + WebSocketFrameEncoder.maskedFrame(opcode: .continuation, payload: [0xAC], maskKey: key),
            WebSocketFrameEncoder.maskedFrame(opcode: .close, payload: [0x03, 0xE8, 0x61], maskKey: key),
            WebSocketFrameEncoder.maskedFrame(opcode: .binary, payload: [UInt8](repeating: 1, count: 70000), maskKey: key),
        ]
        for iteration in 0..<3000 {
            let input = iteration % 4 == 0 ? randomBytes(64) : mutate(seeds[iteration % seeds.count])
            var reader = WebSocketMessageReader(maxMessageBytes: 1 << 16)
            var buffer: [UInt8] = []
            var fed = 0
            var stopped = false
            while !stopped && fed < input.count {
                let chunk = Int.random(in: 1...max(1, input.count - fed), using: &random)
                buffer += input[fed..<(fed + chunk)]
                fed += chunk
                while true {
                    let (event, consumed) = buffer.withUnsafeMutableBytes { reader.read($0) }
                    XCTAssertLessThanOrEqual(consumed, buffer.count)
                    if case .violation = event {
                        stopped = true
                        break
                    }
                    if case .needMoreData = event { break }
                    if case .close = event {
                        stopped = true
                        break
                    }
                    XCTAssertGreaterThan(consumed, 0, "an event other than needMoreData must consume bytes")
                    buffer.removeFirst(consumed)
                }
            }
        }
    }

    func testHTTPParserSurvivesRandomAndMutatedRequests() {
        let seeds = [
            "GET /api/v1/social/party/ws?token=abc HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
            "GET /healthz HTTP/1.0\r\n\r\n",
        ].map { Array($0.utf8) }
        for iteration in 0..<3000 {
            let input = iteration % 5 == 0 ? randomBytes(200) : mutate(seeds[iteration % seeds.count])
            var parser = HTTPRequestParser(maxHeaderBytes: 256, maxBodyBytes: 64)
            var buffer: [UInt8] = []
            for byte in input {
                buffer.append(byte)
                let result = buffer.withUnsafeBytes { parser.parse($0) }
                switch result {
                case .needMoreData: continue
                case .failure: buffer.removeAll()
                case .request(let request, let consumed):
                    XCTAssertLessThanOrEqual(consumed, buffer.count)
                    _ = WebSocketHandshake.validate(request)
                    _ = request.queryParameter("token")
                    buffer.removeFirst(consumed)
                }
            }
        }
    }

    func testCommandDecoderAndJSONParserSurviveMutatedJSON() {
        let seeds = [
            #"{"op":"party.chat","text":"hi \"there\" \ud83d\ude00","rid":12}"#,
            #"{"op":"party.join","invite_code":"ABCDEFGH","rid":-9223372036854775808}"#,
            #"{"op":"party.create","extra":[1,2.5e3,{"a":[true,false,null]}]}"#,
            #"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#,
        ].map { Array($0.utf8) }
        for iteration in 0..<5000 {
            let input = iteration % 5 == 0 ? randomBytes(80) : mutate(seeds[iteration % seeds.count])
            // The server only hands the decoder valid UTF-8 (the text frame was validated).
            guard input.withUnsafeBytes({ UTF8Validator.isValid($0) }) else {
                XCTAssertThrowsError(try JSONParser.parse(input))
                continue
            }
            _ = ClientMessageDecoder.decode(input)
            _ = try? JSONParser.parse(input, maxDepth: 8)
        }
    }

    func testOrganizationPathsAndBodiesSurviveMutation() {
        let paths = [
            "/api/v1/organizations/o1/members/team%3Abob", "/api/v1/groups/join/abcd2345", "/api/v1/groups/g-1/regenerate-code",
            "/api/v1/organizations/o1/groups",
        ].map { Array($0.utf8) }
        let bodies = [
            #"{"name":"  Knights \u00e9 ","owner":"bob","description":null}"#, #"{"role":"MODERATOR"}"#,
            #"{"name":"R","description":"x\ny"}"#,
        ].map { Array($0.utf8) }
        for iteration in 0..<5000 {
            let pathBytes = mutate(paths[iteration % paths.count])
            let path = String(decoding: pathBytes, as: UTF8.self)
            _ = OrganizationPath.isUnderAPI(path[...])
            let body = iteration % 7 == 0 ? randomBytes(60) : mutate(bodies[iteration % bodies.count])
            guard let parsed = OrganizationPath.parse(path[...]) else { continue }
            for method in parsed.allowedMethods + ["PATCH"] {
                _ = OrganizationRequestDecoder.decode(method: method, path: parsed, body: body)
            }
        }
    }

    func testJWTVerifierSurvivesMutatedTokens() {
        let codec = JWTCodec(secret: Array("secret".utf8))
        let valid = Array(codec.sign(subject: "alice", expiresAt: 2_000_000_000).utf8)
        let absurd = Array(codec.sign(rawHeader: Array(#"{"alg":"HS256"}"#.utf8), rawPayload: Array(#"{"sub":"a","exp":9223372036854775807,"nbf":-9223372036854775808}"#.utf8)).utf8)
        if case .failure(let error) = codec.verify(Substring(String(decoding: absurd, as: UTF8.self)), now: 1_000) {
            XCTFail("extreme but valid dates must verify, got \(error)")
        }
        for iteration in 0..<3000 {
            let input = mutate(iteration % 2 == 0 ? valid : absurd)
            _ = codec.verify(Substring(String(decoding: input, as: UTF8.self)), now: 1_900_000_000)
        }
    }
}
