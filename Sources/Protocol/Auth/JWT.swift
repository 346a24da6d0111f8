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

    public init(subject: String, expiresAt: Int64, notBefore: Int64? = nil, name: String? = nil, role: String? = nil) {
        self.subject = subject
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.name = name
        self.role = role
    }

    /// Whether the token signs in a service rather than a player.
    public var isService: Bool { role == "service" }
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
    }

    private let reason: Reason

    static func malformed(_ what: String) -> JWTError { JWTError(reason: .malformed(what)) }
    static let unsupportedAlgorithm = JWTError(reason: .unsupportedAlgorithm)
    static let badSignature = JWTError(reason: .badSignature)
    static let expired = JWTError(reason: .expired)
    static let notYetValid = JWTError(reason: .notYetValid)
    static let invalidSubject = JWTError(reason: .invalidSubject)

    /// A short machine-friendly label (for metrics and logs).
    public var label: String {
        switch reason {
        case .malformed: return "malformed"
        case .unsupportedAlgorithm: return "algorithm"
        case .badSignature: return "signature"
        case .expired: return "expired"
        case .notYetValid: return "not_yet_valid"
        case .invalidSubject: return "subject"
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
        }
    }
}

/// HS256 JSON Web Tokens (RFC 7519, RFC 7515): verification for sign-in and signing for the
/// `partyhub token` command and tests. Time is passed in; nothing here reads a clock.
public struct JWTCodec: Sendable {
    private let secret: [UInt8]
    /// Seconds of clock skew tolerated on `exp` and `nbf`.
    public let leewaySeconds: Int64
    /// Tokens longer than this are refused before any decoding.
    public static let maxTokenLength = 4096

    /// A codec for HMAC-SHA256 over `secret`.
    public init(secret: [UInt8], leewaySeconds: Int64 = 10) {
        precondition(!secret.isEmpty, "a JWT secret must not be empty")
        self.secret = secret
        self.leewaySeconds = leewaySeconds
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
        guard let signature = Base64.decodeURL(bytes: parts[2]) else { return .failure(.malformed("signature")) }
        let signingInput = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: token[..<parts[1].endIndex]))
        let expected = Digest.hmacSHA256(key: secret, message: signingInput)
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
        let name = payload["name"]?.stringValue
        let role = payload["role"]?.stringValue
        return .success(JWTClaims(subject: subject, expiresAt: exp, notBefore: nbf, name: name, role: role))
    }

    /// Signs claims: `sub`, `exp`, and optionally `nbf`, `iat`, `name` and `role`.
    public func sign(
        subject: String, expiresAt: Int64, issuedAt: Int64? = nil, notBefore: Int64? = nil, name: String? = nil, role: String? = nil
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
        writer.append("}")
        return sign(rawHeader: Array("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".utf8), rawPayload: writer.array)
    }

    /// Signs arbitrary header and payload bytes (tests build malformed tokens with this).
    public func sign(rawHeader: [UInt8], rawPayload: [UInt8]) -> String {
        let signingInput = Base64.encodeURL(rawHeader) + "." + Base64.encodeURL(rawPayload)
        let signature = Array(signingInput.utf8).withUnsafeBytes { Digest.hmacSHA256(key: secret, message: $0) }
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
