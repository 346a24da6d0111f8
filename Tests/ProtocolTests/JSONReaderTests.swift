import Protocol
import XCTest

final class JSONReaderTests: XCTestCase {
    /// Runs `body` with a reader over `text`.
    private func withReader<T>(_ text: String, maxDepth: Int = 32, _ body: (inout JSONReader) throws -> T) rethrows -> T
    {
        try Array(text.utf8).withUnsafeBytes { raw in
            var reader = JSONReader(raw, maxDepth: maxDepth)
            return try body(&reader)
        }
    }

    private func readInt64(_ text: String) throws -> Int64 {
        try withReader(text) { reader in
            let value = try reader.readInt64()
            try reader.expectEnd()
            return value
        }
    }

    func testStringTokenSpansTheBytesBetweenTheQuotes() throws {
        try withReader(#"  "abc"  "#) { reader in
            let token = try reader.readStringToken()
            XCTAssertEqual(token.range, 3..<6)
            XCTAssertFalse(token.hasEscapes)
            XCTAssertEqual(Array(reader.rawBytes(of: token)), Array("abc".utf8))
            XCTAssertEqual(reader.position, 7)
            XCTAssertNoThrow(try reader.expectEnd())
        }
    }

    func testDecodingATokenResolvesEveryEscape() throws {
        try withReader(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude00.""#) { reader in
            let token = try reader.readStringToken()
            XCTAssertTrue(token.hasEscapes)
            XCTAssertEqual(reader.decode(token), "\"\\/\u{8}\u{C}\n\r\tAé€😀.")
        }
    }

    func testTokenComparisonWorksWithAndWithoutEscapes() throws {
        try withReader(#"["op", "\u006fp", "o\u0070", "opx", "o", "", "\"op"]"#) { reader in
            try reader.consume(UInt8(ascii: "["), "'['")
            var matches: [Bool] = []
            repeat {
                let token = try reader.readStringToken()
                matches.append(reader.token(token, equals: "op"))
            } while reader.consumeIfPresent(UInt8(ascii: ","))
            try reader.consume(UInt8(ascii: "]"), "']'")
            XCTAssertEqual(matches, [true, true, true, false, false, false, false])
        }
    }

    func testEmptyTokenEqualsTheEmptyLiteral() throws {
        try withReader(#""""#) { reader in
            let token = try reader.readStringToken()
            XCTAssertTrue(reader.token(token, equals: ""))
            XCTAssertFalse(reader.token(token, equals: "op"))
        }
    }

    func testInt64LimitsAreReadExactly() throws {
        XCTAssertEqual(try readInt64("9223372036854775807"), .max)
        XCTAssertEqual(try readInt64("-9223372036854775808"), .min)
        XCTAssertEqual(try readInt64("0"), 0)
        XCTAssertEqual(try readInt64("-0"), 0)
        XCTAssertEqual(try readInt64(" -42 "), -42)
    }

    func testIntegersOutOfRangeOrWithFractionsAreRefused() {
        for text in [
            "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1.0", "1e2", "1E0", "-1.5", "01",
            "-", "x",
        ] {
            XCTAssertThrowsError(try readInt64(text), text)
        }
    }

    func testNumberRangeCoversTheWholeLiteral() throws {
        try withReader("-12.5e+3,") { reader in
            XCTAssertEqual(try reader.readNumberRange(), 0..<8)
            XCTAssertTrue(reader.consumeIfPresent(UInt8(ascii: ",")))
        }
    }

    func testSkipValueChecksWhatItSkips() throws {
        try withReader(#"{"a":[1,{"b":null}],"c":"\u00e9"} 7"#) { reader in
            try reader.skipValue()
            XCTAssertEqual(try reader.readInt64(), 7)
        }
        for text in [#"{"a":[1,}"#, #"{"a":"\x"}"#, "[01]", "[tru]", #"{"a" 1}"#, #""\ud800""#] {
            XCTAssertThrowsError(try withReader(text) { try $0.skipValue() }, text)
        }
    }

    func testSkipValueRespectsTheDepthLimit() {
        XCTAssertNoThrow(try withReader("[[[]]]", maxDepth: 3) { try $0.skipValue() })
        XCTAssertThrowsError(try withReader("[[[[]]]]", maxDepth: 3) { try $0.skipValue() })
    }

    func testPeekDoesNotConsume() throws {
        try withReader("  [1]") { reader in
            XCTAssertEqual(reader.peekSignificant(), UInt8(ascii: "["))
            XCTAssertEqual(reader.peekSignificant(), UInt8(ascii: "["))
            XCTAssertFalse(reader.consumeIfPresent(UInt8(ascii: "{")))
            XCTAssertTrue(reader.consumeIfPresent(UInt8(ascii: "[")))
            XCTAssertThrowsError(try reader.consume(UInt8(ascii: "]"), "']'"))
        }
        try withReader("   ") { reader in
            XCTAssertNil(reader.peekSignificant())
            XCTAssertNoThrow(try reader.expectEnd())
        }
    }

    func testReadValueBuildsTheTree() throws {
        try withReader(#"[1,"a",{"k":[true]}]"#) { reader in
            XCTAssertEqual(
                try reader.readValue(),
                .array([
                    .number(JSONNumber(validatedLiteral: "1")), .string("a"), .object([("k", .array([.bool(true)]))]),
                ]))
        }
    }
}
