import Protocol
import XCTest

final class JWTCodecTests: XCTestCase {
    private let codec = JWTCodec(secret: Array("partyhub-test-secret".utf8), leewaySeconds: 10)
    private let now: Int64 = 1_700_000_000

    private func label(_ token: String, now: Int64? = nil, file: StaticString = #filePath, line: UInt = #line)
        -> String?
    {
        switch codec.verify(token[...], now: now ?? self.now) {
        case .success(let claims):
            XCTFail("accepted: \(claims)", file: file, line: line)
            return nil
        case .failure(let error):
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
            return error.label
        }
    }

    private func signed(header: String = #"{"alg":"HS256","typ":"JWT"}"#, payload: String, codec: JWTCodec? = nil)
        -> String
    {
        (codec ?? self.codec).sign(rawHeader: Array(header.utf8), rawPayload: Array(payload.utf8))
    }

    // MARK: - Valid tokens

    func testSignedTokenVerifiesWithItsClaims() throws {
        let token = codec.sign(
            subject: "player_1.eu:42-x", expiresAt: now + 3600, issuedAt: now, notBefore: now - 5, name: "Ann \"A\" ✓")
        let claims = try codec.verify(token[...], now: now).get()
        XCTAssertEqual(claims.subject, "player_1.eu:42-x")
        XCTAssertEqual(claims.expiresAt, now + 3600)
        XCTAssertEqual(claims.notBefore, now - 5)
        XCTAssertEqual(claims.name, "Ann \"A\" ✓")
    }

    func testTokenIsThreeBase64URLPartsWithoutPadding() {
        let token = codec.sign(subject: "p", expiresAt: now + 60)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(
            Base64.decodeURL(parts[0]).map { String(decoding: $0, as: UTF8.self) }, #"{"alg":"HS256","typ":"JWT"}"#)
        XCTAssertEqual(Base64.decodeURL(parts[2])?.count, 32)
        XCTAssertFalse(token.contains("="))
    }

    func testOptionalClaimsMayBeAbsent() throws {
        let claims = try codec.verify(codec.sign(subject: "p", expiresAt: now + 60)[...], now: now).get()
        XCTAssertNil(claims.notBefore)
        XCTAssertNil(claims.name)
    }

    func testKnownTokenFromAnotherImplementationVerifies() throws {
        // HS256 over {"alg":"HS256","typ":"JWT"}.{"sub":"1234567890","exp":1900000000} with the
        // key "your-256-bit-secret", as Python's hmac and base64 modules produce it.
        let token = signed(
            payload: #"{"sub":"1234567890","exp":1900000000}"#,
            codec: JWTCodec(secret: Array("your-256-bit-secret".utf8)))
        XCTAssertEqual(
            token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZXhwIjoxOTAwMDAwMDAwfQ."
                + "oky49WmG_a9tQHNETt29IRW144P7oKdyX23EdMsQBzU")
        let claims = try JWTCodec(secret: Array("your-256-bit-secret".utf8)).verify(token[...], now: now).get()
        XCTAssertEqual(claims.subject, "1234567890")
    }

    // MARK: - Time

    func testTokenPastItsExpiryBeyondTheLeewayIsExpired() {
        XCTAssertEqual(label(codec.sign(subject: "p", expiresAt: now - 11)), "expired")
        XCTAssertEqual(
            label(codec.sign(subject: "p", expiresAt: now - 10)), "expired", "exp + leeway is already too late")
        XCTAssertEqual(label(codec.sign(subject: "p", expiresAt: 0)), "expired")
    }

    func testTokenPastItsExpiryWithinTheLeewayIsAccepted() {
        for exp in [now - 9, now - 1, now, now + 1] {
            XCTAssertNoThrow(
                try codec.verify(codec.sign(subject: "p", expiresAt: exp)[...], now: now).get(), "exp \(exp)")
        }
    }

    func testExpiryFarInTheFutureIsAccepted() {
        // An issuer may sign a token that never expires in practice; the check must not overflow.
        for exp in [Int64.max, Int64.max - 5, Int64.max - 10] {
            XCTAssertEqual(
                try codec.verify(codec.sign(subject: "p", expiresAt: exp)[...], now: now).get().expiresAt, exp,
                "exp \(exp)")
        }
    }

    func testFractionalExpiryIsReadAsWholeSeconds() throws {
        let token = signed(payload: #"{"sub":"p","exp":1700000100.75}"#)
        XCTAssertEqual(try codec.verify(token[...], now: now).get().expiresAt, 1_700_000_100)
        XCTAssertEqual(
            try codec.verify(signed(payload: #"{"sub":"p","exp":1.7000001e9}"#)[...], now: now).get().expiresAt,
            1_700_000_100)
    }

    func testNotBeforeInTheFutureBeyondTheLeewayIsRefused() {
        XCTAssertEqual(label(codec.sign(subject: "p", expiresAt: now + 3600, notBefore: now + 11)), "not_yet_valid")
        XCTAssertEqual(label(codec.sign(subject: "p", expiresAt: now + 3600, notBefore: now + 1000)), "not_yet_valid")
    }

    func testNotBeforeWithinTheLeewayIsAccepted() {
        for nbf in [now + 10, now + 1, now, now - 1000] {
            let token = codec.sign(subject: "p", expiresAt: now + 3600, notBefore: nbf)
            XCTAssertEqual(try codec.verify(token[...], now: now).get().notBefore, nbf, "nbf \(nbf)")
        }
    }

    func testZeroLeewayIsExact() {
        let strict = JWTCodec(secret: Array("k".utf8), leewaySeconds: 0)
        XCTAssertNoThrow(try strict.verify(strict.sign(subject: "p", expiresAt: now + 1)[...], now: now).get())
        XCTAssertThrowsError(try strict.verify(strict.sign(subject: "p", expiresAt: now)[...], now: now).get())
        XCTAssertThrowsError(
            try strict.verify(strict.sign(subject: "p", expiresAt: now + 9, notBefore: now + 1)[...], now: now).get())
    }

    // MARK: - Signature and algorithm

    func testTamperedPayloadFailsTheSignature() {
        let token = codec.sign(subject: "alice", expiresAt: now + 3600)
        let parts = token.split(separator: ".")
        let forged = Base64.encodeURL(Array(#"{"sub":"admin","exp":9999999999}"#.utf8))
        XCTAssertEqual(label("\(parts[0]).\(forged).\(parts[2])"), "signature")
        // One flipped bit in the signature.
        var signature = Base64.decodeURL(parts[2])!
        signature[31] ^= 1
        XCTAssertEqual(label("\(parts[0]).\(parts[1]).\(Base64.encodeURL(signature))"), "signature")
    }

    func testTokenSignedWithAnotherSecretFailsTheSignature() {
        let other = JWTCodec(secret: Array("another-secret".utf8))
        XCTAssertEqual(label(other.sign(subject: "p", expiresAt: now + 60)), "signature")
    }

    func testTruncatedSignatureFailsTheSignature() {
        let token = codec.sign(subject: "p", expiresAt: now + 60)
        XCTAssertEqual(label(String(token.dropLast(3))), "signature")
        XCTAssertEqual(label(token.split(separator: ".")[0...1].joined(separator: ".") + "."), "signature")
    }

    func testUnsignedTokenWithAlgNoneIsRefused() {
        let header = Base64.encodeURL(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let payload = Base64.encodeURL(Array(#"{"sub":"admin","exp":9999999999}"#.utf8))
        XCTAssertEqual(label("\(header).\(payload)."), "algorithm")
        let noneVariants = [
            #"{"alg":"None"}"#, #"{"alg":"NONE"}"#, #"{"alg":""}"#, #"{"typ":"JWT"}"#, #"{"alg":null}"#,
        ]
        for variant in noneVariants {
            XCTAssertEqual(label("\(Base64.encodeURL(Array(variant.utf8))).\(payload)."), "algorithm", variant)
        }
    }

    func testOtherAlgorithmsAreRefusedEvenWhenSignedWithTheSecret() {
        let payload = #"{"sub":"p","exp":9999999999}"#
        for alg in ["HS512", "HS384", "RS256", "ES256", "hs256", "HS256 "] {
            XCTAssertEqual(label(signed(header: #"{"alg":"\#(alg)","typ":"JWT"}"#, payload: payload)), "algorithm", alg)
        }
    }

    // MARK: - Subject

    func testMissingSubjectIsRefused() {
        XCTAssertEqual(label(signed(payload: #"{"exp":9999999999}"#)), "subject")
        XCTAssertEqual(label(signed(payload: #"{"sub":42,"exp":9999999999}"#)), "subject")
        XCTAssertEqual(label(signed(payload: #"{"sub":"","exp":9999999999}"#)), "subject")
    }

    func testSubjectWithCharactersOutsideThePatternIsRefused() {
        for subject in ["a b", "a/b", "é", "a\"b", "a\nb", "a@b", "a+b", "../etc"] {
            XCTAssertEqual(
                label(codec.sign(subject: subject, expiresAt: now + 60)), "subject", subject.debugDescription)
        }
    }

    func testSubjectOf64CharactersIsAcceptedAnd65Refused() {
        let sixtyFour = String(repeating: "a", count: 64)
        XCTAssertEqual(
            try codec.verify(codec.sign(subject: sixtyFour, expiresAt: now + 60)[...], now: now).get().subject,
            sixtyFour)
        XCTAssertEqual(label(codec.sign(subject: sixtyFour + "b", expiresAt: now + 60)), "subject")
        XCTAssertTrue(JWTCodec.isValidSubject("A-z_0.9:"))
        XCTAssertFalse(JWTCodec.isValidSubject(""))
    }

    // MARK: - Malformed tokens

    func testTokenWithoutThreePartsIsMalformed() {
        let token = codec.sign(subject: "p", expiresAt: now + 60)
        let parts = token.split(separator: ".")
        XCTAssertEqual(label("\(parts[0]).\(parts[1])"), "malformed")
        XCTAssertEqual(label(token + ".extra"), "malformed")
        XCTAssertEqual(label(""), "malformed")
        XCTAssertEqual(label("abc"), "malformed")
        XCTAssertEqual(label(".."), "malformed")
    }

    func testPartsThatAreNotBase64URLAreMalformed() {
        let token = codec.sign(subject: "p", expiresAt: now + 60)
        let parts = token.split(separator: ".").map(String.init)
        XCTAssertEqual(label("!!!.\(parts[1]).\(parts[2])"), "malformed", "header")
        XCTAssertEqual(label("\(parts[0])=.\(parts[1]).\(parts[2])"), "malformed", "padding is not base64url")
        XCTAssertEqual(label("\(parts[0]).\(parts[1]).\(parts[2])+"), "malformed", "signature")
        XCTAssertEqual(label(signedWithRawPayloadPart("a*b")), "malformed", "payload")
    }

    /// A token whose payload part is `part` as written, correctly signed over it.
    private func signedWithRawPayloadPart(_ part: String) -> String {
        let header = Base64.encodeURL(Array(#"{"alg":"HS256"}"#.utf8))
        let input = header + "." + part
        let signature = Array(input.utf8).withUnsafeBytes {
            Digest.hmacSHA256(key: Array("partyhub-test-secret".utf8), message: $0)
        }
        return input + "." + Base64.encodeURL(signature)
    }

    func testHeaderOrPayloadThatIsNotAJSONObjectIsMalformed() {
        XCTAssertEqual(label(signed(header: "not json", payload: #"{"sub":"p","exp":9999999999}"#)), "malformed")
        XCTAssertEqual(label(signed(payload: "not json")), "malformed")
        XCTAssertEqual(label(signed(payload: #"["sub","exp"]"#)), "malformed")
        XCTAssertEqual(label(signed(payload: #"{"sub":"p","exp":9999999999} x"#)), "malformed")
    }

    func testPayloadThatIsNotUTF8IsMalformed() {
        let header = Array(#"{"alg":"HS256"}"#.utf8)
        let payload = Array(#"{"sub":"p","exp":9999999999,"x":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        XCTAssertEqual(label(codec.sign(rawHeader: header, rawPayload: payload)), "malformed")
    }

    func testExpiryThatIsMissingOrNotANumberIsMalformed() {
        XCTAssertEqual(label(signed(payload: #"{"sub":"p"}"#)), "malformed")
        XCTAssertEqual(label(signed(payload: #"{"sub":"p","exp":"9999999999"}"#)), "malformed")
        XCTAssertEqual(label(signed(payload: #"{"sub":"p","exp":null}"#)), "malformed")
        XCTAssertEqual(label(signed(payload: #"{"sub":"p","exp":1e300}"#)), "malformed")
        XCTAssertEqual(label(signed(payload: #"{"sub":"p","exp":9999999999,"nbf":"0"}"#)), "malformed")
    }

    func testOverlongTokenIsMalformedBeforeDecoding() {
        let long = codec.sign(subject: "p", expiresAt: now + 60, name: String(repeating: "n", count: 4000))
        XCTAssertGreaterThan(long.utf8.count, JWTCodec.maxTokenLength)
        XCTAssertEqual(label(long), "malformed")
    }
}
