import Protocol
import XCTest

final class WebSocketCloseCodeTests: XCTestCase {
    func testOnlyDefinedRegisteredAndApplicationCodesMayBeSent() {
        // RFC 6455 §7.4.1-§7.4.2 and the IANA registry: 1004-1006 and 1015 are reserved,
        // 1016-2999 unassigned, 0-999 unused, 5000 and up undefined.
        let allowed = Set<UInt16>([1000, 1001, 1002, 1003] + Array(1007...1014) + Array(3000...4999))
        for raw in UInt16(0)...UInt16(6000) {
            XCTAssertEqual(
                WebSocketCloseCode(rawValue: raw).isAllowedOnTheWire, allowed.contains(raw), "code \(raw)")
        }
        XCTAssertFalse(WebSocketCloseCode(rawValue: .max).isAllowedOnTheWire)
    }

    func testNamedCodesHaveTheirRFCValues() {
        XCTAssertEqual(WebSocketCloseCode.normalClosure.rawValue, 1000)
        XCTAssertEqual(WebSocketCloseCode.goingAway.rawValue, 1001)
        XCTAssertEqual(WebSocketCloseCode.protocolError.rawValue, 1002)
        XCTAssertEqual(WebSocketCloseCode.unsupportedData.rawValue, 1003)
        XCTAssertEqual(WebSocketCloseCode.noStatusReceived.rawValue, 1005)
        XCTAssertEqual(WebSocketCloseCode.abnormalClosure.rawValue, 1006)
        XCTAssertEqual(WebSocketCloseCode.invalidPayloadData.rawValue, 1007)
        XCTAssertEqual(WebSocketCloseCode.policyViolation.rawValue, 1008)
        XCTAssertEqual(WebSocketCloseCode.messageTooBig.rawValue, 1009)
        XCTAssertEqual(WebSocketCloseCode.internalError.rawValue, 1011)
        XCTAssertEqual(WebSocketCloseCode.messageTooBig.description, "1009")
    }
}
