import XCTest

@testable import Realtime

/// Replays every checked-in fuzz input (`Tests/Fuzz/corpus/<target>/` and
/// `Tests/Fuzz/crashes/<target>/`) through the entry points the libFuzzer harness calls
/// (`FuzzTarget.run`, Tests/Fuzz/FuzzTargets.swift). A parser that traps on one of them fails
/// the whole test run; a crash found once stays replayed for good.
final class FuzzCorpusReplayTests: XCTestCase {
    /// The repository's Tests/Fuzz, found from this file's path (not a SwiftPM resource, so the
    /// harness and the test read the same files in place).
    private static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    private func inputs(_ kind: String, _ target: FuzzTarget) throws -> [URL] {
        let directory = Self.fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testEveryTargetHasASeedCorpus() throws {
        for target in FuzzTarget.allCases {
            XCTAssertGreaterThanOrEqual(try inputs("corpus", target).count, 3, "Tests/Fuzz/corpus/\(target.rawValue)")
        }
    }

    func testEveryCorpusInputReturns() throws {
        for target in FuzzTarget.allCases {
            for file in try inputs("corpus", target) { target.run(Array(try Data(contentsOf: file))) }
        }
    }

    func testEveryRecordedCrashReturns() throws {
        let crashes = Self.fuzzDirectory.appendingPathComponent("crashes")
        let names = try FileManager.default.contentsOfDirectory(atPath: crashes.path).filter { !$0.hasPrefix(".") }
        for name in names where !name.hasSuffix(".md") {
            XCTAssertNotNil(FuzzTarget(rawValue: name), "Tests/Fuzz/crashes/\(name) is named for no fuzz target")
        }
        for target in FuzzTarget.allCases {
            for file in try inputs("crashes", target) { target.run(Array(try Data(contentsOf: file))) }
        }
    }

    /// The log targets are only worth fuzzing if their seeds get past the checksums: at least
    /// one seed segment must hand over hub input records that decode, and one payload seed
    /// must decode, or the corpus explores nothing but the first check.
    func testTheLogSeedsReachTheDecoders() throws {
        var decodedSegments = 0
        for file in try inputs("corpus", .logSegment) {
            let bytes = Array(try Data(contentsOf: file))
            let path = "/fuzz/" + LogFormat.segmentName(firstLSN: 1)
            let fileSystem = try segmentFileSystem(bytes, path: path)
            var decoded = 0
            _ = try LogRecovery.verifyLog(fileSystem: fileSystem, directory: "/fuzz") { record in
                if record.type == .hubInput, (try? HubInput(decodingPayload: record.payload)) != nil { decoded += 1 }
            }
            if decoded > 0 { decodedSegments += 1 }
        }
        XCTAssertGreaterThan(decodedSegments, 0, "no seed segment holds a hub input that decodes")
        var decodedPayloads = 0
        for file in try inputs("corpus", .logPayload) {
            let bytes = Array(try Data(contentsOf: file))
            if (try? bytes.withUnsafeBytes { try HubInput(decodingPayload: $0) }) != nil { decodedPayloads += 1 }
        }
        XCTAssertGreaterThan(decodedPayloads, 0, "no seed payload decodes")
    }

    private func segmentFileSystem(_ bytes: [UInt8], path: String) throws -> FaultInjectingFileSystem {
        let fileSystem = FaultInjectingFileSystem()
        _ = try fileSystem.createDirectory("/fuzz")
        let file = try fileSystem.createFile(path)
        try bytes.withUnsafeBytes { try fileSystem.append(file, $0) }
        fileSystem.close(file)
        return fileSystem
    }
}
