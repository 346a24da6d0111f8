import Foundation
import Glibc
import Protocol
import XCTest

/// TLS on the real binary: SIGHUP reloads the certificate, and a stopped process that wakes
/// to a burst already in its socket handles all of it.
final class TLSProcessTests: XCTestCase {
    private func startServer(_ certificates: TestCertificates, extraArguments: [String] = []) throws -> PartyhubProcess
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "partyhub-tls-process-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let server = try PartyhubProcess.start(
            dataDirectory: directory.path,
            arguments: [
                "--tls-cert", certificates.chainPath, "--tls-key", certificates.keyPath, "--tls-port", "0",
                "--echo-path", "/echo",
            ]
                + extraArguments)
        addTeardownBlock { server.kill() }
        return server
    }

    private func connect(_ port: Int, _ certificates: TestCertificates) throws -> RawWebSocketClient {
        try RawWebSocketClient(tlsPort: port, options: TLSClientSession.Options(trustedRoot: certificates.rootPath))
    }

    /// TLS flags that do not add up stop the start with one line and exit code 2, before anything
    /// is bound: a certificate without its key (or the other way), a TLS port without either,
    /// plain text off with nothing else to serve, and files that do not hold a certificate.
    func testTLSFlagsThatDoNotAddUpAreRefusedWithExitCode2() throws {
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary)
        let certificates = try TestCertificates()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "partyhub-tls-flags-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(arguments: [String], message: String)] = [
            (["--tls-cert", certificates.chainPath], "--tls-cert needs --tls-key"),
            (["--tls-key", certificates.keyPath], "--tls-key needs --tls-cert"),
            (["--tls-port", "8443"], "--tls-port needs --tls-cert and --tls-key"),
            (["--port", "off"], "--port off serves TLS only"),
            (
                ["--tls-cert", certificates.rootPath + ".missing", "--tls-key", certificates.keyPath],
                "cannot read the TLS certificate chain"
            ),
            (
                ["--tls-cert", certificates.chainPath, "--tls-key", certificates.chainPath],
                "cannot read the TLS private key"
            ),
        ]
        for (arguments, message) in cases {
            let run = try ChildProcess.run(
                [
                    binary.path, "serve", "--host", "127.0.0.1", "--port", "0", "--jwt-secret", "s", "--data-dir",
                    directory.path,
                ]
                    + arguments, timeout: 30)
            XCTAssertTrue(run.exitedWith(2), "\(arguments): \(run.description): \(run.output)")
            XCTAssertTrue(run.output.contains(message), "\(arguments): \(run.output)")
            XCTAssertFalse(run.output.contains("partyhub listening"), "\(arguments): \(run.output)")
        }
    }

    func testSIGHUPGivesNewConnectionsTheRenewedCertificateWithoutDroppingOpenOnes() throws {
        let certificates = try TestCertificates()
        let server = try startServer(certificates)
        let tlsPort = try XCTUnwrap(server.tlsPort, "the listening line names tls_address; log:\n\(server.log)")
        let open = try connect(tlsPort, certificates)
        try open.upgrade(path: "/echo")
        try open.sendText("before")
        XCTAssertEqual(try open.readFrame().text, "before")

        try certificates.issueServerCertificate(commonName: "partyhub-test-renewed")
        server.process.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        var seen = ""
        while Date() < deadline {
            seen = try connect(tlsPort, certificates).tls?.peerCommonName ?? ""
            if seen == "partyhub-test-renewed" { break }
            usleep(20_000)
        }
        XCTAssertEqual(seen, "partyhub-test-renewed", "log:\n\(server.log)")
        XCTAssertTrue(server.log.contains("reloaded the TLS certificate"), server.log)
        try open.sendText("after")
        XCTAssertEqual(try open.readFrame().text, "after", "the connection from before the reload still works")

        // A bad renewal is logged and the running certificate stays.
        try certificates.writeMismatchedKey()
        server.process.signal(SIGHUP)
        let logged = Date().addingTimeInterval(10)
        while !server.log.contains("kept the current TLS certificate") && Date() < logged { usleep(20_000) }
        XCTAssertTrue(server.log.contains("kept the current TLS certificate"), server.log)
        XCTAssertEqual(try connect(tlsPort, certificates).tls?.peerCommonName, "partyhub-test-renewed")
        try server.terminate()
        XCTAssertTrue(server.exitedCleanly, server.log)
    }

    /// The process is stopped while a burst lands in its socket: a 1,000-byte record, then
    /// four full ones (one `SSL_write` of 64 KiB). On waking, its 64 KiB read ends 1,000 bytes
    /// into the last record, which OpenSSL has decrypted and holds, and no more bytes will come
    /// to wake the loop: only the loop's own read of buffered input finds the tail frame there.
    func testABurstAlreadyInTheSocketIsHandledToItsLastRecord() throws {
        let certificates = try TestCertificates()
        let server = try startServer(certificates, extraArguments: ["--threads", "1"])
        let tlsPort = try XCTUnwrap(server.tlsPort)
        let client = try connect(tlsPort, certificates)
        try client.upgrade(path: "/echo")
        var random = SystemRandomNumberGenerator()
        func masked(_ payload: [UInt8]) -> [UInt8] {
            let key = (UInt8.random(in: 0...255, using: &random), UInt8(1), UInt8(2), UInt8(3))
            return WebSocketFrameEncoder.maskedFrame(opcode: .binary, fin: true, payload: payload, maskKey: key)
        }
        for round in 0..<5 {
            let first = [UInt8](repeating: UInt8(round), count: 992)  // 8 header bytes: 1,000 in all
            let tail = Array("the tail of round \(round)".utf8)
            let large = (0..<(65_522 - tail.count)).map { UInt8(truncatingIfNeeded: $0 + round) }
            let firstFrame = masked(first)
            let rest = masked(large) + masked(tail)
            XCTAssertEqual(firstFrame.count, 1000)
            XCTAssertEqual(rest.count, 65_536)
            server.process.signal(SIGSTOP)
            usleep(50_000)
            try client.send(firstFrame)
            try client.send(rest)
            usleep(50_000)
            server.process.signal(SIGCONT)
            // Compared as Bool: a mismatch of 64 KiB arrays would print both.
            XCTAssertTrue(try client.readFrame(timeout: 5).payload == first, "round \(round): the first frame")
            XCTAssertTrue(try client.readFrame(timeout: 5).payload == large, "round \(round): the large frame")
            XCTAssertEqual(
                String(decoding: try client.readFrame(timeout: 5).payload, as: UTF8.self),
                String(decoding: tail, as: UTF8.self),
                "round \(round): the tail record was stranded")
        }
    }

    /// The same cut inside the last record, with requests the hub answers: the first pauses
    /// reading until its answer, the next ones wait in the connection's buffer, and the last
    /// 1,000 bytes of requests in OpenSSL's. When reading resumes nothing on the socket says
    /// so: only the resume's look at what the transport holds finds them.
    func testPipelinedRequestsLeftInOpenSSLAreAnsweredWhenReadingResumes() throws {
        let certificates = try TestCertificates()
        let server = try startServer(certificates, extraArguments: ["--threads", "1"])
        let tlsPort = try XCTUnwrap(server.tlsPort)
        let token = JWTCodec(secret: Array(PartyhubProcess.secret.utf8)).sign(
            subject: "alice", expiresAt: Int64(Date().timeIntervalSince1970) + 3600)
        let client = try connect(tlsPort, certificates)
        let created = try client.request("POST", "/api/v1/organizations", json: #"{"name":"Knights"}"#, token: token)
        let organization = try XCTUnwrap(
            (created.object["organization"] as? [String: Any])?["id"] as? String, created.bodyText)
        /// A GET of the organization exactly `length` bytes long (padded in a query the server ignores).
        func request(length: Int) -> [UInt8] {
            let bare = RawWebSocketClient.apiRequest(
                "GET", "/api/v1/organizations/\(organization)?pad=", json: nil, token: token, port: tlsPort)
            let padded = RawWebSocketClient.apiRequest(
                "GET", "/api/v1/organizations/\(organization)?pad=" + String(repeating: "p", count: length - bare.utf8.count),
                json: nil, token: token, port: tlsPort)
            return Array(padded.utf8)
        }
        for round in 0..<3 {
            let first = request(length: 1000)
            var rest: [UInt8] = []
            while rest.count + 2 * 600 <= 65_536 { rest += request(length: 600) }
            rest += request(length: 65_536 - rest.count)
            XCTAssertEqual(first.count, 1000)
            XCTAssertEqual(rest.count, 65_536)
            let expected = 1 + rest.count / 600
            server.process.signal(SIGSTOP)
            usleep(50_000)
            try client.send(first)
            try client.send(rest)
            usleep(50_000)
            server.process.signal(SIGCONT)
            for index in 0..<expected {
                let response = try client.readHTTPResponse(timeout: 5)
                let id = (response.object["organization"] as? [String: Any])?["id"] as? String
                guard response.status == 200, id == organization else {
                    return XCTFail("round \(round), answer \(index): \(response.statusLine) \(response.bodyText)")
                }
            }
        }
    }
}
