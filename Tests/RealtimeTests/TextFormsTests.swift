import Foundation
import XCTest

@testable import Realtime

/// The text forms the logger and `partyhub data` share: UTC times with milliseconds, and
/// quoted text that is JSON and never a terminal control sequence.
final class TextFormsTests: XCTestCase {
    func testTimesAreUTCWithMilliseconds() {
        XCTAssertEqual(UTCTime.iso8601(milliseconds: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(UTCTime.iso8601(milliseconds: 1_764_601_234_567), "2025-12-01T15:00:34.567Z")
        XCTAssertEqual(UTCTime.iso8601(milliseconds: -1), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(UTCTime.iso8601(milliseconds: 951_782_400_000), "2000-02-29T00:00:00.000Z")
    }

    func testQuotedTextEscapesEveryControlCharacter() {
        XCTAssertEqual(QuotedText.json("plain é ✓ 🎉"), "\"plain é ✓ 🎉\"")
        XCTAssertEqual(QuotedText.json("a\"b\\c\nd\re\tf"), #""a\"b\\c\nd\re\tf""#)
        XCTAssertEqual(QuotedText.json("\u{0}\u{1B}\u{7F}\u{85}\u{9B}"), #""\u0000\u001b\u007f\u0085\u009b""#)
        XCTAssertEqual(
            QuotedText.json("\u{2028}\u{2029}\u{200E}\u{202E}\u{2066}\u{61C}"),
            #""\u2028\u2029\u200e\u202e\u2066\u061c""#)
    }

    func testQuotedTextIsTheJSONStringOfTheText() throws {
        var text = ""
        for value in 0..<0x3000 where !(0xD800..<0xE000).contains(value) {
            text.unicodeScalars.append(Unicode.Scalar(UInt32(value))!)
        }
        let quoted = QuotedText.json(text)
        XCTAssertFalse(quoted.unicodeScalars.contains { $0.properties.generalCategory == .control })
        let decoded = try JSONSerialization.jsonObject(with: Data(quoted.utf8), options: .fragmentsAllowed)
        XCTAssertEqual(decoded as? String, text)
    }
}
