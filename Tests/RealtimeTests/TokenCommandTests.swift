import Foundation
import Protocol
import XCTest

@testable import Realtime

/// `partyhub token` with a secret file of key ids, read-only tokens, issuer and audience, and
/// the access flags' checks of `partyhub serve`, through the real binary.
final class TokenCommandTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "partyhub-token-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
        super.tearDown()
    }

    private func partyhub(_ arguments: [String]) throws -> ChildProcess.Result {
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary, "no partyhub binary (swift build builds it)")
        return try ChildProcess.run([binary.path] + arguments, timeout: 60, separateErrors: true)
    }

    private func part(_ index: Int, of token: String) -> String {
        String(decoding: Base64.decodeURL(bytes: Array(token.split(separator: ".")[index].utf8)) ?? [], as: UTF8.self)
    }

    func testTheTokenIsSignedWithTheFirstKeyAndNamesItsKid() throws {
        let file = directory + "/secrets"
        try "2027-01:the-new-secret\n2026-06:the-old-secret\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try partyhub([
            "token", "--sub", "overlay_of_alice", "--scope", "read", "--jwt-secret-file", file, "--jwt-issuer", "https://login.example.com",
            "--jwt-audience", "partyhub",
        ])
        XCTAssertTrue(result.exitedWith(0), result.errors)
        let token = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(part(0, of: token).contains(#""kid":"2027-01""#), part(0, of: token))
        let codec = JWTCodec(
            keys: [JWTKey(id: "2026-06", secret: Array("the-old-secret".utf8)), JWTKey(id: "2027-01", secret: Array("the-new-secret".utf8))],
            issuer: "https://login.example.com", audience: "partyhub")
        let claims = try codec.verify(token[...], now: Int64(Date().timeIntervalSince1970)).get()
        XCTAssertEqual(claims.subject, "overlay_of_alice")
        XCTAssertTrue(claims.isReadOnly)
    }

    func testBadAccessFlagsExitWith2() throws {
        for arguments in [
            ["token", "--sub", "a", "--jwt-secret", "s", "--scope", "write"],
            ["serve", "--data-dir", directory, "--jwt-secret", "s", "--allowed-origins", "game.example.com"],
            ["serve", "--data-dir", directory, "--jwt-secret", "s", "--allowed-origins", "https://game.example.com/"],
            ["serve", "--data-dir", directory, "--jwt-secret", "s", "--max-connections-per-ip", "-1"],
            ["serve", "--data-dir", directory, "--jwt-secret", "s", "--ip-handshake-burst", "0"],
        ] {
            let result = try partyhub(arguments)
            XCTAssertTrue(result.exitedWith(2), "\(arguments): \(result.description)\n\(result.errors)")
            XCTAssertFalse(result.errors.isEmpty, "\(arguments) says why")
        }
        let file = directory + "/broken"
        try "kid:one\nplain\n".write(toFile: file, atomically: true, encoding: .utf8)
        let broken = try partyhub(["token", "--sub", "a", "--jwt-secret-file", file])
        XCTAssertTrue(broken.exitedWith(2), broken.errors)
        XCTAssertTrue(broken.errors.contains("is not KID:SECRET"), broken.errors)
    }
}
