import Protocol
import XCTest

final class DigestTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    func testSHA1OfKnownInputs() {
        // FIPS 180 examples.
        XCTAssertEqual(hex(Digest.sha1(Array("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hex(Digest.sha1([])), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    func testHMACSHA256OfRFC4231TestCase2() {
        let mac = Array("what do ya want for nothing?".utf8).withUnsafeBytes {
            Digest.hmacSHA256(key: Array("Jefe".utf8), message: $0)
        }
        XCTAssertEqual(hex(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testConstantTimeEqualsComparesLengthAndContent() {
        XCTAssertTrue(Digest.constantTimeEquals([], []))
        XCTAssertTrue(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(Digest.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(Digest.constantTimeEquals([1, 2, 3], [1, 2]))
        XCTAssertFalse(Digest.constantTimeEquals([], [0]))
    }
}
