import Glibc
import Protocol

/// Where the JWT secrets come from: given outright, read from a file, or (with neither)
/// generated on first start and kept in the data directory with mode 0600.
///
/// A file holds either one plain secret (a single line without a colon) or one `KID:SECRET`
/// per line: the first line signs (`partyhub token`), every line verifies the tokens whose
/// header `kid` names it. Rotation: add the new key as the first line and restart (tokens
/// still carrying the old `kid` keep verifying), wait out the old tokens' lifetime, then
/// drop the old line and restart again.
public enum JWTSecretStore {
    /// The secrets and how they were found.
    public struct Resolved: Sendable {
        /// The keys, the signing one first; never empty.
        public let keys: [JWTKey]
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
            return Resolved(keys: [JWTKey(id: nil, secret: Array(explicit.utf8))], path: nil, generated: false)
        }
        if let file {
            return Resolved(keys: try read(file), path: file, generated: false)
        }
        let path = FileSystem.join(dataDirectory, fileName)
        if FileSystem.exists(path) {
            return Resolved(keys: try read(path), path: path, generated: false)
        }
        try FileSystem.createDirectories(dataDirectory)
        let hex = Hex.encode(SecureRandom.bytes(32))
        try FileSystem.createExclusively(path, contents: Array((hex + "\n").utf8), mode: 0o600)
        return Resolved(keys: [JWTKey(id: nil, secret: Array(hex.utf8))], path: path, generated: true)
    }

    private static func read(_ path: String) throws -> [JWTKey] {
        guard let bytes = FileSystem.read(path) else {
            throw ConfigurationError("cannot read the JWT secret file \(path): \(whyUnreadable(path))")
        }
        return try parse(bytes, path: path)
    }

    /// The system's reason a file cannot be read (its errno text), found by opening and reading
    /// it once more: the read above keeps no errno.
    private static func whyUnreadable(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var byte: UInt8 = 0
        var count = Glibc.read(fd, &byte, 1)
        while count < 0 && errno == EINTR { count = Glibc.read(fd, &byte, 1) }
        return count < 0 ? String(cString: strerror(errno)) : "larger than 1MiB"
    }

    /// The keys in a secret file's bytes: one plain secret (a single line without a colon), or
    /// one `KID:SECRET` per line. Blank lines and line ends (`\n`, `\r\n`) are ignored.
    public static func parse(_ bytes: [UInt8], path: String) throws -> [JWTKey] {
        let lines = bytes.split(separator: 0x0A).map { line in
            var line = line
            while let last = line.last, last == 0x0D { line = line.dropLast() }
            return line
        }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw ConfigurationError("the JWT secret file \(path) is empty") }
        let colon = UInt8(ascii: ":")
        if lines.count == 1, !lines[0].contains(colon) {
            return [JWTKey(id: nil, secret: Array(lines[0]))]
        }
        var keys: [JWTKey] = []
        for (number, line) in zip(1..., lines) {
            guard let separator = line.firstIndex(of: colon), separator != line.startIndex, separator != line.index(before: line.endIndex)
            else {
                throw ConfigurationError("line \(number) of the JWT secret file \(path) is not KID:SECRET")
            }
            let keyID = String(decoding: line[..<separator], as: UTF8.self)
            guard !keys.contains(where: { $0.id == keyID }) else {
                throw ConfigurationError("the JWT secret file \(path) names kid '\(keyID)' twice")
            }
            keys.append(JWTKey(id: keyID, secret: Array(line[line.index(after: separator)...])))
        }
        return keys
    }
}

/// A configuration problem, reported in one line (exit code 2 from the command line).
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
