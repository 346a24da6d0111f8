import Foundation
import Protocol
import XCTest

@testable import Realtime

/// The secret file's two forms: one plain secret, or one `KID:SECRET` per line.
final class JWTSecretFileTests: XCTestCase {
    private func keys(_ text: String) throws -> [JWTKey] {
        try JWTSecretStore.parse(Array(text.utf8), path: "secret")
    }

    func testASingleLineWithoutAColonIsAPlainSecret() throws {
        XCTAssertEqual(try keys("0123abcd\n"), [JWTKey(id: nil, secret: Array("0123abcd".utf8))])
        XCTAssertEqual(try keys("0123abcd\r\n"), [JWTKey(id: nil, secret: Array("0123abcd".utf8))])
    }

    func testKeyIdLinesInOrderTheFirstSigning() throws {
        let parsed = try keys("2026-12:new-secret\r\n\n2026-06:old:secret:with:colons\n")
        XCTAssertEqual(parsed, [
            JWTKey(id: "2026-12", secret: Array("new-secret".utf8)),
            JWTKey(id: "2026-06", secret: Array("old:secret:with:colons".utf8)),
        ])
        XCTAssertEqual(try keys("only:one"), [JWTKey(id: "only", secret: Array("one".utf8))])
    }

    func testMalformedFilesAreRefused() {
        for text in ["", "\n\n", "a:b\nplain", ":secret", "kid:", "a:1\na:2"] {
            XCTAssertThrowsError(try keys(text), text.debugDescription)
        }
    }

    func testTheGeneratedSecretIsOnePlainKey() throws {
        let directory = NSTemporaryDirectory() + "partyhub-secret-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let generated = try JWTSecretStore.resolve(explicit: nil, file: nil, dataDirectory: directory)
        XCTAssertTrue(generated.generated)
        XCTAssertEqual(generated.keys.count, 1)
        XCTAssertNil(generated.keys[0].id)
        let again = try JWTSecretStore.resolve(explicit: nil, file: nil, dataDirectory: directory)
        XCTAssertEqual(again.keys, generated.keys)
    }
}
