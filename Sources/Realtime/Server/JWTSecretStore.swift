import Glibc

/// Where the JWT secret comes from: given outright, read from a file, or (with neither)
/// generated on first start and kept in the data directory with mode 0600.
public enum JWTSecretStore {
    /// The secret and how it was found.
    public struct Resolved: Sendable {
        public let secret: [UInt8]
        /// The file it was read from or written to, when there was one.
        public let path: String?
        /// True when this call generated it.
        public let generated: Bool
    }

    /// The name of the generated secret's file inside the data directory.
    public static let fileName = "jwt-secret"

    /// Resolves the secret: `explicit` first, then `file`, then the data directory's file
    /// (generated when missing). Trailing newlines in files are ignored.
    public static func resolve(explicit: String?, file: String?, dataDirectory: String) throws -> Resolved {
        if let explicit {
            guard !explicit.isEmpty else { throw ConfigurationError("the JWT secret is empty") }
            return Resolved(secret: Array(explicit.utf8), path: nil, generated: false)
        }
        if let file {
            return Resolved(secret: try read(file), path: file, generated: false)
        }
        let path = FileSystem.join(dataDirectory, fileName)
        if FileSystem.exists(path) {
            return Resolved(secret: try read(path), path: path, generated: false)
        }
        try FileSystem.createDirectories(dataDirectory)
        let hex = Hex.encode(SecureRandom.bytes(32))
        try FileSystem.createExclusively(path, contents: Array((hex + "\n").utf8), mode: 0o600)
        return Resolved(secret: Array(hex.utf8), path: path, generated: true)
    }

    private static func read(_ path: String) throws -> [UInt8] {
        guard var bytes = FileSystem.read(path) else {
            throw ConfigurationError("cannot read the JWT secret file \(path)")
        }
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        guard !bytes.isEmpty else { throw ConfigurationError("the JWT secret file \(path) is empty") }
        return bytes
    }
}

/// A configuration problem, reported in one line (exit code 2 from the command line).
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
