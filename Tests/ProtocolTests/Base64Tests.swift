import Protocol
import TestSupport
import XCTest

final class Base64Tests: XCTestCase {
    // RFC 4648 §10.
    private let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    func testRFC4648VectorsEncodeAndDecode() {
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8))
            let unpadded = String(encoded.filter { $0 != "=" })
            XCTAssertEqual(Base64.encodeURL(Array(plain.utf8)), unpadded)
            XCTAssertEqual(Base64.decodeURL(unpadded), Array(plain.utf8))
        }
    }

    func testAlphabetsDifferOnlyInTheLastTwoCharacters() {
        let bytes: [UInt8] = [0xFB, 0xEF, 0xFF]
        XCTAssertEqual(Base64.encode(bytes), "++//")
        XCTAssertEqual(Base64.encodeURL(bytes), "--__")
        XCTAssertEqual(Base64.decode("++//"), bytes)
        XCTAssertEqual(Base64.decodeURL("--__"), bytes)
        XCTAssertNil(Base64.decode("--__"), "URL characters in standard base64")
        XCTAssertNil(Base64.decodeURL("++//"), "standard characters in base64url")
    }

    func testRandomBytesRoundTripInBothAlphabets() {
        var generator = SplitMix64(seed: 64)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in generator.nextByte() }
            let standard = Base64.encode(bytes)
            let url = Base64.encodeURL(bytes)
            XCTAssertEqual(standard.utf8.count, (length + 2) / 3 * 4)
            XCTAssertEqual(url.utf8.count, (length * 4 + 2) / 3)
            XCTAssertEqual(Base64.decode(standard), bytes, "\(length) bytes")
            XCTAssertEqual(Base64.decodeURL(url), bytes, "\(length) bytes")
        }
    }

    func testEveryByteValueRoundTrips() {
        let bytes = (0...255).map { UInt8($0) }
        XCTAssertEqual(Base64.decode(Base64.encode(bytes)), bytes)
        XCTAssertEqual(Base64.decodeURL(Base64.encodeURL(bytes)), bytes)
    }

    func testStandardDecodingRequiresExactPadding() {
        for text in ["Zg", "Zg=", "Zm8", "Zg===", "Zm9vYg", "Zm9vYg=", "Z", "Z===", "===="] {
            XCTAssertNil(Base64.decode(text), text)
        }
    }

    func testPaddingOnlyAtTheEnd() {
        for text in ["Zg==Zg==", "Z=g=", "=Zm8", "Zm=8"] {
            XCTAssertNil(Base64.decode(text), text)
        }
    }

    func testCharactersOutsideTheAlphabetAreRefused() {
        for text in ["Zm9v\n", "Zm 9", "Zm9*", "Zm9\u{0}", "Zm9é", "ÿÿÿÿ"] {
            XCTAssertNil(Base64.decode(text), text.debugDescription)
            XCTAssertNil(Base64.decodeURL(text), text.debugDescription)
        }
    }

    func testBase64URLRefusesPaddingAndImpossibleLengths() {
        XCTAssertNil(Base64.decodeURL("Zg=="))
        XCTAssertNil(Base64.decodeURL("Zm8="))
        XCTAssertNil(Base64.decodeURL("Z"), "one character holds no whole byte")
        XCTAssertNil(Base64.decodeURL("Zm9vY"), "4n+1 characters hold no whole byte")
        XCTAssertEqual(Base64.decodeURL(""), [])
    }

    func testNonCanonicalTrailingBitsAreRefused() {
        // "Zg" is the only encoding of "f": 'g' leaves four zero bits. 'h' sets one of them.
        XCTAssertNil(Base64.decode("Zh=="))
        XCTAssertNil(Base64.decode("Zv=="))
        XCTAssertNil(Base64.decodeURL("Zh"))
        // "Zm8" is the only encoding of "fo": '8' leaves two zero bits.
        XCTAssertNil(Base64.decode("Zm9="))
        XCTAssertNil(Base64.decodeURL("Zm9"))
        XCTAssertNil(Base64.decodeURL("Zm_"))
        // Every other character in the last place changes a bit that carries no byte.
        let canonicalFor1 = Set("AQgw".map { $0 })
        for character in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
            let decoded = Base64.decodeURL("Z\(character)")
            XCTAssertEqual(decoded != nil, canonicalFor1.contains(character), "Z\(character)")
        }
    }
}
