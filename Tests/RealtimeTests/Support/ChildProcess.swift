import Foundation
import Glibc

/// A child process found on PATH, its stdout and stderr together in a temp file (no pipe to
/// fill up and block it), or stderr in a second file when asked.
final class ChildProcess: @unchecked Sendable {
    struct Result {
        let reason: Process.TerminationReason
        let status: Int32
        /// Standard output, with standard error unless it was kept apart.
        let output: String
        /// Standard error when it was kept apart, else empty.
        let errors: String

        func exitedWith(_ code: Int32) -> Bool { reason == .exit && status == code }
        var description: String { reason == .exit ? "exit status \(status)" : "signal \(status)" }
    }

    private let process = Process()
    private let outputFile: URL
    private let errorFile: URL?

    /// Starts `command` (looked up on PATH); `separateErrors` keeps its stderr apart from its stdout.
    init(_ command: [String], separateErrors: Bool = false) throws {
        let stem = FileManager.default.temporaryDirectory.appendingPathComponent("partyhub-interop-\(UUID().uuidString)")
        outputFile = stem.appendingPathExtension("log")
        errorFile = separateErrors ? stem.appendingPathExtension("stderr.log") : nil
        var handles: [FileHandle] = []
        defer { for handle in handles { try? handle.close() } }
        for file in [outputFile] + (errorFile.map { [$0] } ?? []) {
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
            handles.append(try FileHandle(forWritingTo: file))
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handles[0]
        process.standardError = handles.last!
        try process.run()
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: outputFile)
        if let errorFile { try? FileManager.default.removeItem(at: errorFile) }
    }

    /// Runs `command` to its end; a run over `timeout` seconds is stopped (SIGTERM, so it can
    /// clean up after itself, then SIGKILL) and reported.
    static func run(_ command: [String], timeout: TimeInterval, separateErrors: Bool = false) throws -> Result {
        let child = try ChildProcess(command, separateErrors: separateErrors)
        if !child.waitForExit(timeout: timeout) {
            // Reported as the signal that stopped it, whatever it exited with on the way out.
            var signal = SIGTERM
            child.signal(SIGTERM)
            if !child.waitForExit(timeout: 10) {
                signal = SIGKILL
                child.kill()
            }
            let note = "\n(stopped by signal \(signal) after \(Int(timeout)) s)"
            return Result(reason: .uncaughtSignal, status: signal, output: child.output + note, errors: child.errors)
        }
        return child.result
    }

    var isRunning: Bool { process.isRunning }
    var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
    var errors: String { errorFile.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? "" }
    var result: Result {
        Result(reason: process.terminationReason, status: process.terminationStatus, output: output, errors: errors)
    }
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
