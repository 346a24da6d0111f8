/// The claims PartyHub reads from a sign-in token.
public struct JWTClaims: Equatable, Sendable {
    /// The player id (`sub`): 1-64 characters of `[A-Za-z0-9_.:-]`.
    public let subject: String
    /// Expiry, Unix seconds.
    public let expiresAt: Int64
    /// Not valid before, Unix seconds, when given.
    public let notBefore: Int64?
    /// Display name, when given.
    public let name: String?
    /// `role`: `service` for another service of the game (the service endpoints take only
    /// those), anything else or none for a player.
    public let role: String?
    /// `scope`: `read` for a read-only session (a stream overlay that shows a player's party but
    /// may change nothing); none or anything else is a full session.
    public let scope: String?

    public init(
        subject: String, expiresAt: Int64, notBefore: Int64? = nil, name: String? = nil, role: String? = nil, scope: String? = nil
    ) {
        self.subject = subject
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.name = name
        self.role = role
        self.scope = scope
    }

    /// Whether the token signs in a service rather than a player.
    public var isService: Bool { role == "service" }

    /// Whether the token allows only reading (`"scope":"read"`).
    public var isReadOnly: Bool { scope == JWTClaims.readScope }

    /// The `scope` of a read-only token.
    public static let readScope = "read"
}

/// One HS256 secret and the `kid` that selects it (nil for a plain secret without a key id).
public struct JWTKey: Sendable, Equatable {
    /// The key id a token's header names (`kid`), or nil.
    public let id: String?
    /// The HMAC-SHA256 secret.
    public let secret: [UInt8]

    public init(id: String?, secret: [UInt8]) {
        precondition(!secret.isEmpty, "a JWT secret must not be empty")
        self.id = id
        self.secret = secret
    }
}

/// Why a token was refused. A struct around a private enum, so reasons can be added.
public struct JWTError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Reason: Equatable, Sendable {
        case malformed(String)
        case unsupportedAlgorithm
        case badSignature
        case expired
        case notYetValid
        case invalidSubject
        case unknownKey
        case wrongIssuer
        case wrongAudience
    }

    private let reason: Reason

    static func malformed(_ what: String) -> JWTError { JWTError(reason: .malformed(what)) }
    static let unsupportedAlgorithm = JWTError(reason: .unsupportedAlgorithm)
    static let badSignature = JWTError(reason: .badSignature)
    static let expired = JWTError(reason: .expired)
    static let notYetValid = JWTError(reason: .notYetValid)
    static let invalidSubject = JWTError(reason: .invalidSubject)
    static let unknownKey = JWTError(reason: .unknownKey)
    static let wrongIssuer = JWTError(reason: .wrongIssuer)
    static let wrongAudience = JWTError(reason: .wrongAudience)

    /// A short machine-friendly label (for metrics and logs).
    public var label: String {
        switch reason {
        case .malformed: return "malformed"
        case .unsupportedAlgorithm: return "algorithm"
        case .badSignature: return "signature"
        case .expired: return "expired"
        case .notYetValid: return "not_yet_valid"
        case .invalidSubject: return "subject"
        case .unknownKey: return "kid"
        case .wrongIssuer: return "issuer"
        case .wrongAudience: return "audience"
        }
    }

    public var description: String {
        switch reason {
        case .malformed(let what): return "malformed token: \(what)"
        case .unsupportedAlgorithm: return "token algorithm must be HS256"
        case .badSignature: return "token signature does not verify"
        case .expired: return "token expired"
        case .notYetValid: return "token not valid yet"
        case .invalidSubject: return "token sub must be 1-64 characters of [A-Za-z0-9_.:-]"
        case .unknownKey: return "token kid names no secret this server holds"
        case .wrongIssuer: return "token iss is not the expected issuer"
        case .wrongAudience: return "token aud does not name this server"
        }
    }
}

/// HS256 JSON Web Tokens (RFC 7519, RFC 7515): verification for sign-in and signing for the
/// `partyhub token` command and tests. Time is passed in; nothing here reads a clock.
///
/// Several secrets may be held at once, selected by the header's `kid`, so a game rotates its
/// secret with no downtime: the first key signs, every key verifies the tokens that name it.
public struct JWTCodec: Sendable {
    /// The secrets, the signing one first.
    public let keys: [JWTKey]
    /// Seconds of clock skew tolerated on `exp` and `nbf`.
    public let leewaySeconds: Int64
    /// When set, a token's `iss` must be exactly this.
    public let issuer: String?
    /// When set, a token's `aud` (a string, or an array of strings) must include this.
    public let audience: String?
    /// Tokens longer than this are refused before any decoding.
    public static let maxTokenLength = 4096

    /// A codec for HMAC-SHA256 over one plain `secret` (no `kid`).
    public init(secret: [UInt8], leewaySeconds: Int64 = 10, issuer: String? = nil, audience: String? = nil) {
        self.init(keys: [JWTKey(id: nil, secret: secret)], leewaySeconds: leewaySeconds, issuer: issuer, audience: audience)
    }

    /// A codec holding several secrets; `keys.first` signs.
    public init(keys: [JWTKey], leewaySeconds: Int64 = 10, issuer: String? = nil, audience: String? = nil) {
        precondition(!keys.isEmpty, "a JWT codec needs at least one secret")
        self.keys = keys
        self.leewaySeconds = leewaySeconds
        self.issuer = issuer
        self.audience = audience
    }

    /// The secret a token's header selects: the key its `kid` names, or the first key for a
    /// token without `kid` (tokens issued before key ids were introduced). nil: unknown `kid`.
    private func key(forKeyID keyID: String?) -> JWTKey? {
        guard let keyID else { return keys[0] }
        return keys.first { $0.id == keyID }
    }

    /// Checks the token's form, that its header says HS256, its signature (constant-time
    /// compare), `exp` (required) and `nbf` against `now`, and the `sub` pattern.
    public func verify(_ token: Substring, now: Int64) -> Result<JWTClaims, JWTError> {
        guard token.utf8.count <= Self.maxTokenLength else { return .failure(.malformed("too long")) }
        var token = token
        return token.withUTF8 { verify(bytes: $0, now: now) }
    }

    private func verify(bytes token: UnsafeBufferPointer<UInt8>, now: Int64) -> Result<JWTClaims, JWTError> {
        let parts = token.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.malformed("expected three parts")) }
        guard let headerBytes = Base64.decodeURL(bytes: parts[0]), let header = try? JSONParser.parse(headerBytes, maxDepth: 4)
        else { return .failure(.malformed("header")) }
        // RFC 8725 §3.1: never let the token choose the algorithm; "none" and the rest are refused.
        guard header["alg"]?.stringValue == "HS256" else { return .failure(.unsupportedAlgorithm) }
        let keyID: String?
        switch header["kid"] {
        case nil: keyID = nil
        case .string(let text)?: keyID = text
        default: return .failure(.malformed("kid must be a string"))
        }
        guard let key = key(forKeyID: keyID) else { return .failure(.unknownKey) }
        guard let signature = Base64.decodeURL(bytes: parts[2]) else { return .failure(.malformed("signature")) }
        let signingInput = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: token[..<parts[1].endIndex]))
        let expected = Digest.hmacSHA256(key: key.secret, message: signingInput)
        guard Digest.constantTimeEquals(expected, signature) else { return .failure(.badSignature) }
        guard let payloadBytes = Base64.decodeURL(bytes: parts[1]), let payload = try? JSONParser.parse(payloadBytes, maxDepth: 8),
            case .object = payload
        else { return .failure(.malformed("payload")) }
        guard let exp = numericDate(payload["exp"]) else { return .failure(.malformed("exp must be a number")) }
        // `exp` is whatever the issuer signed (Int64.max for "never"); adding to it could trap.
        if now - leewaySeconds >= exp { return .failure(.expired) }
        var nbf: Int64?
        if let value = payload["nbf"] {
            guard let parsed = numericDate(value) else { return .failure(.malformed("nbf must be a number")) }
            if now + leewaySeconds < parsed { return .failure(.notYetValid) }
            nbf = parsed
        }
        guard let subject = payload["sub"]?.stringValue, Self.isValidSubject(subject) else {
            return .failure(.invalidSubject)
        }
        if let issuer, payload["iss"]?.stringValue != issuer { return .failure(.wrongIssuer) }
        if let audience, !Self.audience(payload["aud"], includes: audience) { return .failure(.wrongAudience) }
        let name = payload["name"]?.stringValue
        let role = payload["role"]?.stringValue
        let scope = payload["scope"]?.stringValue
        return .success(JWTClaims(subject: subject, expiresAt: exp, notBefore: nbf, name: name, role: role, scope: scope))
    }

    // RFC 7519 §4.1.3: `aud` is one string or an array of strings.
    private static func audience(_ value: JSONValue?, includes expected: String) -> Bool {
        switch value {
        case .string(let text)?: return text == expected
        case .array(let elements)?: return elements.contains { $0.stringValue == expected }
        default: return false
        }
    }

    /// Signs claims with the first key (its `kid` in the header): `sub`, `exp`, and optionally
    /// `nbf`, `iat`, `name`, `role`, `scope`, `iss` and `aud`.
    public func sign(
        subject: String, expiresAt: Int64, issuedAt: Int64? = nil, notBefore: Int64? = nil, name: String? = nil, role: String? = nil,
        scope: String? = nil, issuer: String? = nil, audience: String? = nil
    ) -> String {
        let writer = ByteWriter(capacity: 256)
        writer.append("{\"sub\":")
        writer.appendJSONString(subject)
        writer.append(",\"exp\":")
        writer.append(decimal: expiresAt)
        if let issuedAt {
            writer.append(",\"iat\":")
            writer.append(decimal: issuedAt)
        }
        if let notBefore {
            writer.append(",\"nbf\":")
            writer.append(decimal: notBefore)
        }
        if let name {
            writer.append(",\"name\":")
            writer.appendJSONString(name)
        }
        if let role {
            writer.append(",\"role\":")
            writer.appendJSONString(role)
        }
        for (claim, value) in [("scope", scope), ("iss", issuer), ("aud", audience)] {
            guard let value else { continue }
            writer.append(utf8: ",\"\(claim)\":")
            writer.appendJSONString(value)
        }
        writer.append("}")
        let header = ByteWriter(capacity: 64)
        header.append("{\"alg\":\"HS256\",\"typ\":\"JWT\"")
        if let keyID = keys[0].id {
            header.append(",\"kid\":")
            header.appendJSONString(keyID)
        }
        header.append("}")
        return sign(rawHeader: header.array, rawPayload: writer.array)
    }

    /// Signs arbitrary header and payload bytes with the first key (tests build malformed tokens
    /// with this).
    public func sign(rawHeader: [UInt8], rawPayload: [UInt8]) -> String {
        let signingInput = Base64.encodeURL(rawHeader) + "." + Base64.encodeURL(rawPayload)
        let signature = Array(signingInput.utf8).withUnsafeBytes { Digest.hmacSHA256(key: keys[0].secret, message: $0) }
        return signingInput + "." + Base64.encodeURL(signature)
    }

    /// Whether `subject` is 1-64 characters of `[A-Za-z0-9_.:-]`.
    public static func isValidSubject(_ subject: String) -> Bool {
        let utf8 = subject.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"),
                UInt8(ascii: "-"):
                return true
            default: return false
            }
        }
    }

    // RFC 7519 §2: a NumericDate may have a fraction; whole seconds are enough here.
    private func numericDate(_ value: JSONValue?) -> Int64? {
        guard let value else { return nil }
        if let integer = value.int64Value { return integer }
        guard let double = value.doubleValue, double.isFinite, abs(double) < 1e15 else { return nil }
        return Int64(double.rounded(.down))
    }
}
