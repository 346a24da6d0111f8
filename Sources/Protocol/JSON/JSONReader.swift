#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A strict RFC 8259 pull reader over bytes that are already valid UTF-8 (a WebSocket text
/// message is validated before it gets here). It reads values one at a time, so a decoder can
/// take the fields it knows and skip the rest without building a tree; nesting is limited.
public struct JSONReader {
    /// A string token: its bytes between the quotes, and whether any escape needs decoding.
    public struct StringToken: Sendable {
        public let range: Range<Int>
        public let hasEscapes: Bool
    }

    private let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte.
    public private(set) var position = 0
    /// The deepest nesting of arrays and objects accepted.
    public let maxDepth: Int

    /// A reader over `bytes`, which must stay valid while the reader is used.
    public init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 32) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// The byte at the next position after whitespace, without consuming it.
    public mutating func peekSignificant() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    /// Consumes `byte` (after whitespace) or throws.
    public mutating func consume(_ byte: UInt8, _ what: StaticString) throws(JSONError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { throw JSONError("expected \(what)", at: position) }
        position += 1
    }

    /// Consumes `byte` (after whitespace) when it is next; says whether it was.
    public mutating func consumeIfPresent(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if position < bytes.count && bytes[position] == byte {
            position += 1
            return true
        }
        return false
    }

    /// Throws unless only whitespace is left.
    public mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        if position != bytes.count { throw JSONError("unexpected data after the value", at: position) }
    }

    /// Reads a string token, checking its escapes and that it holds no raw control characters.
    public mutating func readStringToken() throws(JSONError) -> StringToken {
        try consume(UInt8(ascii: "\""), "a string")
        let start = position
        var hasEscapes = false
        let count = bytes.count
        while position < count {
            if let base = bytes.baseAddress {
                while position + 8 <= count
                    && !WordScan.hasQuoteBackslashOrControl(base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                {
                    position += 8
                }
                if position >= count { break }
            }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let token = StringToken(range: start..<position, hasEscapes: hasEscapes)
                position += 1
                return token
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try skipEscape()
                continue
            }
            if byte < 0x20 { throw JSONError("control character in a string", at: position) }
            position += 1
        }
        throw JSONError("unterminated string", at: start)
    }

    /// The raw (undecoded) bytes of a token, for comparing keys without allocating.
    public func rawBytes(of token: StringToken) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[token.range])
    }

    /// Whether a token's decoded text equals `literal` (an ASCII literal without escapes).
    public func token(_ token: StringToken, equals literal: StaticString) -> Bool {
        if token.hasEscapes { return decode(token) == literal.description }
        let raw = rawBytes(of: token)
        guard raw.count == literal.utf8CodeUnitCount else { return false }
        guard let base = raw.baseAddress else { return true }
        return memcmp(base, literal.utf8Start, raw.count) == 0
    }

    /// Decodes a token's escapes into a String.
    public func decode(_ token: StringToken) -> String {
        let raw = rawBytes(of: token)
        if !token.hasEscapes { return String(decoding: raw, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(Self.hex4(raw, at: index))
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // Validated by skipEscape: a low surrogate escape follows.
                    let low = UInt32(Self.hex4(raw, at: index + 2))
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                Self.appendUTF8(scalar, to: &output)
            default: output.append(escape)  // \" \\ \/
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Reads a number token, checking the RFC 8259 grammar; returns its byte range.
    public mutating func readNumberRange() throws(JSONError) -> Range<Int> {
        skipWhitespace()
        let start = position
        let count = bytes.count
        if position < count && bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < count, isDigit(bytes[position]) else { throw JSONError("invalid number", at: start) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < count && isDigit(bytes[position]) { throw JSONError("leading zero in a number", at: start) }
        } else {
            while position < count && isDigit(bytes[position]) { position += 1 }
        }
        if position < count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < count, isDigit(bytes[position]) else { throw JSONError("invalid fraction", at: start) }
            while position < count && isDigit(bytes[position]) { position += 1 }
        }
        if position < count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
            position += 1
            if position < count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < count, isDigit(bytes[position]) else { throw JSONError("invalid exponent", at: start) }
            while position < count && isDigit(bytes[position]) { position += 1 }
        }
        return start..<position
    }

    /// Reads an integer that must be written without fraction or exponent and fit Int64.
    public mutating func readInt64() throws(JSONError) -> Int64 {
        let range = try readNumberRange()
        var value: Int64 = 0
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        while index < range.upperBound {
            let byte = bytes[index]
            guard isDigit(byte) else { throw JSONError("not an integer", at: range.lowerBound) }
            let digit = Int64(byte &- UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { throw JSONError("integer out of range", at: range.lowerBound) }
            value = next
            index += 1
        }
        return value
    }

    /// Reads and discards any value, checking it fully.
    public mutating func skipValue() throws(JSONError) {
        try walkValue(depth: 0, build: false)
    }

    /// Reads any value into a tree.
    public mutating func readValue() throws(JSONError) -> JSONValue {
        try walkValue(depth: 0, build: true) ?? .null
    }

    /// The literal that starts here (true, false, null), consumed when it matches.
    private mutating func consumeLiteral(_ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard position + length <= bytes.count,
            memcmp(bytes.baseAddress! + position, literal.utf8Start, length) == 0
        else { return false }
        position += length
        return true
    }

    @discardableResult
    private mutating func walkValue(depth: Int, build: Bool) throws(JSONError) -> JSONValue? {
        guard let first = peekSignificant() else { throw JSONError("expected a value", at: position) }
        switch first {
        case UInt8(ascii: "{"):
            if depth >= maxDepth { throw JSONError("nesting deeper than \(maxDepth)", at: position) }
            position += 1
            var members: [(key: String, value: JSONValue)] = []
            if consumeIfPresent(UInt8(ascii: "}")) { return build ? .object(members) : nil }
            repeat {
                let key = try readStringToken()
                try consume(UInt8(ascii: ":"), "':'")
                let value = try walkValue(depth: depth + 1, build: build)
                if build, let value { members.append((decode(key), value)) }
            } while consumeIfPresent(UInt8(ascii: ","))
            try consume(UInt8(ascii: "}"), "',' or '}'")
            return build ? .object(members) : nil
        case UInt8(ascii: "["):
            if depth >= maxDepth { throw JSONError("nesting deeper than \(maxDepth)", at: position) }
            position += 1
            var elements: [JSONValue] = []
            if consumeIfPresent(UInt8(ascii: "]")) { return build ? .array(elements) : nil }
            repeat {
                let value = try walkValue(depth: depth + 1, build: build)
                if build, let value { elements.append(value) }
            } while consumeIfPresent(UInt8(ascii: ","))
            try consume(UInt8(ascii: "]"), "',' or ']'")
            return build ? .array(elements) : nil
        case UInt8(ascii: "\""):
            let token = try readStringToken()
            return build ? .string(decode(token)) : nil
        case UInt8(ascii: "t"):
            if consumeLiteral("true") { return .bool(true) }
        case UInt8(ascii: "f"):
            if consumeLiteral("false") { return .bool(false) }
        case UInt8(ascii: "n"):
            if consumeLiteral("null") { return .null }
        default:
            let range = try readNumberRange()
            if !build { return nil }
            return .number(JSONNumber(validatedLiteral: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)))
        }
        throw JSONError("invalid literal", at: position)
    }

    private mutating func skipWhitespace() {
        let count = bytes.count
        while position < count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    // Validates one escape starting at the backslash and moves past it. A \u high surrogate
    // must be followed by a \u low surrogate; a lone surrogate has no UTF-8 form (RFC 8259 §8.2).
    private mutating func skipEscape() throws(JSONError) {
        let start = position
        guard position + 1 < bytes.count else { throw JSONError("unterminated escape", at: start) }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            guard let unit = hexQuad(at: position + 2) else { throw JSONError("invalid \\u escape", at: start) }
            position += 6
            if (0xDC00...0xDFFF).contains(unit) { throw JSONError("lone low surrogate", at: start) }
            if (0xD800...0xDBFF).contains(unit) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u"), let low = hexQuad(at: position + 2),
                    (0xDC00...0xDFFF).contains(low)
                else { throw JSONError("high surrogate without a low surrogate", at: start) }
                position += 6
            }
        default:
            throw JSONError("invalid escape", at: start)
        }
    }

    private func hexQuad(at offset: Int) -> UInt16? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for index in offset..<(offset + 4) {
            guard let digit = ASCII.hexValue(bytes[index]) else { return nil }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private static func hex4(_ raw: UnsafeRawBufferPointer, at offset: Int) -> UInt16 {
        var value: UInt16 = 0
        for index in offset..<(offset + 4) { value = value << 4 | UInt16(ASCII.hexValue(raw[index]) ?? 0) }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | (scalar >> 12) & 0x3F))
            output.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}

/// Parses whole documents into `JSONValue`.
public enum JSONParser {
    /// Parses `bytes` as one JSON document, refusing input over `maxBytes`, nesting over
    /// `maxDepth`, and bytes that are not UTF-8.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxBytes: Int = 1 << 20, maxDepth: Int = 32) throws(JSONError)
        -> JSONValue
    {
        if bytes.count > maxBytes { throw JSONError("document over \(maxBytes) bytes", at: maxBytes) }
        if !UTF8Validator.isValid(bytes) { throw JSONError("not valid UTF-8", at: 0) }
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        let value = try reader.readValue()
        try reader.expectEnd()
        return value
    }

    /// Parses a byte array (convenience for tests and small documents).
    public static func parse(_ bytes: [UInt8], maxBytes: Int = 1 << 20, maxDepth: Int = 32) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONError) -> JSONValue in try parse(raw, maxBytes: maxBytes, maxDepth: maxDepth) }
        }
        return try result.get()
    }
}
