import Glibc

/// A failed system call: its name and errno, for startup errors and logs.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    /// The call that failed.
    public let call: String
    /// The errno it left.
    public let code: Int32

    public init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    public var description: String { "\(call): \(String(cString: strerror(code)))" }
}
