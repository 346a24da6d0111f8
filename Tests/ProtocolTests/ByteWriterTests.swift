import Protocol
import TestSupport
import XCTest

final class ByteWriterTests: XCTestCase {
    private func written(_ body: (ByteWriter) -> Void) -> String {
        let writer = ByteWriter(capacity: 1)
        body(writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    func testDecimalsIncludingTheInt64Limits() {
        for value: Int64 in [0, 1, -1, 9, 10, -10, 1_234_567_890, .max, .min, .max - 1, .min + 1] {
            XCTAssertEqual(written { $0.append(decimal: value) }, String(value))
        }
    }

    func testWriterGrowsPastItsCapacityKeepingTheBytes() {
        let writer = ByteWriter(capacity: 8)
        var expected: [UInt8] = []
        for index in 0..<10_000 {
            let byte = UInt8(truncatingIfNeeded: index)
            writer.append(byte)
            expected.append(byte)
        }
        writer.append(Array(repeating: 7, count: 100_000))
        expected += Array(repeating: 7, count: 100_000)
        XCTAssertEqual(writer.count, expected.count)
        XCTAssertEqual(writer.array, expected)
    }

    func testResetForgetsTheBytesAndReservesZeros() {
        let writer = ByteWriter()
        writer.append(Array("abc".utf8))
        writer.reset(reserving: 4)
        XCTAssertEqual(writer.array, [0, 0, 0, 0])
        writer.append("xy")
        XCTAssertEqual(writer.array, [0, 0, 0, 0, 0x78, 0x79])
        writer.reset()
        XCTAssertEqual(writer.count, 0)
        XCTAssertEqual(writer.array, [])
    }

    func testStaticStringLiteralsOfOneCharacterAreAppended() {
        XCTAssertEqual(
            written {
                $0.append("}")
                $0.append("{\"k\":")
                $0.append("")
            }, "}{\"k\":")
    }

    func testEveryControlCharacterIsEscaped() {
        let short: [UInt8: String] = [0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#]
        for byte in UInt8(0)..<0x20 {
            let expected = short[byte] ?? "\\u00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            XCTAssertEqual(
                written { $0.appendJSONString(String(UnicodeScalar(byte))) }, "\"\(expected)\"", "byte \(byte)")
        }
        XCTAssertEqual(written { $0.appendJSONString("\u{1}") }, #""\u0001""#)
        XCTAssertEqual(written { $0.appendJSONString("\u{1F}") }, #""\u001f""#)
    }

    func testQuotesAndBackslashesAreEscapedAndEverythingElsePassesThrough() {
        XCTAssertEqual(written { $0.appendJSONString(#"say "hi" \ bye"#) }, #""say \"hi\" \\ bye""#)
        XCTAssertEqual(written { $0.appendJSONString("/ é 😀 \u{7F} \u{2028}") }, "\"/ é 😀 \u{7F} \u{2028}\"")
        XCTAssertEqual(written { $0.appendJSONString("") }, #""""#)
        XCTAssertEqual(written { $0.appendJSONString("\"\"\\") }, #""\"\"\\""#)
    }

    func testLongStringsWithEscapesRoundTripThroughTheParser() throws {
        var generator = SplitMix64(seed: 99)
        let alphabet = Array("ab\"\\\n\t\u{0}\u{1}é😀 ".unicodeScalars)
        for length in [0, 1, 100, 5000] {
            var text = ""
            for _ in 0..<length { text.unicodeScalars.append(alphabet[generator.next(below: alphabet.count)]) }
            let writer = ByteWriter(capacity: 16)
            writer.appendJSONString(text)
            XCTAssertEqual(try JSONParser.parse(writer.array), .string(text), "\(length) characters")
        }
    }
}
