import Foundation
import Glibc

/// A child process found on PATH, its stdout and stderr together in a temp file (no pipe to
/// fill up and block it).
final class ChildProcess: @unchecked Sendable {
    struct Result {
        let reason: Process.TerminationReason
        let status: Int32
        let output: String

        func exitedWith(_ code: Int32) -> Bool { reason == .exit && status == code }
        var description: String { reason == .exit ? "exit status \(status)" : "signal \(status)" }
    }

    private let process = Process()
    private let outputFile: URL

    /// Starts `command` (looked up on PATH).
    init(_ command: [String]) throws {
        outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("partyhub-interop-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputFile)
        defer { try? handle.close() }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: outputFile)
    }

    /// Runs `command` to its end; a run over `timeout` seconds is killed and reported.
    static func run(_ command: [String], timeout: TimeInterval) throws -> Result {
        let child = try ChildProcess(command)
        if !child.waitForExit(timeout: timeout) {
            child.kill()
            let output = child.output
            return Result(reason: .uncaughtSignal, status: SIGKILL, output: output + "\n(killed after \(Int(timeout)) s)")
        }
        return child.result
    }

    var isRunning: Bool { process.isRunning }
    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
    var result: Result { Result(reason: process.terminationReason, status: process.terminationStatus, output: output) }
    var terminationDescription: String { isRunning ? "still running" : result.description }

    func signal(_ number: Int32) {
        if process.isRunning { Glibc.kill(process.processIdentifier, number) }
    }

    func kill() {
        guard process.isRunning else { return }
        signal(SIGKILL)
        _ = waitForExit(timeout: 10)
    }

    /// Waits up to `timeout` seconds; returns whether the process has exited.
    func waitForExit(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { return false }
            usleep(10_000)
        }
        return true
    }
}

extension ChildProcess {
    /// The `partyhub` built with the tests: beside the test runner, else `.build/debug`.
    static var partyhubBinary: URL? {
        var directories = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(packageRoot.appendingPathComponent(".build/debug"))
        return directories.map { $0.appendingPathComponent("partyhub") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The package root: this file is `<root>/Tests/RealtimeTests/Support/ChildProcess.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
