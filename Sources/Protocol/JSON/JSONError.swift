/// Why bytes are not an acceptable JSON document (RFC 8259), and where.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, for an error reply.
    public let message: String
    /// The byte offset where it was found.
    public let offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at byte \(offset)" }
}
