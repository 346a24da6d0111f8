import Foundation
import Glibc
import XCTest

/// The real `partyhub` binary serving a data directory on a free loopback port, for tests that
/// kill it, stop it and start it again on the same directory.
final class PartyhubProcess: @unchecked Sendable {
    /// The secret every test server and token here use.
    static let secret = "partyhub-process-test-secret"

    let process: ChildProcess
    let port: Int
    /// The TLS port, when started with `--tls-cert` and `--tls-key`.
    let tlsPort: Int?
    private(set) var exitedCleanly = false

    private init(process: ChildProcess, port: Int, tlsPort: Int?) {
        self.process = process
        self.port = port
        self.tlsPort = tlsPort
    }

    var log: String { process.output }

    /// Starts `partyhub serve` on `dataDirectory` (rate and per-address limits off, a long reconnect grace, a
    /// deep history) and waits for its listening line.
    static func start(dataDirectory: String, arguments: [String], timeout: TimeInterval = 60) throws -> PartyhubProcess {
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary, "no partyhub binary (swift build builds it)")
        let command =
            [binary.path, "serve", "--host", "127.0.0.1", "--port", "0", "--jwt-secret", secret, "--data-dir", dataDirectory,
             "--reconnect-grace", "1h", "--chat-rate", "0", "--command-rate", "0", "--history", "100000", "--shutdown-grace", "2s",
             "--max-connections-per-ip", "0", "--ip-handshake-rate", "0", "--inbound-message-rate", "0",
             "--party-create-rate", "0"]
            + arguments
        let process = try ChildProcess(command)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let log = process.output
            if let line = log.split(separator: "\n").first(where: { $0.contains("partyhub listening") }),
                let address = line.split(separator: " ").first(where: { $0.hasPrefix("address=") }),
                let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...])
            {
                return PartyhubProcess(process: process, port: port, tlsPort: Self.port(named: "tls_address=", in: line))
            }
            if !process.isRunning {
                throw ClientError("partyhub exited (\(process.terminationDescription)) before listening; log:\n\(log)")
            }
            if Date() > deadline {
                process.kill()
                throw ClientError("partyhub did not listen within \(Int(timeout)) s; log:\n\(log)")
            }
            usleep(10_000)
        }
    }

    private static func port(named field: String, in line: Substring) -> Int? {
        guard let address = line.split(separator: " ").first(where: { $0.hasPrefix(field) }),
            let colon = address.lastIndex(of: ":")
        else { return nil }
        return Int(address[address.index(after: colon)...])
    }

    /// SIGKILL: the crash.
    func kill() { process.kill() }

    /// SIGTERM, and waits for the exit.
    func terminate(timeout: TimeInterval = 30) throws {
        process.signal(SIGTERM)
        guard process.waitForExit(timeout: timeout) else {
            process.kill()
            throw ClientError("partyhub did not exit within \(Int(timeout)) s of SIGTERM; log:\n\(log)")
        }
        exitedCleanly = process.result.exitedWith(0)
    }
}
