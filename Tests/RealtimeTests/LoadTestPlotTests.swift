import Foundation
import XCTest

/// `loadtest/plot.py` draws a bot's per-second series (`churn --json`'s "seconds") as a PNG,
/// and says `pip install matplotlib` when matplotlib is missing. The drawing is skipped where
/// matplotlib is not installed (`.ci/run` installs it, so CI draws); the missing-matplotlib message is checked
/// everywhere python3 is, by shadowing the package with one that fails to import.
final class LoadTestPlotTests: XCTestCase {
    private static let script = ChildProcess.packageRoot.appendingPathComponent("loadtest/plot.py").path
    private var directory = ""

    override func setUpWithError() throws {
        guard (try? ChildProcess.run(["python3", "--version"], timeout: 30))?.exitedWith(0) == true else {
            throw XCTSkip("python3 is not on PATH")
        }
        directory = NSTemporaryDirectory() + "partyhub-plot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if !directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
        super.tearDown()
    }

    /// A result of three seconds: one of warm-up, two measured, the middle one slow.
    private func writeResult() throws -> String {
        let path = directory + "/result.json"
        let second = { (t: Double, inWindow: Bool, replies: Int, p99: Double) in
            #"{"t_s":\#(t),"width_s":1,"in_window":\#(inWindow),"replies":\#(replies),"per_s":\#(replies),"#
                + #""p50_us":120,"p99_us":\#(p99),"p999_us":\#(p99 * 2),"max_us":\#(p99 * 3)}"#
        }
        let json = #"{"scenario":"churn","config":{"url":"ws://127.0.0.1:1/","groups":2,"size":5,"duration_s":2,"warmup_s":1},"#
            + #""commands":{"per_s":15000},"errors":{"window":0},"seconds":["#
            + [second(-1, false, 9000, 900), second(0, true, 15000, 800), second(1, true, 4000, 25000)].joined(separator: ",") + "]}"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testItDrawsAPNGOfTheSeries() throws {
        guard (try? ChildProcess.run(["python3", "-c", "import matplotlib"], timeout: 60))?.exitedWith(0) == true else {
            throw XCTSkip("matplotlib is not installed (pip install matplotlib)")
        }
        let png = directory + "/out.png"
        let result = try ChildProcess.run(["python3", Self.script, try writeResult(), png], timeout: 120, separateErrors: true)
        XCTAssertTrue(result.exitedWith(0), result.errors)
        XCTAssertTrue(result.errors.contains("(3 seconds)"), result.errors)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: png))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG")
        XCTAssertGreaterThan(bytes.count, 10_000, "an empty figure?")
    }

    func testAResultWithoutASeriesIsRefused() throws {
        guard (try? ChildProcess.run(["python3", "-c", "import matplotlib"], timeout: 60))?.exitedWith(0) == true else {
            throw XCTSkip("matplotlib is not installed (pip install matplotlib)")
        }
        let old = directory + "/old.json"
        try #"{"scenario":"churn"}"#.write(toFile: old, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(["python3", Self.script, old, directory + "/out.png"], timeout: 120, separateErrors: true)
        XCTAssertTrue(result.exitedWith(1), result.errors)
        XCTAssertTrue(result.errors.contains("no per-second series"), result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/out.png"))
    }

    func testWithoutMatplotlibItSaysHowToInstallIt() throws {
        let shadow = directory + "/shadow/matplotlib"
        try FileManager.default.createDirectory(atPath: shadow, withIntermediateDirectories: true)
        try "raise ImportError('no matplotlib here')\n".write(toFile: shadow + "/__init__.py", atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(
            ["env", "PYTHONPATH=\(directory)/shadow", "python3", Self.script, try writeResult(), directory + "/out.png"], timeout: 60,
            separateErrors: true)
        XCTAssertTrue(result.exitedWith(2), result.errors)
        XCTAssertTrue(result.errors.contains("pip install matplotlib"), result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/out.png"))
    }
}
