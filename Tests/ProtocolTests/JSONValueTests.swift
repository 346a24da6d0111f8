import Protocol
import XCTest

final class JSONValueTests: XCTestCase {
    func testAccessorsReturnValuesOnlyForTheirKind() {
        let string = JSONValue.string("x")
        let integer = JSONValue.number(JSONNumber(validatedLiteral: "-12"))
        let fraction = JSONValue.number(JSONNumber(validatedLiteral: "2.5"))
        XCTAssertEqual(string.stringValue, "x")
        XCTAssertNil(string.int64Value)
        XCTAssertNil(string.doubleValue)
        XCTAssertNil(integer.stringValue)
        XCTAssertEqual(integer.int64Value, -12)
        XCTAssertEqual(integer.doubleValue, -12)
        XCTAssertNil(fraction.int64Value)
        XCTAssertEqual(fraction.doubleValue, 2.5)
        XCTAssertNil(JSONValue.null["a"])
        XCTAssertNil(JSONValue.array([string])["a"])
    }

    func testSubscriptGivesTheLastMemberOfAName() {
        let object = JSONValue.object([("a", .bool(false)), ("b", .null), ("a", .bool(true))])
        XCTAssertEqual(object["a"], .bool(true))
        XCTAssertEqual(object["b"], .null)
        XCTAssertNil(object["c"])
    }

    func testEqualityComparesMembersInOrderAndNumbersAsWritten() {
        XCTAssertEqual(JSONValue.object([("a", .null), ("b", .null)]), .object([("a", .null), ("b", .null)]))
        XCTAssertNotEqual(JSONValue.object([("a", .null), ("b", .null)]), .object([("b", .null), ("a", .null)]))
        XCTAssertNotEqual(JSONValue.object([("a", .null)]), .object([("a", .null), ("a", .null)]))
        XCTAssertNotEqual(
            JSONValue.number(JSONNumber(validatedLiteral: "1")), .number(JSONNumber(validatedLiteral: "1.0")))
        XCTAssertNotEqual(JSONValue.array([]), .object([]))
        XCTAssertNotEqual(JSONValue.bool(false), .null)
        XCTAssertEqual(JSONNumber(validatedLiteral: "1e3").description, "1e3")
    }
}
