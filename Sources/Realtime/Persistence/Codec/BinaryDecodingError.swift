/// Why bytes could not be decoded, and where: the offset (from the start of what the reader
/// was given) of the value that failed.
struct BinaryDecodingError: Error, Equatable, CustomStringConvertible {
    private enum Reason: Equatable {
        case truncated(needed: Int, remaining: Int)
        case lengthExceedsInput(UInt64, remaining: Int)
        case varIntTooLong
        case varIntNotMinimal
        case valueOutOfRange(UInt64, what: String)
        case invalidBool(UInt8)
        case invalidUTF8
        case unknownTag(UInt8, type: String)
        case unsupportedVersion(UInt8, expected: UInt8)
        case duplicateKey
        case trailingBytes(Int)
        case inconsistent(String)
    }

    private let reason: Reason
    /// Where the failing value starts.
    let offset: Int

    private init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    static func truncated(needed: Int, remaining: Int, at offset: Int) -> Self {
        Self(.truncated(needed: needed, remaining: remaining), at: offset)
    }
    /// A length or count that cannot fit in the bytes left: refused before anything is allocated.
    static func lengthExceedsInput(_ length: UInt64, remaining: Int, at offset: Int) -> Self {
        Self(.lengthExceedsInput(length, remaining: remaining), at: offset)
    }
    /// A LEB128 number over 64 bits.
    static func varIntTooLong(at offset: Int) -> Self { Self(.varIntTooLong, at: offset) }
    /// A LEB128 number with needless trailing zero groups (the writer never makes one).
    static func varIntNotMinimal(at offset: Int) -> Self { Self(.varIntNotMinimal, at: offset) }
    /// A number that does not fit the field it is read into.
    static func valueOutOfRange(_ value: UInt64, _ what: String, at offset: Int) -> Self {
        Self(.valueOutOfRange(value, what: what), at: offset)
    }
    static func invalidBool(_ byte: UInt8, at offset: Int) -> Self { Self(.invalidBool(byte), at: offset) }
    static func invalidUTF8(at offset: Int) -> Self { Self(.invalidUTF8, at: offset) }
    /// A tag that is not in the type's tag table (a newer writer, or corruption).
    static func unknownTag(_ tag: UInt8, of type: String, at offset: Int) -> Self {
        Self(.unknownTag(tag, type: type), at: offset)
    }
    static func unsupportedVersion(_ version: UInt8, expected: UInt8, at offset: Int) -> Self {
        Self(.unsupportedVersion(version, expected: expected), at: offset)
    }
    /// A dictionary key that came twice.
    static func duplicateKey(at offset: Int) -> Self { Self(.duplicateKey, at: offset) }
    /// Bytes left after a value that should have been all there was.
    static func trailingBytes(_ count: Int, at offset: Int) -> Self { Self(.trailingBytes(count), at: offset) }
    /// Values that decode one by one but do not fit together (a slot reference to an empty slot, ...).
    static func inconsistent(_ what: String, at offset: Int) -> Self { Self(.inconsistent(what), at: offset) }

    var description: String {
        let what: String
        switch reason {
        case .truncated(let needed, let remaining): what = "truncated: \(needed) bytes needed, \(remaining) left"
        case .lengthExceedsInput(let length, let remaining):
            what = "length \(length) exceeds the \(remaining) bytes left"
        case .varIntTooLong: what = "variable-length integer over 64 bits"
        case .varIntNotMinimal: what = "variable-length integer not in its shortest form"
        case .valueOutOfRange(let value, let field): what = "\(value) is out of range for \(field)"
        case .invalidBool(let byte): what = "boolean byte \(byte) is neither 0 nor 1"
        case .invalidUTF8: what = "string is not valid UTF-8"
        case .unknownTag(let tag, let type): what = "unknown \(type) tag \(tag)"
        case .unsupportedVersion(let version, let expected): what = "format version \(version), expected \(expected)"
        case .duplicateKey: what = "dictionary key repeated"
        case .trailingBytes(let count): what = "\(count) bytes left after the value"
        case .inconsistent(let detail): what = "inconsistent state: \(detail)"
        }
        return "binary decoding failed at offset \(offset): \(what)"
    }
}
