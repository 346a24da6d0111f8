import Glibc
import XCTest

@testable import Realtime

/// The logger hands lines to a writer thread through a bounded buffer: a thread that logs (an
/// event loop) never waits on a slow output; a full buffer drops lines and counts them.
final class LoggerTests: XCTestCase {
    private var pipeEnds: [Int32] = [-1, -1]

    override func setUpWithError() throws {
        XCTAssertEqual(pipe(&pipeEnds), 0)
    }

    override func tearDown() {
        for end in pipeEnds where end >= 0 { close(end) }
        super.tearDown()
    }

    /// Reads what the pipe holds until `text` has arrived (the writer thread drains into it).
    private static func read(until text: String, from end: Int32) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !String(decoding: received, as: UTF8.self).contains(text) {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(end, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    func testLinesReachTheOutputInOrder() {
        let sink = LogSink(fileDescriptor: pipeEnds[1], capacityBytes: 1 << 16)
        let logger = Logger(minimumLevel: .info, format: .text, sink: sink)
        logger.info("first", ["n": "1"])
        logger.debug("below the level")
        logger.warning("second")
        let text = Self.read(until: "second", from: pipeEnds[0])
        XCTAssertTrue(text.contains(" INFO first n=1\n"), text)
        XCTAssertFalse(text.contains("below the level"))
        XCTAssertLessThan(text.range(of: "first")!.lowerBound, text.range(of: "second")!.lowerBound)
        sink.close()
        XCTAssertEqual(logger.droppedLines, 0)
    }

    /// Nobody reads the pipe: the writer thread blocks in write(2) once the pipe is full, yet
    /// a storm of 10,000 lines (1 MiB, far past the pipe and the buffer) returns to the caller.
    func testAStalledOutputDropsAndCountsLinesInsteadOfBlockingTheCaller() {
        let sink = LogSink(fileDescriptor: pipeEnds[1], capacityBytes: 8_192)
        let logger = Logger(minimumLevel: .info, format: .json, sink: sink)
        let padding = String(repeating: "x", count: 80)
        for number in 0..<10_000 { logger.info("storm \(number) \(padding)") }
        XCTAssertGreaterThan(logger.droppedLines, 0, "lines past the buffer are dropped")
        XCTAssertLessThan(logger.droppedLines, 10_000)
        // Once the output is read again, the writer catches up and nothing more is dropped.
        let readEnd = pipeEnds[0]
        let drainer = Thread { _ = Self.read(until: "after the storm", from: readEnd) }
        drainer.start()
        sink.flush(milliseconds: 10_000)
        let droppedInTheStorm = logger.droppedLines
        logger.error("after the storm")
        sink.flush(milliseconds: 10_000)
        XCTAssertEqual(logger.droppedLines, droppedInTheStorm)
        sink.close()
    }
}
