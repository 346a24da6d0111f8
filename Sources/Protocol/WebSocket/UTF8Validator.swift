/// An incremental UTF-8 validator: feed it bytes in any split and it says, as soon as a byte
/// makes the sequence invalid, that it is invalid. It refuses overlong forms, surrogates
/// (U+D800-U+DFFF) and code points above U+10FFFF (RFC 3629), as RFC 6455 §8.1 requires of
/// text messages and close reasons.
///
/// It is Björn Höhrmann's DFA: each byte maps to a class and (state, class) to the next state,
/// with a word-at-a-time skip over ASCII while no sequence is open.
public struct UTF8Validator: Sendable {
    private var state: UInt8 = UTF8Validator.accept

    public init() {}

    /// True when no multi-byte sequence is open: the bytes so far end on a character boundary.
    public var isAtCharacterBoundary: Bool { state == Self.accept }

    /// Feeds more bytes; returns false as soon as they cannot be UTF-8, whatever follows.
    /// After a false return the validator stays in the rejecting state.
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return state != Self.reject }
        let count = bytes.count
        var index = 0
        var current = state
        if current == Self.reject { return false }
        return utf8ValidatorTable.withUnsafeBufferPointer { table in
            while index < count {
                if current == Self.accept {
                    // ASCII fast path: eight bytes at a time while none has its high bit set.
                    while index + 8 <= count {
                        let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        if word & 0x8080_8080_8080_8080 != 0 { break }
                        index += 8
                    }
                    if index == count { break }
                }
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                let byteClass = table[Int(byte)]
                current = table[256 + Int(current) + Int(byteClass)]
                if current == Self.reject {
                    state = current
                    return false
                }
                index += 1
            }
            state = current
            return true
        }
    }

    /// Convenience for tests and small inputs.
    public mutating func validate(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { validate($0) }
    }

    /// Validates one complete buffer: every sequence must be closed at its end.
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isAtCharacterBoundary
    }

    static let accept: UInt8 = 0
    static let reject: UInt8 = 12
}

/// The first 256 entries map a byte to its class; the rest map state + class to the next state.
private let utf8ValidatorTable: [UInt8] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    8, 8, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    10, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 3, 11, 6, 6, 6, 5, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
    0, 12, 24, 36, 60, 96, 84, 12, 12, 12, 48, 72, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 0, 12, 12, 12, 12, 12, 0, 12, 0, 12, 12, 12, 24, 12, 12, 12, 12, 12, 24, 12, 24, 12, 12,
    12, 12, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12, 12, 24, 12, 12, 12, 12, 12, 12, 12, 24, 12, 12,
    12, 12, 12, 12, 12, 12, 12, 36, 12, 36, 12, 12, 12, 36, 12, 12, 12, 12, 12, 36, 12, 36, 12, 12,
    12, 36, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
]
