import Protocol
import XCTest

final class HTTPRequestParserTests: XCTestCase {
    /// What a connection saw from the parser: the requests, then the refusal if there was one.
    private struct Outcome {
        var requests: [HTTPRequest] = []
        var failure: HTTPStatus?
        /// Bytes received when the failure was reported.
        var failureAfterBytes: Int?
        /// Bytes received but not yet consumed by a request.
        var unread: [UInt8] = []
    }

    /// Drives a parser as a connection does: bytes are appended, `parse` is called until it
    /// needs more, and each request's bytes are dropped.
    private func parse(_ text: String, _ feeding: Feeding, parser: HTTPRequestParser = HTTPRequestParser()) -> Outcome {
        parse(Array(text.utf8), feeding, parser: parser)
    }

    private func parse(_ bytes: [UInt8], _ feeding: Feeding, parser initial: HTTPRequestParser = HTTPRequestParser())
        -> Outcome
    {
        var parser = initial
        var outcome = Outcome()
        var received = 0
        for chunk in feeding.chunks(of: bytes) {
            outcome.unread += chunk
            received += chunk.count
            reading: while true {
                switch outcome.unread.withUnsafeBytes({ parser.parse($0) }) {
                case .needMoreData:
                    break reading
                case .request(let request, let consumed):
                    XCTAssertGreaterThan(consumed, 0)
                    outcome.requests.append(request)
                    outcome.unread.removeFirst(consumed)
                case .failure(let status, _):
                    outcome.failure = status
                    outcome.failureAfterBytes = received
                    return outcome
                }
            }
        }
        return outcome
    }

    private func assertRefused(
        _ text: String, _ status: HTTPStatus, parser: HTTPRequestParser = HTTPRequestParser(),
        file: StaticString = #filePath, line: UInt = #line
    ) {
        for feeding in Feeding.allCases {
            let outcome = parse(text, feeding, parser: parser)
            XCTAssertEqual(outcome.failure, status, "fed \(feeding): \(text.debugDescription)", file: file, line: line)
            XCTAssertTrue(outcome.requests.isEmpty, "fed \(feeding)", file: file, line: line)
        }
    }

    private let simpleRequest =
        "GET /party?token=abc HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\nX-Empty:\r\n"
        + "X-Spaced: \t  padded value \t\r\n\r\n"

    // MARK: - Whole, in pieces, byte by byte

    func testRequestIsParsedWholeInHalvesAndByteByByte() {
        for feeding in Feeding.allCases {
            let outcome = parse(simpleRequest, feeding)
            XCTAssertNil(outcome.failure, "fed \(feeding)")
            XCTAssertEqual(outcome.requests.count, 1, "fed \(feeding)")
            guard let request = outcome.requests.first else { continue }
            XCTAssertEqual(request.method, "GET")
            XCTAssertEqual(request.target, "/party?token=abc")
            XCTAssertEqual(request.path, "/party")
            XCTAssertEqual(request.minorVersion, 1)
            XCTAssertEqual(
                request.headers.map(\.name), ["host", "upgrade", "x-empty", "x-spaced"], "names lowercased, in order")
            XCTAssertEqual(request.headers.map(\.value), ["localhost:8080", "websocket", "", "padded value"])
            XCTAssertEqual(request.body, [])
            XCTAssertTrue(outcome.unread.isEmpty)
        }
    }

    func testRequestIsParsedWhateverTheSplit() {
        let bytes = Array(simpleRequest.utf8)
        let expected = parse(bytes, .whole).requests
        for split in 1..<bytes.count {
            var parser = HTTPRequestParser()
            var buffer = Array(bytes[..<split])
            XCTAssertEqual(buffer.withUnsafeBytes { parser.parse($0) }, .needMoreData, "split at \(split)")
            buffer += bytes[split...]
            XCTAssertEqual(
                buffer.withUnsafeBytes { parser.parse($0) }, .request(expected[0], consumed: bytes.count),
                "split at \(split)")
        }
    }

    func testNothingIsReportedBeforeTheBlankLineArrives() {
        let bytes = Array(simpleRequest.utf8)
        var parser = HTTPRequestParser()
        for end in 0..<bytes.count {
            let result = Array(bytes[..<end]).withUnsafeBytes { parser.parse($0) }
            XCTAssertEqual(result, .needMoreData, "after \(end) bytes")
        }
    }

    // MARK: - Limits

    private func request(withHeadBytes count: Int) -> String {
        let start = "GET / HTTP/1.1\r\nHost: a\r\nX-Fill: "
        let end = "\r\n\r\n"
        return start + String(repeating: "x", count: count - start.utf8.count - end.utf8.count) + end
    }

    func testHeadOfExactly8KiBIsAccepted() {
        for feeding in Feeding.allCases {
            XCTAssertEqual(parse(request(withHeadBytes: 8192), feeding).requests.count, 1, "fed \(feeding)")
        }
    }

    func testHeadOver8KiBIsRequestHeaderFieldsTooLarge() {
        assertRefused(request(withHeadBytes: 8193), .requestHeaderFieldsTooLarge)
        assertRefused(request(withHeadBytes: 20000), .requestHeaderFieldsTooLarge)
    }

    func testHeadOver8KiBWithoutATerminatorIsRefusedOnceItPassesTheLimit() {
        let endless = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Fill: ".utf8) + [UInt8](repeating: 0x78, count: 10000)
        let outcome = parse(endless, .byteByByte)
        XCTAssertEqual(outcome.failure, .requestHeaderFieldsTooLarge)
        XCTAssertEqual(outcome.failureAfterBytes, 8193, "refused at the first byte past the limit")
        XCTAssertEqual(parse(Array(endless[..<8192]), .whole).failure, nil, "8 KiB without an end is still waiting")
        XCTAssertEqual(parse(endless, .whole).failure, .requestHeaderFieldsTooLarge)
        XCTAssertEqual(parse(endless, .halves).failure, .requestHeaderFieldsTooLarge)
    }

    func testHeaderFieldCountOverTheLimitIsRequestHeaderFieldsTooLarge() {
        let fields = (0..<5).map { "X-\($0): v\r\n" }.joined()
        let parser = HTTPRequestParser(maxHeaderCount: 5)
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n", .requestHeaderFieldsTooLarge, parser: parser)
        XCTAssertEqual(
            parse("GET / HTTP/1.1\r\n" + fields + "\r\n", .whole, parser: HTTPRequestParser(maxHeaderCount: 6)).failure,
            .badRequest, "no Host, but not too many")
        XCTAssertEqual(
            parse("GET / HTTP/1.1\r\nHost: a\r\nX-0: v\r\nX-1: v\r\nX-2: v\r\nX-3: v\r\n\r\n", .whole, parser: parser)
                .requests.count, 1)
    }

    // MARK: - Malformed heads

    func testMalformedRequestLinesAreBadRequests() {
        for line in [
            "GET /", "GET / HTTP/1.1 extra", "GET  / HTTP/1.1", "GET / ", " GET / HTTP/1.1", "G(T / HTTP/1.1",
            "GET party HTTP/1.1", "GET http://example.com/ HTTP/1.1", "GET /a\u{7F}b HTTP/1.1", "",
        ] {
            assertRefused(line + "\r\nHost: a\r\n\r\n", .badRequest)
        }
    }

    func testMalformedVersionsAreBadRequests() {
        for version in ["HTTP/1", "HTTP/1.", "HTTP/1.10", "http/1.1", "HTTP/1,1", "HTTP/x.1", "HTTPS/1.1", "HTTP/1.1 "]
        {
            assertRefused("GET / \(version)\r\nHost: a\r\n\r\n", .badRequest)
        }
    }

    func testOtherMajorVersionsAreNotSupported() {
        assertRefused("GET / HTTP/2.0\r\nHost: a\r\n\r\n", .httpVersionNotSupported)
        assertRefused("GET / HTTP/0.9\r\nHost: a\r\n\r\n", .httpVersionNotSupported)
        assertRefused("GET / HTTP/3.0\r\nHost: a\r\n\r\n", .httpVersionNotSupported)
    }

    func testHeaderWithoutAColonIsABadRequest() {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n", .badRequest)
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\n: no name\r\n\r\n", .badRequest)
    }

    func testInvalidHeaderNamesAreBadRequests() {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX Name: v\r\n\r\n", .badRequest)
        assertRefused("GET / HTTP/1.1\r\nHost : a\r\n\r\n", .badRequest)
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX(y): v\r\n\r\n", .badRequest)
    }

    func testObsoleteLineFoldingIsABadRequest() {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n", .badRequest)
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n", .badRequest)
    }

    func testBareLineFeedOrCarriageReturnIsABadRequest() {
        assertRefused("GET / HTTP/1.1\nHost: a\r\n\r\n", .badRequest)
        assertRefused("GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", .badRequest)
        assertRefused("GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", .badRequest)
    }

    func testControlCharacterInAHeaderValueIsABadRequest() {
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n", .badRequest)
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}\r\n\r\n", .badRequest)
        XCTAssertEqual(
            parse("GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n", .whole).requests.first?.header("x"), "a\tb")
    }

    func testHTTP11WithoutExactlyOneHostIsABadRequest() {
        assertRefused("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", .badRequest)
        assertRefused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .badRequest)
        XCTAssertEqual(parse("GET / HTTP/1.0\r\n\r\n", .whole).requests.first?.minorVersion, 0, "1.0 needs no Host")
    }

    // MARK: - Bodies

    func testContentLengthBodyIsRead() {
        let text = "POST /token HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
        for feeding in Feeding.allCases {
            let outcome = parse(text, feeding)
            XCTAssertEqual(outcome.requests.map(\.body), [Array("hello world".utf8)], "fed \(feeding)")
            XCTAssertTrue(outcome.unread.isEmpty)
        }
    }

    func testRequestIsNotReportedBeforeItsWholeBodyArrives() {
        let bytes = Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde".utf8)
        var parser = HTTPRequestParser()
        for end in 0..<bytes.count {
            XCTAssertEqual(
                Array(bytes[..<end]).withUnsafeBytes { parser.parse($0) }, .needMoreData, "after \(end) bytes")
        }
        guard case .request(let request, let consumed) = bytes.withUnsafeBytes({ parser.parse($0) }) else {
            return XCTFail("no request")
        }
        XCTAssertEqual(request.body, Array("abcde".utf8))
        XCTAssertEqual(consumed, bytes.count)
    }

    /// A body sent a byte at a time must not cost a parse of the head per byte: once the head
    /// has been parsed, later calls only count the body's bytes. The head bytes are overwritten
    /// here (a connection never does that) to show they are not read again.
    func testTheHeadIsParsedOnceWhileTheBodyArrives() {
        let head = Array("POST /token HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n".utf8)
        var parser = HTTPRequestParser()
        XCTAssertEqual((head + Array("ab".utf8)).withUnsafeBytes { parser.parse($0) }, .needMoreData)
        let garbledHead = [UInt8](repeating: UInt8(ascii: "?"), count: head.count)
        guard case .request(let request, let consumed) = (garbledHead + Array("abcd".utf8)).withUnsafeBytes({ parser.parse($0) })
        else { return XCTFail("the head parsed first was not kept") }
        XCTAssertEqual(request.target, "/token")
        XCTAssertEqual(request.body, Array("abcd".utf8))
        XCTAssertEqual(consumed, head.count + 4)
    }

    func testZeroContentLengthAndRepeatedEqualLengthsAreAccepted() {
        XCTAssertEqual(
            parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", .whole).requests.first?.body, [])
        XCTAssertEqual(
            parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", .whole).requests
                .first?.body,
            Array("ok".utf8))
    }

    func testInvalidOrConflictingContentLengthIsABadRequest() {
        for value in ["abc", "-1", "+5", "", "5 5", "0x10", "1.0", "5,5", "1234567890123456789"] {
            assertRefused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n", .badRequest)
        }
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef", .badRequest)
    }

    func testBodyOverTheLimitIsRefusedFromTheHeadAlone() {
        let parser = HTTPRequestParser(maxBodyBytes: 10)
        let head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"
        assertRefused(head, .payloadTooLarge, parser: parser)
        assertRefused(head + "01234567890", .payloadTooLarge, parser: parser)
        assertRefused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999\r\n\r\n", .payloadTooLarge)
        XCTAssertEqual(
            parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", .whole, parser: parser).requests
                .count, 1)
    }

    func testTransferEncodingIsNotImplemented() {
        assertRefused(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", .notImplemented)
        assertRefused(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\nContent-Length: 1\r\n\r\nx", .notImplemented)
    }

    // MARK: - Keep-alive

    func testPipelinedRequestsAreParsedOneAfterTheOther() {
        let text =
            "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
            + "GET /three HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        for feeding in Feeding.allCases {
            let outcome = parse(text, feeding)
            XCTAssertNil(outcome.failure, "fed \(feeding)")
            XCTAssertEqual(outcome.requests.map(\.target), ["/one", "/two", "/three"], "fed \(feeding)")
            XCTAssertEqual(outcome.requests.map(\.body), [[], Array("xyz".utf8), []], "fed \(feeding)")
            XCTAssertEqual(outcome.requests.map(\.keepAlive), [true, true, false])
            XCTAssertTrue(outcome.unread.isEmpty)
        }
    }

    func testPartOfTheNextRequestStaysUnread() {
        let outcome = parse("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /tw", .whole)
        XCTAssertEqual(outcome.requests.map(\.target), ["/one"])
        XCTAssertEqual(outcome.unread, Array("GET /tw".utf8))
    }

    func testSecondRequestOverTheLimitIsRefusedAfterAGoodFirstOne() {
        let outcome = parse("GET /one HTTP/1.1\r\nHost: a\r\n\r\n" + request(withHeadBytes: 9000), .byteByByte)
        XCTAssertEqual(outcome.requests.map(\.target), ["/one"])
        XCTAssertEqual(outcome.failure, .requestHeaderFieldsTooLarge)
    }
}
