import Foundation
import XCTest

/// Certificates made for one test with the `openssl` command line, in a temporary directory:
/// a root, an intermediate it signed, and server certificates the intermediate signed for
/// 127.0.0.1 and localhost. The server is given a chain file (leaf, then intermediate) and
/// clients trust only the root, so a handshake that verifies proves the chain was sent.
final class TestCertificates {
    let directory: URL
    /// The root clients trust.
    var rootPath: String { directory.appendingPathComponent("root.pem").path }
    /// The files the server is configured with (leaf and intermediate; the leaf's key).
    var chainPath: String { directory.appendingPathComponent("server-chain.pem").path }
    var keyPath: String { directory.appendingPathComponent("server-key.pem").path }

    /// Makes the root and intermediate, and a server certificate named `commonName` in the
    /// server's files.
    init(commonName: String = "partyhub-test-first") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("partyhub-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try run(
            """
            set -e
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
            key root-key.pem
            openssl req -x509 -new -key root-key.pem -out root.pem -days 2 -subj "/CN=PartyHub Test Root" \\
              -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
            key intermediate-key.pem
            openssl req -new -key intermediate-key.pem -out intermediate.csr -subj "/CN=PartyHub Test Intermediate"
            printf 'basicConstraints=critical,CA:TRUE,pathlen:0\\nkeyUsage=critical,keyCertSign,cRLSign\\n' > intermediate.ext
            openssl x509 -req -in intermediate.csr -CA root.pem -CAkey root-key.pem -set_serial 2 -days 2 \\
              -extfile intermediate.ext -out intermediate.pem 2>/dev/null
            """)
        try issueServerCertificate(commonName: commonName)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Issues a new server certificate and key (a renewal) and writes them over the server's
    /// files, the chain file last, as a renewal tool would.
    func issueServerCertificate(commonName: String) throws {
        try run(
            """
            set -e
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out next-key.pem 2>/dev/null
            openssl req -new -key next-key.pem -out server.csr -subj "/CN=\(commonName)"
            printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\nsubjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext
            openssl x509 -req -in server.csr -CA intermediate.pem -CAkey intermediate-key.pem -set_serial $(date +%s%N) \\
              -days 2 -extfile server.ext -out server.pem 2>/dev/null
            cat server.pem intermediate.pem > next-chain.pem
            mv next-key.pem server-key.pem
            mv next-chain.pem server-chain.pem
            """)
    }

    /// The base64 SHA-256 of the server certificate's public key (SubjectPublicKeyInfo), as
    /// Chromium's `--ignore-certificate-errors-spki-list` takes it: trust this one key.
    func serverPublicKeyHash() throws -> String {
        let result = try ChildProcess.run(
            [
                "sh", "-c",
                "cd '\(directory.path)' && openssl x509 -in server-chain.pem -pubkey -noout"
                    + " | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64",
            ], timeout: 60, separateErrors: true)
        guard result.exitedWith(0) else { throw ClientError("openssl failed (\(result.description)): \(result.errors)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes a key that matches no certificate here over the server's key file.
    func writeMismatchedKey() throws {
        try run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out server-key.pem 2>/dev/null")
    }

    private func run(_ script: String) throws {
        let result = try ChildProcess.run(["sh", "-c", "cd '\(directory.path)' && " + script], timeout: 60)
        guard result.exitedWith(0) else {
            throw ClientError("openssl failed (\(result.description)): \(result.output)")
        }
    }
}
