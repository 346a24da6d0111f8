import Foundation
import XCTest

/// What a new operator trips over on the command line (issue 17), through the real binary:
/// `--version`, messages that name the flag once and say what is wrong, exit 2 for every bad
/// value, flags winning over the environment, and a first-start hint that works as printed.
final class OperatorCommandLineTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "partyhub-operator-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
        super.tearDown()
    }

    /// Runs the binary; `environment` entries go before it as `env NAME=VALUE`.
    private func partyhub(_ arguments: [String], environment: [String] = []) throws -> ChildProcess.Result {
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary, "no partyhub binary (swift build builds it)")
        return try ChildProcess.run(environment + [binary.path] + arguments, timeout: 60, separateErrors: true)
    }

    private func occurrences(of needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func testVersionPrintsTheReleaseAndTheCommitItWasBuiltFrom() throws {
        let git = try ChildProcess.run(
            ["git", "-C", ChildProcess.packageRoot.path, "rev-parse", "--short=12", "HEAD"], timeout: 30, separateErrors: true)
        for command in ["--version", "version"] {
            let result = try partyhub([command])
            XCTAssertTrue(result.exitedWith(0), "\(command): \(result.description) \(result.errors)")
            let line = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertNotNil(line.wholeMatch(of: /partyhub \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)/), line)
            if git.exitedWith(0) {
                // Built from this clone: the commit it names is the one checked out (the tests
                // are built with the binary, after the last commit).
                let head = git.output.trimmingCharacters(in: .whitespacesAndNewlines)
                XCTAssertTrue(line.contains("(commit \(head)"), "\(line) does not name HEAD \(head)")
            }
        }
    }

    func testAFlagIsNamedOnceAndSizesPastTheRangeGetTheRangeMessage() throws {
        let idle = try partyhub(["serve", "--data-dir", directory, "--jwt-secret", "s", "--idle-timeout", "0"])
        XCTAssertTrue(idle.exitedWith(2), idle.errors)
        XCTAssertEqual(occurrences(of: "--idle-timeout", in: idle.errors), 1, idle.errors)
        XCTAssertTrue(idle.errors.contains("must be above zero"), idle.errors)
        let fromEnvironment = try partyhub(["token", "--sub", "a", "--jwt-secret", "s"], environment: ["env", "PARTYHUB_PING_INTERVAL=0"])
        XCTAssertTrue(fromEnvironment.exitedWith(2), fromEnvironment.errors)
        XCTAssertTrue(fromEnvironment.errors.contains("PARTYHUB_PING_INTERVAL: must be above zero"), fromEnvironment.errors)
        for size in ["4GiB", "8GiB", "9223372036854775807GiB", "2G"] {
            let result = try partyhub(["serve", "--data-dir", directory, "--jwt-secret", "s", "--max-message-bytes", size])
            XCTAssertTrue(result.exitedWith(2), "\(size): \(result.errors)")
            XCTAssertTrue(result.errors.contains("--max-message-bytes: must be 125 bytes to 1GiB"), "\(size): \(result.errors)")
            XCTAssertEqual(occurrences(of: "--max-message-bytes", in: result.errors), 1, result.errors)
        }
        let notASize = try partyhub(["serve", "--data-dir", directory, "--jwt-secret", "s", "--max-message-bytes", "8GB"])
        XCTAssertTrue(notASize.exitedWith(2), notASize.errors)
        XCTAssertTrue(notASize.errors.contains("is not a size"), notASize.errors)
    }

    func testAnAddressThatCannotBeResolvedExitsWith2AndSaysWhy() throws {
        let result = try partyhub(["serve", "--data-dir", directory, "--jwt-secret", "s", "--host", "999.1.1.1", "--port", "0"])
        XCTAssertTrue(result.exitedWith(2), "\(result.description): \(result.errors)")
        XCTAssertTrue(result.errors.contains("cannot listen on 999.1.1.1:0"), result.errors)
        XCTAssertFalse(result.errors.contains("Success"), result.errors)
    }

    func testAFlagOverridesABrokenEnvironmentVariableWhichIsStillCheckedWhenUsed() throws {
        let overridden = try partyhub(
            ["token", "--sub", "a", "--jwt-secret", "s", "--port", "8084"], environment: ["env", "PARTYHUB_PORT=not-a-port"])
        XCTAssertTrue(overridden.exitedWith(0), overridden.errors)
        let overriddenWithEquals = try partyhub(
            ["token", "--sub", "a", "--jwt-secret", "s", "--port=8084"], environment: ["env", "PARTYHUB_PORT=not-a-port"])
        XCTAssertTrue(overriddenWithEquals.exitedWith(0), overriddenWithEquals.errors)
        let used = try partyhub(["token", "--sub", "a", "--jwt-secret", "s"], environment: ["env", "PARTYHUB_PORT=not-a-port"])
        XCTAssertTrue(used.exitedWith(2), used.errors)
        XCTAssertTrue(used.errors.contains("PARTYHUB_PORT: 'not-a-port'"), used.errors)
    }

    func testAnUnreadableSecretFileSaysWhy() throws {
        let missing = try partyhub(["token", "--sub", "a", "--jwt-secret-file", directory + "/missing"])
        XCTAssertTrue(missing.exitedWith(2), missing.errors)
        XCTAssertTrue(missing.errors.contains("\(directory)/missing: No such file or directory"), missing.errors)
        let aDirectory = try partyhub(["token", "--sub", "a", "--jwt-secret-file", directory])
        XCTAssertTrue(aDirectory.exitedWith(2), aDirectory.errors)
        XCTAssertTrue(aDirectory.errors.contains("\(directory): Is a directory"), aDirectory.errors)
    }

    func testTokenWithAnExplicitSecretNeedsNoDataDirectory() throws {
        let nowhere = directory + "/not-there/data"
        let result = try partyhub(["token", "--sub", "a", "--jwt-secret", "s", "--data-dir", nowhere])
        XCTAssertTrue(result.exitedWith(0), result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/not-there"), "token created the data directory")
    }

    func testTheFirstStartHintIsACommandThatWorksAsPrinted() throws {
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary, "no partyhub binary (swift build builds it)")
        // Without --jwt-secret, so the first start generates one and says how to mint a token.
        let data = directory + "/data dir"
        let server = try ChildProcess([binary.path, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data])
        defer { server.signal(SIGTERM); _ = server.waitForExit(timeout: 10) }
        let deadline = Date().addingTimeInterval(60)
        var hint: String?
        while hint == nil, Date() < deadline, server.isRunning {
            if let line = server.output.split(separator: "\n").first(where: { $0.contains("mint a token with: ") }) {
                hint = String(line[line.range(of: "mint a token with: ")!.upperBound...])
                // The message ends where the line's one field (path=...) begins.
                if let fields = hint!.range(of: " path=", options: .backwards) { hint = String(hint![..<fields.lowerBound]) }
            }
            usleep(10_000)
        }
        let command = try XCTUnwrap(hint, "no hint in the log:\n\(server.output)")
        XCTAssertTrue(command.hasPrefix("/"), "not an absolute path: \(command)")
        // Run as printed, by a shell in another directory, with no partyhub on PATH.
        let result = try ChildProcess.run(["sh", "-c", "cd / && PATH=/usr/bin:/bin " + command], timeout: 60, separateErrors: true)
        XCTAssertTrue(result.exitedWith(0), "\(command): \(result.errors)")
        XCTAssertEqual(result.output.split(separator: ".").count, 3, result.output)
    }
}
