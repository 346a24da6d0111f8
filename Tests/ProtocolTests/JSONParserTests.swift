import Protocol
import XCTest

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String, maxBytes: Int = 1 << 20, maxDepth: Int = 32) throws(JSONError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), maxBytes: maxBytes, maxDepth: maxDepth)
    }

    private func assertRefused(
        _ text: String, maxBytes: Int = 1 << 20, maxDepth: Int = 32, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(
            try parse(text, maxBytes: maxBytes, maxDepth: maxDepth), text.debugDescription, file: file, line: line)
    }

    private func number(_ literal: String) -> JSONValue { .number(JSONNumber(validatedLiteral: literal)) }

    // MARK: - Strings

    func testEveryEscapeDecodes() throws {
        XCTAssertEqual(
            try parse(#""\"\\\/\b\f\n\r\t""#), .string("\"\\/\u{08}\u{0C}\n\r\t"))
        XCTAssertEqual(try parse(#""\u0041\u00e9\u00E9\u20ac\u0000\u001f\uffff""#), .string("Aéé€\u{0}\u{1F}\u{FFFF}"))
        XCTAssertEqual(try parse(#""plain é 😀""#), .string("plain é 😀"))
        XCTAssertEqual(try parse(#""a\nb\u0063d""#), .string("a\nbcd"))
    }

    func testSurrogatePairsDecodeToTheirScalar() throws {
        XCTAssertEqual(try parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try parse(#""\uD83D\uDE00""#), .string("\u{1F600}"))
        XCTAssertEqual(try parse(#""\ud800\udc00""#), .string("\u{10000}"))
        XCTAssertEqual(try parse(#""\udbff\udfff""#), .string("\u{10FFFF}"))
        XCTAssertEqual(try parse(#""x\ud83c\udf89y""#), .string("x🎉y"))
    }

    func testLoneSurrogatesAreRefused() {
        assertRefused(#""\ud83d""#)
        assertRefused(#""\ud83dx""#)
        assertRefused(#""\ud83d\u0041""#)
        assertRefused(#""\ud83d\ud83d""#)
        assertRefused(#""\ud83d\n""#)
        assertRefused(#""\ude00""#)
        assertRefused(#""\ude00\ud83d""#)
        assertRefused(#""\udfff""#)
    }

    func testInvalidEscapesAreRefused() {
        for text in [
            #""\x""#, #""\U0041""#, #""\u12""#, #""\u12G4""#, #""\'""#, #""\a""#, #""\"#, #""\u""#, "\"\\\u{0}\"",
        ] {
            assertRefused(text)
        }
    }

    func testRawControlCharactersInStringsAreRefused() {
        for byte in 0..<0x20 {
            XCTAssertThrowsError(try JSONParser.parse([0x22, UInt8(byte), 0x22]), "byte \(byte)")
        }
        XCTAssertEqual(
            try JSONParser.parse([0x22, 0x7F, 0x22]), .string("\u{7F}"), "DEL is not a control character to JSON")
    }

    func testUnterminatedStringIsRefused() {
        assertRefused(#""abc"#)
        assertRefused(#""abc\""#)
        assertRefused(#"""#)
    }

    // MARK: - Numbers

    func testValidNumbersAreKeptAsWritten() throws {
        for literal in [
            "0", "-0", "1.5e10", "-1E-2", "123", "-123", "0.0", "1e5", "1E+5", "2.5E-10", "10", "9007199254740993",
        ] {
            XCTAssertEqual(try parse(literal), number(literal), literal)
            XCTAssertEqual(try parse("[\(literal)]"), .array([number(literal)]), literal)
        }
        XCTAssertEqual(try parse("1.5e10").doubleValue, 1.5e10)
        XCTAssertEqual(try parse("-1E-2").doubleValue, -0.01)
        XCTAssertEqual(try parse("9007199254740993").int64Value, 9_007_199_254_740_993, "exact beyond 2^53")
        XCTAssertEqual(try parse("-0").int64Value, 0)
        XCTAssertNil(try parse("1.0").int64Value)
        XCTAssertNil(try parse("9223372036854775808").int64Value)
    }

    func testInvalidNumbersAreRefused() {
        for text in [
            "01", "-01", "00", "1.", ".5", "+1", "1e", "1e+", "1E-", "-", "--1", "- 1", "1.e5", "0x10", "1_000", "NaN",
            "Infinity", "-Infinity", "1.5.5", "1e5.5",
        ] {
            assertRefused(text)
        }
    }

    // MARK: - Structure

    func testDocumentParsesIntoATree() throws {
        let value = try parse(
            #" { "a" : [ 1 , "x" , true , false , null , { "b" : { } , "c" : [ ] } ] , "d" : -2.5 } "#)
        XCTAssertEqual(
            value,
            .object([
                (
                    "a",
                    .array([
                        number("1"), .string("x"), .bool(true), .bool(false), .null,
                        .object([("b", .object([])), ("c", .array([]))]),
                    ])
                ),
                ("d", number("-2.5")),
            ]))
        XCTAssertEqual(value["d"]?.doubleValue, -2.5)
        XCTAssertNil(value["missing"])
    }

    func testAllWhitespaceKindsAreSkipped() throws {
        XCTAssertEqual(try parse(" \t\r\n[\n1\t,\r2 ]\n"), .array([number("1"), number("2")]))
    }

    func testLiteralsMustBeSpelledExactly() throws {
        XCTAssertEqual(try parse("true"), .bool(true))
        XCTAssertEqual(try parse("false"), .bool(false))
        XCTAssertEqual(try parse("null"), .null)
        for text in ["tru", "nul", "fals", "True", "NULL", "nil", "undefined", "truex", "nullnull", "[tru]", "t"] {
            assertRefused(text)
        }
    }

    func testTrailingDataIsRefused() {
        for text in ["1 2", "{} x", "[]]", "{}}", "\"a\" \"b\"", "true false", "null,", "[1]\u{0}"] {
            assertRefused(text)
        }
    }

    func testTrailingCommasAndMissingValuesAreRefused() {
        for text in [
            "[1,]", "{\"a\":1,}", "[,]", "[,1]", "[1,,2]", "{,}", "{\"a\":}", "{\"a\"}", "{\"a\" 1}", "{1:2}", "[1 2]",
            "{\"a\":1 \"b\":2}",
        ] {
            assertRefused(text)
        }
    }

    func testUnclosedContainersAreRefused() {
        for text in ["[", "{", "[1", "{\"a\":1", "[[]", "{\"a\":{}", ""] {
            assertRefused(text)
        }
        assertRefused("   ")
    }

    func testDuplicateKeysAreKeptAndTheSubscriptGivesTheLast() throws {
        let value = try parse(#"{"a":1,"b":true,"a":2}"#)
        XCTAssertEqual(value["a"], number("2"))
        guard case .object(let members) = value else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["a", "b", "a"])
    }

    func testEscapedKeysAreDecoded() throws {
        XCTAssertEqual(try parse(#"{"\u0061\n":1}"#)["a\n"], number("1"))
    }

    // MARK: - Limits

    func testNestingUpToTheLimitIsAcceptedAndBeyondRefused() throws {
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32)))
        assertRefused(String(repeating: "[", count: 33) + String(repeating: "]", count: 33))
        XCTAssertNoThrow(try parse(String(repeating: "{\"a\":", count: 32) + "1" + String(repeating: "}", count: 32)))
        assertRefused(String(repeating: "{\"a\":", count: 33) + "1" + String(repeating: "}", count: 33))
        XCTAssertNoThrow(try parse("[{\"a\":[1]}]", maxDepth: 3))
        assertRefused("[{\"a\":[[1]]}]", maxDepth: 3)
        assertRefused("[]", maxDepth: 0)
        XCTAssertNoThrow(try parse("1", maxDepth: 0))
    }

    func testDeepNestingIsRefusedWithoutExhaustingTheStack() {
        assertRefused(String(repeating: "[", count: 100_000))
    }

    func testDocumentOverMaxBytesIsRefused() {
        XCTAssertNoThrow(try parse("[1,2,3,4] ", maxBytes: 10))
        XCTAssertNoThrow(try parse("[1,2,3,4]", maxBytes: 10))
        assertRefused("[1,2,3,4]  ", maxBytes: 10)
        assertRefused(String(repeating: " ", count: 100) + "1", maxBytes: 100)
    }

    // MARK: - UTF-8

    func testInvalidUTF8IsRefused() {
        let invalid: [[UInt8]] = [
            [0x22, 0xFF, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22],
            [0x5B, 0x31, 0x5D, 0x80], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        ]
        for bytes in invalid {
            XCTAssertThrowsError(try JSONParser.parse(bytes), "\(bytes)")
        }
        XCTAssertEqual(try JSONParser.parse([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]), .string("😀"))
    }

    func testErrorsCarryAnOffset() {
        XCTAssertThrowsError(try parse("[1,,2]")) { error in
            XCTAssertEqual((error as? JSONError)?.offset, 3)
        }
    }
}
