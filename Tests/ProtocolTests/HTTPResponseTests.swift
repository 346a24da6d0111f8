import Protocol
import XCTest

final class HTTPResponseTests: XCTestCase {
    func testTextResponseHasContentTypeAndLength() {
        let response = HTTPResponse.text(.notFound, "no such party\n")
        XCTAssertEqual(
            String(decoding: response.serialized(keepAlive: true), as: UTF8.self),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 14\r\n\r\nno such party\n"
        )
    }

    func testConnectionCloseIsAddedWhenTheConnectionWillNotBeKept() {
        let response = HTTPResponse(status: .ok, headers: [("X-A", "1")], body: Array("ok".utf8))
        XCTAssertEqual(
            String(decoding: response.serialized(keepAlive: false), as: UTF8.self),
            "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    }

    func testEmptyBodyStillHasAContentLength() {
        XCTAssertEqual(
            String(decoding: HTTPResponse(status: .serviceUnavailable).serialized(keepAlive: true), as: UTF8.self),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
    }

    func testNoContentHasNeitherALengthNorABody() {
        // RFC 9110 §8.6: a 204 never carries Content-Length.
        XCTAssertEqual(
            String(decoding: HTTPResponse(status: .noContent, body: Array("ignored".utf8)).serialized(keepAlive: true), as: UTF8.self),
            "HTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(
            String(decoding: HTTPResponse(status: .noContent).serialized(keepAlive: false), as: UTF8.self),
            "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
    }

    func testStatusesHaveTheirReasonPhrases() {
        XCTAssertEqual(HTTPStatus.created.reasonPhrase, "Created")
        XCTAssertEqual(HTTPStatus.conflict.reasonPhrase, "Conflict")
        XCTAssertEqual(HTTPStatus.requestHeaderFieldsTooLarge.reasonPhrase, "Request Header Fields Too Large")
        XCTAssertEqual(HTTPStatus.payloadTooLarge.reasonPhrase, "Content Too Large")
        XCTAssertEqual(HTTPStatus.httpVersionNotSupported.reasonPhrase, "HTTP Version Not Supported")
        XCTAssertEqual(HTTPStatus.notImplemented.rawValue, 501)
    }
}
