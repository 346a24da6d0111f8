import Protocol
import XCTest

/// Several secrets selected by `kid`, the optional `iss` and `aud` checks, the `scope` claim,
/// and one test for each algorithm a forged token most often claims.
final class JWTKeysAndClaimsTests: XCTestCase {
    private let now: Int64 = 1_700_000_000
    private let current = JWTKey(id: "2026-12", secret: Array("the-new-secret".utf8))
    private let previous = JWTKey(id: "2026-06", secret: Array("the-old-secret".utf8))

    private func failure(_ codec: JWTCodec, _ token: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        switch codec.verify(token[...], now: now) {
        case .success(let claims):
            XCTFail("accepted: \(claims)", file: file, line: line)
            return nil
        case .failure(let error): return error.label
        }
    }

    private func header(of token: String) -> String {
        String(decoding: Base64.decodeURL(bytes: Array(token.split(separator: ".")[0].utf8)) ?? [], as: UTF8.self)
    }

    // MARK: - Algorithms

    func testAlgNoneIsRefusedEvenWithAValidKid() {
        let codec = JWTCodec(keys: [current])
        let header = Base64.encodeURL(Array(#"{"alg":"none","kid":"2026-12"}"#.utf8))
        let payload = Base64.encodeURL(Array(#"{"sub":"admin","exp":9999999999}"#.utf8))
        XCTAssertEqual(failure(codec, "\(header).\(payload)."), "algorithm")
    }

    func testHS512IsRefusedThoughSignedWithTheSecret() {
        let codec = JWTCodec(keys: [current])
        let token = codec.sign(rawHeader: Array(#"{"alg":"HS512","typ":"JWT"}"#.utf8), rawPayload: Array(#"{"sub":"p","exp":9999999999}"#.utf8))
        XCTAssertEqual(failure(codec, token), "algorithm")
    }

    /// The key-confusion attack: a verifier that let the header choose would check an RS256
    /// token's HMAC with the "public key" it holds as a secret. Only HS256 is ever checked.
    func testRS256IsRefusedEvenWhenItsSignatureIsAnHMACOfTheSecret() {
        let codec = JWTCodec(keys: [current])
        let token = codec.sign(rawHeader: Array(#"{"alg":"RS256","typ":"JWT"}"#.utf8), rawPayload: Array(#"{"sub":"p","exp":9999999999}"#.utf8))
        XCTAssertEqual(failure(codec, token), "algorithm")
    }

    // MARK: - Key ids

    func testTheFirstKeySignsAndNamesItselfInTheHeader() throws {
        let codec = JWTCodec(keys: [current, previous])
        let token = codec.sign(subject: "alice", expiresAt: now + 60)
        XCTAssertEqual(header(of: token), #"{"alg":"HS256","typ":"JWT","kid":"2026-12"}"#)
        XCTAssertEqual(try codec.verify(token[...], now: now).get().subject, "alice")
    }

    func testATokenOfThePreviousKeyStillVerifiesDuringARotation() throws {
        let oldToken = JWTCodec(keys: [previous]).sign(subject: "bob", expiresAt: now + 60)
        let rotated = JWTCodec(keys: [current, previous])
        XCTAssertEqual(try rotated.verify(oldToken[...], now: now).get().subject, "bob")
        let afterRotation = JWTCodec(keys: [current])
        XCTAssertEqual(failure(afterRotation, oldToken), "kid", "the old key was dropped")
    }

    func testAnUnknownKidIsRefusedAndNotTriedAgainstTheOtherKeys() {
        let codec = JWTCodec(keys: [current, previous])
        // Signed with a held secret but naming a kid the server does not have.
        let token = JWTCodec(keys: [JWTKey(id: "stolen", secret: current.secret)]).sign(subject: "p", expiresAt: now + 60)
        XCTAssertEqual(failure(codec, token), "kid")
    }

    func testAKidNamingAnotherKeyFailsTheSignature() {
        let codec = JWTCodec(keys: [current, previous])
        let forged = JWTCodec(keys: [JWTKey(id: "2026-06", secret: current.secret)]).sign(subject: "p", expiresAt: now + 60)
        XCTAssertEqual(failure(codec, forged), "signature")
    }

    func testAKidThatIsNotAStringIsMalformed() {
        let codec = JWTCodec(keys: [current])
        let token = codec.sign(rawHeader: Array(#"{"alg":"HS256","kid":7}"#.utf8), rawPayload: Array(#"{"sub":"p","exp":9999999999}"#.utf8))
        XCTAssertEqual(failure(codec, token), "malformed")
    }

    func testATokenWithoutKidIsCheckedWithTheFirstKey() throws {
        let plain = JWTCodec(secret: current.secret).sign(subject: "carol", expiresAt: now + 60)
        XCTAssertEqual(try JWTCodec(keys: [current, previous]).verify(plain[...], now: now).get().subject, "carol")
        XCTAssertEqual(failure(JWTCodec(keys: [previous, current]), plain), "signature")
    }

    // MARK: - Issuer and audience

    func testIssuerMustMatchWhenRequired() throws {
        let codec = JWTCodec(keys: [current], issuer: "https://login.example.com")
        let good = codec.sign(subject: "p", expiresAt: now + 60, issuer: "https://login.example.com")
        XCTAssertEqual(try codec.verify(good[...], now: now).get().subject, "p")
        XCTAssertEqual(failure(codec, codec.sign(subject: "p", expiresAt: now + 60, issuer: "https://evil.example.com")), "issuer")
        XCTAssertEqual(failure(codec, codec.sign(subject: "p", expiresAt: now + 60)), "issuer")
        // Not required: any issuer, or none, passes.
        XCTAssertNoThrow(try JWTCodec(keys: [current]).verify(good[...], now: now).get())
    }

    func testAudienceMayBeAStringOrAnArrayThatNamesTheServer() throws {
        let codec = JWTCodec(keys: [current], audience: "partyhub")
        XCTAssertNoThrow(try codec.verify(codec.sign(subject: "p", expiresAt: now + 60, audience: "partyhub")[...], now: now).get())
        let array = codec.sign(
            rawHeader: Array(#"{"alg":"HS256","kid":"2026-12"}"#.utf8), rawPayload: Array(#"{"sub":"p","exp":9999999999,"aud":["chat","partyhub"]}"#.utf8))
        XCTAssertNoThrow(try codec.verify(array[...], now: now).get())
        XCTAssertEqual(failure(codec, codec.sign(subject: "p", expiresAt: now + 60, audience: "chat")), "audience")
        XCTAssertEqual(failure(codec, codec.sign(subject: "p", expiresAt: now + 60)), "audience")
        let numeric = codec.sign(rawHeader: Array(#"{"alg":"HS256"}"#.utf8), rawPayload: Array(#"{"sub":"p","exp":9999999999,"aud":7}"#.utf8))
        XCTAssertEqual(failure(codec, numeric), "audience")
    }

    // MARK: - Scope

    func testReadScopeMakesAReadOnlyToken() throws {
        let codec = JWTCodec(keys: [current])
        let readOnly = try codec.verify(codec.sign(subject: "p", expiresAt: now + 60, scope: "read")[...], now: now).get()
        XCTAssertTrue(readOnly.isReadOnly)
        let full = try codec.verify(codec.sign(subject: "p", expiresAt: now + 60)[...], now: now).get()
        XCTAssertFalse(full.isReadOnly)
        let other = try codec.verify(codec.sign(subject: "p", expiresAt: now + 60, scope: "write")[...], now: now).get()
        XCTAssertFalse(other.isReadOnly)
    }
}
