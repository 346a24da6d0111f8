import Protocol
import XCTest

final class WebSocketHandshakeTests: XCTestCase {
    private let sampleKey = "dGhlIHNhbXBsZSBub25jZQ=="

    private func upgradeRequest(
        minorVersion: Int = 1, removing removed: Set<String> = [], replacing: [String: String] = [:]
    )
        -> HTTPRequest
    {
        var headers: [(name: String, value: String)] = [
            ("host", "server.example.com"), ("upgrade", "websocket"), ("connection", "Upgrade"),
            ("sec-websocket-key", sampleKey), ("sec-websocket-version", "13"),
        ]
        headers.removeAll { removed.contains($0.name) }
        for (name, value) in replacing {
            if let index = headers.firstIndex(where: { $0.name == name }) {
                headers[index].value = value
            } else {
                headers.append((name, value))
            }
        }
        return HTTPRequest(method: "GET", target: "/party", minorVersion: minorVersion, headers: headers)
    }

    private func refusal(_ request: HTTPRequest, file: StaticString = #filePath, line: UInt = #line)
        -> WebSocketHandshake.Refusal?
    {
        switch WebSocketHandshake.validate(request) {
        case .success(let key):
            XCTFail("accepted with key \(key)", file: file, line: line)
            return nil
        case .failure(let refusal):
            return refusal
        }
    }

    func testAcceptKeyIsTheOneFromRFC6455Section1_3() {
        XCTAssertEqual(WebSocketHandshake.acceptKey(for: sampleKey), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testValidUpgradeIsAcceptedWithTheAcceptKey() {
        XCTAssertEqual(try WebSocketHandshake.validate(upgradeRequest()).get(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testUpgradeTokensAreMatchedCaseInsensitivelyInsideLists() {
        let request = upgradeRequest(replacing: ["upgrade": "WebSocket", "connection": "keep-alive, UPGRADE"])
        XCTAssertEqual(try WebSocketHandshake.validate(request).get(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testMissingUpgradeIsABadRequest() {
        XCTAssertEqual(refusal(upgradeRequest(removing: ["upgrade"]))?.status, .badRequest)
        XCTAssertEqual(refusal(upgradeRequest(replacing: ["upgrade": "h2c"]))?.status, .badRequest)
    }

    func testMissingConnectionUpgradeIsABadRequest() {
        XCTAssertEqual(refusal(upgradeRequest(removing: ["connection"]))?.status, .badRequest)
        XCTAssertEqual(refusal(upgradeRequest(replacing: ["connection": "keep-alive"]))?.status, .badRequest)
    }

    func testMissingKeyIsABadRequest() {
        XCTAssertEqual(refusal(upgradeRequest(removing: ["sec-websocket-key"]))?.status, .badRequest)
    }

    func testKeyThatIsNotSixteenBase64BytesIsABadRequest() {
        let fifteen = Base64.encode([UInt8](repeating: 1, count: 15))
        let seventeen = Base64.encode([UInt8](repeating: 1, count: 17))
        for key in [fifteen, seventeen, "", "not base64 at all", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=!"] {
            XCTAssertEqual(
                refusal(upgradeRequest(replacing: ["sec-websocket-key": key]))?.status, .badRequest, "key \(key)")
        }
    }

    func testUnsupportedVersionIsUpgradeRequiredNamingVersion13() {
        let refused = refusal(upgradeRequest(replacing: ["sec-websocket-version": "8"]))
        XCTAssertEqual(refused?.status, .upgradeRequired)
        XCTAssertEqual(refused?.headers, ["Sec-WebSocket-Version": "13"])
        let response = refused.map { String(decoding: $0.response.serialized(keepAlive: false), as: UTF8.self) } ?? ""
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 426 Upgrade Required\r\n"), response)
        XCTAssertTrue(response.contains("\r\nSec-WebSocket-Version: 13\r\n"), response)
    }

    func testMissingVersionIsABadRequest() {
        XCTAssertEqual(refusal(upgradeRequest(removing: ["sec-websocket-version"]))?.status, .badRequest)
    }

    func testHTTP10IsABadRequest() {
        XCTAssertEqual(refusal(upgradeRequest(minorVersion: 0))?.status, .badRequest)
    }

    func testSwitchingProtocolsResponseCarriesTheAcceptKeyAndNoContentLength() {
        let response = WebSocketHandshake.switchingProtocolsResponse(acceptKey: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        XCTAssertEqual(
            String(decoding: response.serialized(keepAlive: true), as: UTF8.self),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
    }
}
