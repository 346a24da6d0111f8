import Protocol
import XCTest

final class WebSocketFrameEncoderTests: XCTestCase {
    func testHeaderLengthFollowsTheThreeLengthForms() {
        for (count, expected) in [(0, 2), (1, 2), (125, 2), (126, 4), (127, 4), (65535, 4), (65536, 10), (1 << 20, 10)]
        {
            XCTAssertEqual(WebSocketFrameEncoder.headerLength(payloadCount: count), expected, "\(count) bytes")
        }
    }

    func testUnmaskedFramesWith7Bit16BitAnd64BitLengthsAreWrittenInNetworkOrder() {
        let small = WebSocketFrameEncoder.frame(opcode: .text, payload: Array("hi".utf8))
        XCTAssertEqual(small, [0x81, 2, 0x68, 0x69])

        let medium = WebSocketFrameEncoder.frame(opcode: .binary, payload: [UInt8](repeating: 7, count: 300))
        XCTAssertEqual(Array(medium[..<4]), [0x82, 126, 0x01, 0x2C])
        XCTAssertEqual(medium.count, 4 + 300)

        let large = WebSocketFrameEncoder.frame(opcode: .binary, payload: [UInt8](repeating: 7, count: 70000))
        XCTAssertEqual(Array(large[..<10]), [0x82, 127, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70])
        XCTAssertEqual(large.count, 10 + 70000)
    }

    func testFinBitIsClearForNonFinalFragments() {
        XCTAssertEqual(WebSocketFrameEncoder.frame(opcode: .text, fin: false, payload: [])[0], 0x01)
        XCTAssertEqual(WebSocketFrameEncoder.frame(opcode: .continuation, fin: true, payload: [])[0], 0x80)
        XCTAssertEqual(WebSocketFrameEncoder.frame(opcode: .pong, payload: [])[0], 0x8A)
    }

    func testWriteHeaderEndsExactlyWhereThePayloadStarts() {
        for count in [0, 125, 126, 65535, 65536] {
            var buffer = [UInt8](repeating: 0xEE, count: 16)
            let headerLength = WebSocketFrameEncoder.headerLength(payloadCount: count)
            let startOffset = buffer.withUnsafeMutableBytes { raw -> Int in
                let start = WebSocketFrameEncoder.writeHeader(
                    opcode: .text, payloadCount: count, endingAt: raw.baseAddress! + 12)
                return start - raw.baseAddress!
            }
            XCTAssertEqual(startOffset, 12 - headerLength, "\(count) bytes")
            XCTAssertEqual(
                Array(buffer[..<startOffset]), [UInt8](repeating: 0xEE, count: startOffset), "nothing before")
            XCTAssertEqual(Array(buffer[12...]), [0xEE, 0xEE, 0xEE, 0xEE], "nothing after")
            XCTAssertEqual(
                Array(buffer[startOffset..<12]),
                Array(
                    WebSocketFrameEncoder.frame(opcode: .text, payload: [UInt8](repeating: 0, count: count))[
                        ..<headerLength]))
        }
    }

    func testMaskedFrameSetsTheMaskBitWritesTheKeyAndMasksThePayload() {
        let payload: [UInt8] = [0x48, 0x65, 0x6C, 0x6C, 0x6F]
        // RFC 6455 §5.7: a single-frame masked text message containing "Hello".
        let frame = WebSocketFrameEncoder.maskedFrame(
            opcode: .text, payload: payload, maskKey: (0x37, 0xFA, 0x21, 0x3D))
        XCTAssertEqual(frame, [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    }

    func testMaskedFramesWith16BitAnd64BitLengthsUseTheExtendedLengthForms() {
        let key: (UInt8, UInt8, UInt8, UInt8) = (1, 2, 3, 4)
        func header(_ count: Int) -> [UInt8] {
            Array(
                WebSocketFrameEncoder.maskedFrame(
                    opcode: .binary, payload: [UInt8](repeating: 0, count: count), maskKey: key
                ).prefix(14))
        }
        XCTAssertEqual(Array(header(125)[..<6]), [0x82, 0x80 | 125, 1, 2, 3, 4])
        XCTAssertEqual(Array(header(126)[..<8]), [0x82, 0x80 | 126, 0, 126, 1, 2, 3, 4])
        XCTAssertEqual(Array(header(65535)[..<8]), [0x82, 0x80 | 126, 0xFF, 0xFF, 1, 2, 3, 4])
        XCTAssertEqual(header(65536), [0x82, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4])
    }

    func testMaskedFramePlacesReservedBitsAfterFin() {
        let key: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        XCTAssertEqual(WebSocketFrameEncoder.maskedFrame(opcode: .text, payload: [], maskKey: key, rsv: 0b100)[0], 0xC1)
        XCTAssertEqual(WebSocketFrameEncoder.maskedFrame(opcode: .text, payload: [], maskKey: key, rsv: 0b010)[0], 0xA1)
        XCTAssertEqual(WebSocketFrameEncoder.maskedFrame(opcode: .text, payload: [], maskKey: key, rsv: 0b001)[0], 0x91)
    }

    func testClosePayloadIsTheCodeInNetworkOrderThenTheReason() {
        XCTAssertEqual(WebSocketFrameEncoder.closePayload(code: .messageTooBig, reason: ""), [0x03, 0xF1])
        XCTAssertEqual(
            WebSocketFrameEncoder.closePayload(code: WebSocketCloseCode(rawValue: 4321), reason: "bye"),
            [0x10, 0xE1, 0x62, 0x79, 0x65])
    }

    func testClosePayloadIsCutToTheControlFrameLimitOnACharacterBoundary() {
        let ascii = WebSocketFrameEncoder.closePayload(code: .normalClosure, reason: String(repeating: "a", count: 200))
        XCTAssertEqual(ascii.count, 125)
        // 123 bytes of room: 61 two-byte characters fit, the 62nd would split.
        let twoByte = WebSocketFrameEncoder.closePayload(
            code: .normalClosure, reason: String(repeating: "é", count: 100))
        XCTAssertEqual(twoByte.count, 2 + 122)
        XCTAssertEqual(String(validating: twoByte[2...], as: UTF8.self), String(repeating: "é", count: 61))
        // 30 four-byte characters take 120 bytes, then three ASCII bytes still fit.
        let mixed = WebSocketFrameEncoder.closePayload(
            code: .normalClosure, reason: String(repeating: "😀", count: 30) + "abcdef")
        XCTAssertEqual(String(validating: mixed[2...], as: UTF8.self), String(repeating: "😀", count: 30) + "abc")
        let emoji = WebSocketFrameEncoder.closePayload(code: .normalClosure, reason: String(repeating: "😀", count: 40))
        XCTAssertEqual(emoji.count, 2 + 120)
    }

    func testOpcodesWithTheHighBitSetAreControlFrames() {
        XCTAssertFalse(WebSocketOpcode.continuation.isControl)
        XCTAssertFalse(WebSocketOpcode.text.isControl)
        XCTAssertFalse(WebSocketOpcode.binary.isControl)
        XCTAssertTrue(WebSocketOpcode.close.isControl)
        XCTAssertTrue(WebSocketOpcode.ping.isControl)
        XCTAssertTrue(WebSocketOpcode.pong.isControl)
        for reserved: UInt8 in [3, 4, 5, 6, 7, 11, 12, 13, 14, 15] { XCTAssertNil(WebSocketOpcode(rawValue: reserved)) }
    }
}
