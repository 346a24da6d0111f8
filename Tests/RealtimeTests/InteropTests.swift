import Foundation
import Glibc
import XCTest

/// Real third-party clients against the real `partyhub` binary over loopback: Python's
/// `websockets`, Node's `ws`, and the shared benchmark's `conformance.js`. A missing client
/// library skips (naming the install command), unless `PARTYHUB_REQUIRE_INTEROP=1` (CI), where
/// it fails instead.
final class InteropTests: XCTestCase {
    func testPythonWebsocketsClientRunsAPartyWithCleanCloses() throws {
        try requirePythonWebsockets()
        try runAgainstFreshServer(["python3", Self.pythonClient])
    }

    func testNodeWsClientRunsAPartyWithCleanCloses() throws {
        try requireNodeWs()
        try runAgainstFreshServer(["node", Self.nodeClient])
    }

    func testSharedConformanceScriptPasses() throws {
        let script = Self.sharedDirectory.appendingPathComponent("bench/conformance.js")
        // The shared benchmark folder lives beside the repository, not in it: a clone without it
        // skips this test even in CI (where .ci/run warns about the missing folder too).
        guard FileManager.default.fileExists(atPath: script.path) else {
            throw XCTSkip("\(script.path) is missing: check out the shared folder beside the package, or set PARTYHUB_SHARED")
        }
        try requireNodeWs()
        try runAgainstFreshServer(["node", script.path])
    }

    func testPythonWebsocketsClientAcrossTwoEventLoops() throws {
        try requirePythonWebsockets()
        let server = try startServer(extraArguments: ["--threads", "2"])
        XCTAssertEqual(server.loops, 2, "--threads 2 should start two loops; log:\n\(server.log)")
        try runClient(["python3", Self.pythonClient] + server.clientArguments, server)
        try stop(server)
    }

    /// Starts a server, runs one client command against it, and stops the server (exit 0).
    private func runAgainstFreshServer(_ client: [String]) throws {
        let server = try startServer()
        try runClient(client + server.clientArguments, server)
        try stop(server)
    }

    // MARK: Dependencies

    private func requirePythonWebsockets() throws {
        try requireDependency(
            Self.succeeds(["python3", "-c", "import websockets"]),
            "Python's websockets is not importable by python3: python3 -m pip install websockets")
    }

    private func requireNodeWs() throws {
        try requireDependency(
            Self.succeeds(["node", "-e", "try { require('ws') } catch (e) { require('/usr/share/nodejs/ws') }"]),
            "node or its ws package is missing: apt-get install -y nodejs node-ws")
    }

    /// Skips when `available` is false, or fails when CI demands the interop run.
    private func requireDependency(_ available: Bool, _ message: String) throws {
        guard !available else { return }
        if ProcessInfo.processInfo.environment["PARTYHUB_REQUIRE_INTEROP"] == "1" {
            throw MissingDependency(description: "PARTYHUB_REQUIRE_INTEROP=1 but " + message)
        }
        throw XCTSkip(message)
    }

    private struct MissingDependency: Error, CustomStringConvertible {
        let description: String
    }

    private static func succeeds(_ command: [String]) -> Bool {
        guard let result = try? ChildProcess.run(command, timeout: 30) else { return false }
        return result.exitedWith(0)
    }

    // MARK: The server

    private func startServer(extraArguments: [String] = []) throws -> RunningServer {
        let binary = try XCTUnwrap(
            ChildProcess.partyhubBinary, "no partyhub binary beside the test bundle or in .build/debug (swift build builds it)")
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("partyhub-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let secret = "interop-\(UUID().uuidString)"
        let arguments =
            [binary.path, "serve", "--host", "127.0.0.1", "--port", "0", "--jwt-secret", secret, "--data-dir", dataDirectory.path,
             "--reconnect-grace", "0"]
            + extraArguments
        let process = try ChildProcess(arguments)
        addTeardownBlock {
            process.kill()
            try? FileManager.default.removeItem(at: dataDirectory)
        }
        // The log line: `... INFO partyhub listening address=127.0.0.1:PORT loops=N`.
        let deadline = Date().addingTimeInterval(30)
        while true {
            let log = process.output
            if let line = log.split(separator: "\n").first(where: { $0.contains("partyhub listening") }),
                let address = Self.field("address", in: line), let colon = address.lastIndex(of: ":"),
                let port = Int(address[address.index(after: colon)...])
            {
                return RunningServer(
                    process: process, port: port, secret: secret, loops: Self.field("loops", in: line).flatMap { Int($0) })
            }
            if !process.isRunning {
                throw ServerFailure(description: "partyhub exited (\(process.terminationDescription)) before listening; log:\n\(log)")
            }
            if Date() > deadline {
                throw ServerFailure(description: "partyhub did not log its listening line within 30 s; log:\n\(log)")
            }
            usleep(20_000)
        }
    }

    /// SIGTERM closes every WebSocket with 1001 and must exit 0 within the shutdown grace.
    private func stop(_ server: RunningServer) throws {
        server.process.signal(SIGTERM)
        guard server.process.waitForExit(timeout: 20) else {
            server.process.kill()
            throw ServerFailure(description: "partyhub did not exit within 20 s of SIGTERM; log:\n\(server.log)")
        }
        XCTAssertTrue(
            server.process.result.exitedWith(0),
            "partyhub should exit 0 on SIGTERM, got \(server.process.terminationDescription); log:\n\(server.log)")
    }

    private func runClient(_ command: [String], _ server: RunningServer) throws {
        let result = try ChildProcess.run(command, timeout: 60)
        XCTAssertTrue(
            result.exitedWith(0),
            """
            \(command.joined(separator: " ")) ended with \(result.description); its output:
            \(result.output)
            server log:
            \(server.log)
            """)
    }

    private struct RunningServer {
        let process: ChildProcess
        let port: Int
        let secret: String
        let loops: Int?
        var url: String { "ws://127.0.0.1:\(port)/api/v1/social/party/ws" }
        var clientArguments: [String] { ["--url", url, "--secret", secret] }
        var log: String { process.output }
    }

    private struct ServerFailure: Error, CustomStringConvertible {
        let description: String
    }

    private static func field(_ key: String, in line: Substring) -> Substring? {
        guard let token = line.split(separator: " ").first(where: { $0.hasPrefix(key + "=") }) else { return nil }
        return token.dropFirst(key.count + 1)
    }

    // MARK: Paths

    /// The package root: this file is `<root>/Tests/RealtimeTests/InteropTests.swift`.
    private static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static let interopDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interop")
    private static let pythonClient = interopDirectory.appendingPathComponent("python_client.py").path
    private static let nodeClient = interopDirectory.appendingPathComponent("node_client.js").path

    /// `PARTYHUB_SHARED`, or the `shared` folder beside the package root.
    private static var sharedDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["PARTYHUB_SHARED"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared").standardizedFileURL
    }
}
