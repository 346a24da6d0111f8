import Protocol
import XCTest

final class WebSocketMessageReaderTests: XCTestCase {
    private let key: (UInt8, UInt8, UInt8, UInt8) = (0x37, 0xFA, 0x21, 0x3D)

    /// The boundary sizes: the 7-bit, 16-bit and 64-bit length forms and their edges.
    private let boundarySizes = [0, 1, 2, 124, 125, 126, 127, 128, 129, 65535, 65536, 1 << 20]

    // MARK: - Helpers

    private func masked(
        _ opcode: WebSocketOpcode, fin: Bool = true, _ payload: [UInt8], rsv: UInt8 = 0
    ) -> [UInt8] {
        WebSocketFrameEncoder.maskedFrame(opcode: opcode, fin: fin, payload: payload, maskKey: key, rsv: rsv)
    }

    /// A frame header written by hand (for what `maskedFrame` cannot express), with the mask
    /// bit set and a zero key, so that payload bytes that follow are sent as they are.
    private func rawHeader(firstByte: UInt8, length: UInt64, masked: Bool = true) -> [UInt8] {
        let maskBit: UInt8 = masked ? 0x80 : 0
        var bytes = [firstByte]
        if length < 126 {
            bytes.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            bytes += [maskBit | 126, UInt8(length >> 8), UInt8(length & 0xFF)]
        } else {
            bytes.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((length >> UInt64(shift)) & 0xFF)) }
        }
        if masked { bytes += [0, 0, 0, 0] }
        return bytes
    }

    /// Valid UTF-8 of exactly `count` bytes mixing 1- to 4-byte characters.
    private func textPayload(count: Int) -> [UInt8] {
        let scalars = Array("aé€😀 PartyHub ß漢字🎉\u{7F}\u{80}".unicodeScalars)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var index = 0
        while true {
            let encoded = Array(String(scalars[index % scalars.count]).utf8)
            if bytes.count + encoded.count > count { break }
            bytes += encoded
            index += 1
        }
        bytes += [UInt8](repeating: UInt8(ascii: "z"), count: count - bytes.count)
        XCTAssertNotNil(String(validating: bytes, as: UTF8.self))
        return bytes
    }

    private func binaryPayload(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ ($0 >> 8)) }
    }

    /// Feeds `bytes` one at a time and returns the violation's code and how many bytes had
    /// arrived when it was reported.
    private func violation(
        feeding bytes: [UInt8], maxMessageBytes: Int = 1 << 16, file: StaticString = #filePath, line: UInt = #line
    ) -> (code: WebSocketCloseCode, afterBytes: Int)? {
        let connection = SimulatedConnection(maxMessageBytes: maxMessageBytes)
        connection.receive(bytes, .byteByByte)
        guard let afterBytes = connection.violationAfterBytes, case .violation(let code)? = connection.events.last
        else {
            XCTFail("no violation; events: \(connection.events)", file: file, line: line)
            return nil
        }
        return (code, afterBytes)
    }

    private func assertViolation(
        _ bytes: [UInt8], _ expected: WebSocketCloseCode, afterBytes expectedOffset: Int? = nil,
        maxMessageBytes: Int = 1 << 16, _ message: String = "", file: StaticString = #filePath, line: UInt = #line
    ) {
        for feeding in Feeding.allCases {
            let connection = SimulatedConnection(maxMessageBytes: maxMessageBytes)
            connection.receive(bytes, feeding)
            XCTAssertEqual(
                connection.events.last, .violation(expected), "\(message) fed \(feeding)", file: file, line: line)
        }
        if let expectedOffset,
            let found = violation(feeding: bytes, maxMessageBytes: maxMessageBytes, file: file, line: line)
        {
            XCTAssertEqual(
                found.afterBytes, expectedOffset, "\(message): reported after the wrong byte", file: file, line: line)
        }
    }

    // MARK: - Round trips

    private func assertRoundTrips(_ opcode: WebSocketOpcode, payload: (Int) -> [UInt8]) {
        for size in boundarySizes {
            let bytes = payload(size)
            let frame = masked(opcode, bytes)
            for feeding in Feeding.allCases {
                let connection = SimulatedConnection()
                connection.receive(frame, feeding)
                XCTAssertEqual(connection.events.count, 1, "\(opcode) of \(size) bytes fed \(feeding)")
                XCTAssert(
                    connection.events.first == .message(opcode, bytes),
                    "\(opcode) of \(size) bytes fed \(feeding) did not come back intact")
                XCTAssertEqual(connection.messagesReadInPlace, [true], "a single frame is read in place")
                XCTAssertTrue(connection.buffer.isEmpty, "\(opcode) of \(size) bytes fed \(feeding) left bytes unread")
            }
        }
    }

    func testTextFramesOfBoundarySizesRoundTripWholeInHalvesAndByteByByte() {
        assertRoundTrips(.text, payload: textPayload(count:))
    }

    func testBinaryFramesOfBoundarySizesRoundTripWholeInHalvesAndByteByByte() {
        assertRoundTrips(.binary, payload: binaryPayload(count:))
    }

    func testSingleFrameMessageIsHandedBackAsARangeOfTheInput() {
        var frame = masked(.text, Array("hello".utf8))
        var reader = WebSocketMessageReader(maxMessageBytes: 1000)
        let (event, consumed) = frame.withUnsafeMutableBytes { reader.read($0) }
        XCTAssertEqual(event, .message(.text, .input(6..<11)))
        XCTAssertEqual(consumed, 11)
        XCTAssertEqual(Array(frame[6..<11]), Array("hello".utf8), "the payload is unmasked in place")
    }

    func testSeveralFramesInOneReadComeOutInOrder() {
        let bytes =
            masked(.text, Array("one".utf8)) + masked(.ping, [1, 2]) + masked(.binary, [9])
            + masked(.pong, []) + masked(.text, Array("two".utf8))
        for feeding in Feeding.allCases {
            let connection = SimulatedConnection()
            connection.receive(bytes, feeding)
            XCTAssertEqual(
                connection.events,
                [
                    .message(.text, Array("one".utf8)), .ping([1, 2]), .message(.binary, [9]), .pong([]),
                    .message(.text, Array("two".utf8)),
                ], "fed \(feeding)")
            XCTAssertTrue(connection.buffer.isEmpty)
        }
    }

    func testMaskKeyIsAppliedFromTheFirstPayloadByteWhateverTheSplit() {
        // A key with four different bytes, so a phase error shows as a changed payload.
        let payload = binaryPayload(count: 300)
        let frame = WebSocketFrameEncoder.maskedFrame(
            opcode: .binary, payload: payload, maskKey: (0x01, 0x02, 0x04, 0x08))
        for split in 1..<frame.count {
            let connection = SimulatedConnection()
            connection.receive(frame[..<split])
            connection.receive(frame[split...])
            XCTAssertEqual(connection.events, [.message(.binary, payload)], "split at \(split)")
        }
    }

    // MARK: - Fragmentation

    func testFragmentedTextWithPingsBetweenFragmentsIsReassembled() {
        let text = textPayload(count: 700)
        let bytes =
            masked(.text, fin: false, Array(text[0..<100])) + masked(.ping, Array("p1".utf8))
            + masked(.continuation, fin: false, Array(text[100..<400])) + masked(.ping, Array("p2".utf8))
            + masked(.pong, []) + masked(.continuation, fin: false, []) + masked(.continuation, Array(text[400...]))
        for feeding in Feeding.allCases {
            let connection = SimulatedConnection()
            connection.receive(bytes, feeding)
            XCTAssertEqual(
                connection.events,
                [
                    .fragmentAssembled, .ping(Array("p1".utf8)), .fragmentAssembled, .ping(Array("p2".utf8)),
                    .pong([]), .fragmentAssembled, .message(.text, text),
                ], "fed \(feeding)")
            XCTAssertEqual(connection.messagesReadInPlace, [false], "a fragmented message is assembled")
            XCTAssertTrue(connection.buffer.isEmpty)
        }
    }

    func testFragmentedBinaryOfBoundarySizesIsReassembled() {
        for size in [0, 1, 125, 126, 65535, 65536] {
            let payload = binaryPayload(count: size)
            let middle = size / 2
            let bytes =
                masked(.binary, fin: false, Array(payload[..<middle])) + masked(.ping, [])
                + masked(.continuation, Array(payload[middle...]))
            for feeding in Feeding.allCases {
                let connection = SimulatedConnection()
                connection.receive(bytes, feeding)
                XCTAssertEqual(connection.events.count, 3, "\(size) bytes fed \(feeding)")
                XCTAssert(connection.events.last == .message(.binary, payload), "\(size) bytes fed \(feeding)")
            }
        }
    }

    func testCloseBetweenFragmentsIsReportedAtOnce() {
        let bytes =
            masked(.text, fin: false, Array("par".utf8))
            + masked(.close, WebSocketFrameEncoder.closePayload(code: .goingAway, reason: "bye"))
        let connection = SimulatedConnection()
        connection.receive(bytes, .whole)
        XCTAssertEqual(connection.events, [.fragmentAssembled, .close(code: .goingAway, reason: Array("bye".utf8))])
    }

    func testConsecutiveFragmentedMessagesDoNotShareBytes() {
        let bytes =
            masked(.text, fin: false, Array("ab".utf8)) + masked(.continuation, Array("cd".utf8))
            + masked(.binary, fin: false, [1]) + masked(.continuation, [2])
            + masked(.text, Array("single".utf8))
            + masked(.text, fin: false, Array("x".utf8)) + masked(.continuation, Array("y".utf8))
        for feeding in Feeding.allCases {
            let connection = SimulatedConnection()
            connection.receive(bytes, feeding)
            XCTAssertEqual(
                connection.events,
                [
                    .fragmentAssembled, .message(.text, Array("abcd".utf8)), .fragmentAssembled,
                    .message(.binary, [1, 2]),
                    .message(.text, Array("single".utf8)), .fragmentAssembled, .message(.text, Array("xy".utf8)),
                ], "fed \(feeding)")
        }
    }

    // MARK: - Header rules (RFC 6455 §5.2), all reported on the first two bytes

    func testReservedBitsAreAProtocolError() {
        for rsv: UInt8 in 1...7 {
            assertViolation(masked(.text, Array("x".utf8), rsv: rsv), .protocolError, afterBytes: 2, "RSV \(rsv)")
        }
    }

    func testReservedOpcodesAreAProtocolError() {
        for opcode: UInt8 in [3, 4, 5, 6, 7, 11, 12, 13, 14, 15] {
            assertViolation(
                rawHeader(firstByte: 0x80 | opcode, length: 0), .protocolError, afterBytes: 2, "opcode \(opcode)")
        }
    }

    func testUnmaskedFrameIsAProtocolError() {
        assertViolation(
            WebSocketFrameEncoder.frame(opcode: .text, payload: Array("hi".utf8)), .protocolError, afterBytes: 2)
        assertViolation(WebSocketFrameEncoder.frame(opcode: .ping, payload: []), .protocolError, afterBytes: 2)
    }

    func testFragmentedControlFramesAreAProtocolError() {
        for opcode in [WebSocketOpcode.ping, .pong, .close] {
            assertViolation(masked(opcode, fin: false, []), .protocolError, afterBytes: 2, "\(opcode)")
        }
    }

    func testControlPayloadOver125BytesIsAProtocolError() {
        for opcode in [WebSocketOpcode.ping, .pong, .close] {
            assertViolation(
                masked(opcode, [UInt8](repeating: 0x41, count: 126)), .protocolError, afterBytes: 2, "\(opcode)")
            assertViolation(rawHeader(firstByte: 0x80 | opcode.rawValue, length: 70000), .protocolError, afterBytes: 2)
        }
    }

    func testControlPayloadOf125BytesIsAccepted() {
        let payload = [UInt8](repeating: 0x41, count: 125)
        let connection = SimulatedConnection()
        connection.receive(masked(.ping, payload) + masked(.pong, payload), .byteByByte)
        XCTAssertEqual(connection.events, [.ping(payload), .pong(payload)])
    }

    func testContinuationWithoutAMessageIsAProtocolError() {
        assertViolation(masked(.continuation, Array("x".utf8)), .protocolError, afterBytes: 2)
        // Also right after a fragmented message has been completed.
        let completed = masked(.text, fin: false, Array("a".utf8)) + masked(.continuation, Array("b".utf8))
        assertViolation(completed + masked(.continuation, []), .protocolError, afterBytes: completed.count + 2)
    }

    func testNewDataFrameDuringAFragmentedMessageIsAProtocolError() {
        let started = masked(.text, fin: false, Array("a".utf8))
        assertViolation(started + masked(.text, Array("b".utf8)), .protocolError, afterBytes: started.count + 2)
        assertViolation(started + masked(.binary, [1]), .protocolError, afterBytes: started.count + 2)
        let startedBinary = masked(.binary, fin: false, [1])
        assertViolation(
            startedBinary + masked(.text, fin: false, []), .protocolError, afterBytes: startedBinary.count + 2)
    }

    func testSixtyFourBitLengthWithItsHighBitSetIsAProtocolError() {
        var header: [UInt8] = [0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1]
        assertViolation(header + [0, 0, 0, 0], .protocolError, afterBytes: 10, maxMessageBytes: Int(Int32.max))
        header[2] = 0xFF
        assertViolation(header, .protocolError, afterBytes: 10)
    }

    // MARK: - Size limit (1009), from the header alone

    func testMessageOverTheLimitIsRefusedFromItsSixteenBitLengthBeforeAnyPayload() {
        // Only the header is sent: the refusal must not wait for the payload.
        assertViolation(rawHeader(firstByte: 0x82, length: 1001), .messageTooBig, afterBytes: 4, maxMessageBytes: 1000)
        assertViolation(rawHeader(firstByte: 0x81, length: 65535), .messageTooBig, afterBytes: 4, maxMessageBytes: 1000)
    }

    func testMessageOverTheLimitIsRefusedFromItsSixtyFourBitLengthBeforeAnyPayload() {
        assertViolation(
            rawHeader(firstByte: 0x82, length: 65537), .messageTooBig, afterBytes: 10, maxMessageBytes: 65536)
        assertViolation(
            rawHeader(firstByte: 0x82, length: UInt64(Int64.max)), .messageTooBig, afterBytes: 10,
            maxMessageBytes: 65536)
        assertViolation(
            rawHeader(firstByte: 0x82, length: 1 << 40), .messageTooBig, afterBytes: 10, maxMessageBytes: Int(Int32.max)
        )
    }

    func testMessageOfExactlyTheLimitIsAccepted() {
        let payload = binaryPayload(count: 1000)
        let connection = SimulatedConnection(maxMessageBytes: 1000)
        connection.receive(masked(.binary, payload), .byteByByte)
        XCTAssertEqual(connection.events, [.message(.binary, payload)])
    }

    func testFragmentedMessageOverTheLimitIsRefusedAtTheHeaderOfTheFragmentThatCrossesIt() {
        let first = masked(.binary, fin: false, binaryPayload(count: 600)) + masked(.ping, [])
        // 600 + 401 > 1000: refused on the second fragment's 16-bit length.
        assertViolation(
            first + rawHeader(firstByte: 0x80, length: 401), .messageTooBig, afterBytes: first.count + 4,
            maxMessageBytes: 1000)
        // Small fragments using the 7-bit form add up too.
        var small: [UInt8] = []
        for _ in 0..<9 { small += masked(small.isEmpty ? .text : .continuation, fin: false, textPayload(count: 100)) }
        assertViolation(
            small + rawHeader(firstByte: 0x80, length: 101), .messageTooBig, afterBytes: small.count + 2,
            maxMessageBytes: 1000)
    }

    func testFragmentedMessageOfExactlyTheLimitIsAccepted() {
        let payload = binaryPayload(count: 1000)
        let bytes =
            masked(.binary, fin: false, Array(payload[..<600])) + masked(.continuation, fin: false, [])
            + masked(.continuation, Array(payload[600...]))
        let connection = SimulatedConnection(maxMessageBytes: 1000)
        connection.receive(bytes, .whole)
        XCTAssertEqual(connection.events.last, .message(.binary, payload))
    }

    func testLimitStartsAgainForEachMessage() {
        let connection = SimulatedConnection(maxMessageBytes: 1000)
        for _ in 0..<3 {
            connection.receive(
                masked(.binary, fin: false, binaryPayload(count: 500))
                    + masked(.continuation, binaryPayload(count: 500)),
                .whole)
        }
        XCTAssertEqual(connection.events.count, 6)
        XCTAssertNil(connection.violationAfterBytes)
    }

    func testControlFramesDoNotCountTowardsTheMessageLimit() {
        let bytes =
            masked(.text, fin: false, textPayload(count: 1000)) + masked(.ping, binaryPayload(count: 125))
            + masked(.continuation, [])
        let connection = SimulatedConnection(maxMessageBytes: 1000)
        connection.receive(bytes, .whole)
        XCTAssertEqual(connection.events.last, .message(.text, textPayload(count: 1000)))
    }

    // MARK: - Close frames (RFC 6455 §5.5.1, §7.4)

    func testEmptyCloseHasNoCode() {
        let connection = SimulatedConnection()
        connection.receive(masked(.close, []), .whole)
        XCTAssertEqual(connection.events, [.close(code: nil, reason: [])])
    }

    func testCloseWithCodeAndReasonIsReported() {
        for feeding in Feeding.allCases {
            let connection = SimulatedConnection()
            connection.receive(masked(.close, [0x03, 0xE8] + Array("done ✓".utf8)), feeding)
            XCTAssertEqual(connection.events, [.close(code: .normalClosure, reason: Array("done ✓".utf8))])
        }
    }

    func testClosePayloadOfOneByteIsAProtocolError() {
        let frame = masked(.close, [0x03])
        assertViolation(frame, .protocolError, afterBytes: frame.count)
    }

    func testCloseCodesThatMayNotBeSentAreAProtocolError() {
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] {
            assertViolation(masked(.close, [UInt8(code >> 8), UInt8(code & 0xFF)]), .protocolError, "code \(code)")
            assertViolation(
                masked(.close, [UInt8(code >> 8), UInt8(code & 0xFF)] + Array("why".utf8)), .protocolError,
                "code \(code) with a reason")
        }
    }

    func testCloseCodesThatMayBeSentAreAccepted() {
        let codes: [UInt16] = [
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
        ]
        for code in codes {
            for reason in ["", "bye"] {
                let connection = SimulatedConnection()
                connection.receive(masked(.close, [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8)), .whole)
                XCTAssertEqual(
                    connection.events, [.close(code: WebSocketCloseCode(rawValue: code), reason: Array(reason.utf8))],
                    "code \(code) reason \"\(reason)\"")
            }
        }
    }

    func testCloseReasonThatIsNotUTF8IsInvalidPayloadData() {
        for reason: [UInt8] in [
            [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x61, 0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80],
        ] {
            assertViolation(masked(.close, [0x03, 0xE8] + reason), .invalidPayloadData, "reason \(reason)")
        }
    }

    func testCloseReasonOfTheLongestAllowedLengthIsAccepted() {
        let payload = WebSocketFrameEncoder.closePayload(code: .goingAway, reason: String(repeating: "é", count: 100))
        XCTAssertEqual(payload.count, 124)
        let connection = SimulatedConnection()
        connection.receive(masked(.close, payload), .byteByByte)
        XCTAssertEqual(connection.events, [.close(code: .goingAway, reason: Array(payload[2...]))])
    }

    // MARK: - UTF-8 (RFC 6455 §8.1), checked as the bytes arrive

    func testInvalidByteInATextFrameIsReportedWhenItArrivesBeforeTheFrameIsComplete() {
        var payload = textPayload(count: 100)
        payload[10] = 0xFF
        let frame = masked(.text, payload)
        // Header (2) + key (4) + the 11 payload bytes up to and including the bad one.
        assertViolation(frame, .invalidPayloadData, afterBytes: 6 + 11)
        // With only part of the frame sent, the violation is already there.
        let connection = SimulatedConnection()
        connection.receive(Array(frame[..<17]), .whole)
        XCTAssertEqual(connection.events, [.violation(.invalidPayloadData)])
    }

    func testInvalidSequenceInALongTextFrameIsReportedAtTheFirstImpossibleByte() {
        var payload = Array(repeating: UInt8(ascii: "a"), count: 70000)
        payload[40000] = 0xED  // ED A0 would start a surrogate
        payload[40001] = 0xA0
        let frame = masked(.text, payload)
        let headerCount = 2 + 8 + 4
        assertViolation(frame, .invalidPayloadData, afterBytes: headerCount + 40002, maxMessageBytes: 1 << 20)
    }

    func testInvalidByteInALaterFragmentIsReportedWhenThatByteArrives() {
        let first = masked(.text, fin: false, textPayload(count: 50)) + masked(.ping, [7])
        var second = textPayload(count: 50)
        second[20] = 0xFF  // never part of UTF-8, whatever comes before it
        assertViolation(
            first + masked(.continuation, fin: false, second) + masked(.continuation, []), .invalidPayloadData,
            afterBytes: first.count + 6 + 21)
    }

    func testCodePointSplitAcrossFragmentsIsAccepted() {
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        let emoji: [UInt8] = [0xF0, 0x9F, 0x98, 0x80]
        let bytes =
            masked(.text, fin: false, [0x61, euro[0]]) + masked(.ping, [])
            + masked(.continuation, fin: false, [euro[1]])
            + masked(.continuation, fin: false, [euro[2], emoji[0], emoji[1]])
            + masked(.pong, []) + masked(.continuation, [emoji[2], emoji[3], 0x62])
        for feeding in Feeding.allCases {
            let connection = SimulatedConnection()
            connection.receive(bytes, feeding)
            XCTAssertEqual(connection.events.last, .message(.text, [0x61] + euro + emoji + [0x62]), "fed \(feeding)")
        }
    }

    func testTextMessageEndingInsideASequenceIsInvalidPayloadData() {
        assertViolation(masked(.text, [0x61, 0xE2, 0x82]), .invalidPayloadData)
        assertViolation(masked(.text, [0xF0]), .invalidPayloadData)
        assertViolation(
            masked(.text, fin: false, [0x61]) + masked(.continuation, fin: false, [0xF0, 0x9F])
                + masked(.continuation, []),
            .invalidPayloadData)
    }

    func testTextMessageEndingInsideASequenceDoesNotLeakIntoBinaryOrTheNextMessage() {
        // A binary message may hold any bytes; a text message after it starts clean.
        let bytes =
            masked(.binary, [0xE2, 0x82]) + masked(.binary, fin: false, [0xFF]) + masked(.continuation, [0xC0])
            + masked(.text, Array("ok".utf8))
        let connection = SimulatedConnection()
        connection.receive(bytes, .byteByByte)
        XCTAssertEqual(
            connection.events,
            [
                .message(.binary, [0xE2, 0x82]), .fragmentAssembled, .message(.binary, [0xFF, 0xC0]),
                .message(.text, Array("ok".utf8)),
            ])
    }

    func testPingPayloadIsNotCheckedAsText() {
        let connection = SimulatedConnection()
        connection.receive(
            masked(.text, fin: false, [0xE2]) + masked(.ping, [0xFF, 0x80]) + masked(.continuation, [0x82, 0xAC]),
            .whole)
        XCTAssertEqual(
            connection.events, [.fragmentAssembled, .ping([0xFF, 0x80]), .message(.text, [0xE2, 0x82, 0xAC])])
    }
}
