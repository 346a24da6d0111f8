/// A parsed JSON document. Objects keep their members in order (and any duplicates, which
/// `subscript` resolves to the last, as most parsers do).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The last member named `key`, when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as an exact 64-bit integer, when it is written as one.
    public var int64Value: Int64? {
        if case .number(let number) = self { return number.int64Value }
        return nil
    }

    /// The number as a Double, when this is a number.
    public var doubleValue: Double? {
        if case .number(let number) = self { return number.doubleValue }
        return nil
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

/// A JSON number kept as written, so integers beyond a Double's 53 bits stay exact.
public struct JSONNumber: Equatable, Sendable, CustomStringConvertible {
    /// The number's text, as it appeared in the document (already validated).
    public let literal: String

    public init(validatedLiteral: String) { self.literal = validatedLiteral }

    /// The value when the literal is an integer (no fraction, no exponent) that fits Int64.
    public var int64Value: Int64? { Int64(literal) }

    /// The value as a Double (may round).
    public var doubleValue: Double { Double(literal) ?? .nan }

    public var description: String { literal }
}
