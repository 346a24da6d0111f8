import Foundation
import XCTest

@testable import Realtime

/// Quick measurements, printed and not asserted, when PARTYHUB_STORAGE_BENCH=1 (run them on a
/// release build: `swift test -c release -Xswiftc -enable-testing --filter StorageBenchmarkTests`):
/// fdatasync latency for 4 KiB log appends with and without fallocate preallocation, and
/// CRC32C throughput on the SSE4.2 instruction and on the table.
final class StorageBenchmarkTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(
            ProcessInfo.processInfo.environment["PARTYHUB_STORAGE_BENCH"] == "1", "set PARTYHUB_STORAGE_BENCH=1")
    }

    func testSyncLatencyOfFourKiBAppends() throws {
        let appends = 2000
        let fileSystem = PosixFileSystem()
        let root = NSTemporaryDirectory() + "partyhub-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let payload = [UInt8](repeating: 0x42, count: 4096 - LogFormat.recordHeaderBytes - LogFormat.minRecordLength)
        var latencies: [Bool: (write: [Double], sync: [Double])] = [false: ([], []), true: ([], [])]
        // Alternate the two set-ups so that other load on the machine falls on both alike.
        for round in 0..<4 {
            for preallocate in [false, true] {
                let directory = root + "/\(round)-\(preallocate)"
                _ = try fileSystem.createDirectory(directory)
                let writer = try LogWriter(
                    fileSystem: fileSystem, directory: directory, segmentBytes: 64 << 20, pinned: [], firstLSN: 1,
                    preallocate: preallocate)
                var builder = LogBatchBuilder()
                for index in 0..<(appends / 4) {
                    builder.removeAll()
                    payload.withUnsafeBytes { builder.append(lsn: UInt64(index + 1), type: .hubInput, payload: $0) }
                    let start = ContinuousClock.now
                    try writer.write(builder.batch)
                    let written = ContinuousClock.now
                    try writer.sync()
                    let synced = ContinuousClock.now
                    latencies[preallocate]!.write.append(microseconds(written - start))
                    latencies[preallocate]!.sync.append(microseconds(synced - written))
                }
                writer.close()
            }
        }
        // For comparison, what LogWriter does not do: a file filled with zeros and synced first,
        // then overwritten in place (PostgreSQL's WAL segments). The size never changes, so
        // fdatasync has no metadata to commit.
        var inPlace: [Double] = []
        for round in 0..<4 {
            let path = root + "/in-place-\(round)"
            let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL, 0o644)
            XCTAssertGreaterThanOrEqual(descriptor, 0)
            defer { close(descriptor) }
            let zeros = [UInt8](repeating: 0, count: 1 << 20)
            for offset in stride(from: 0, to: appends / 4 * 4096, by: zeros.count) {
                XCTAssertEqual(
                    zeros.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }, zeros.count)
            }
            XCTAssertEqual(fsync(descriptor), 0)
            let block = [UInt8](repeating: 0x42, count: 4096)
            for index in 0..<(appends / 4) {
                XCTAssertEqual(
                    block.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, 4096, off_t(index * 4096)) }, 4096)
                let written = ContinuousClock.now
                XCTAssertEqual(fdatasync(descriptor), 0)
                inPlace.append(microseconds(ContinuousClock.now - written))
            }
        }
        print("storage bench: \(appends) appends of 4 KiB, each one write + fdatasync, in \(root)")
        for preallocate in [false, true] {
            let (write, sync) = latencies[preallocate]!
            print(
                "storage bench: \(preallocate ? "fallocate    " : "no fallocate ") fdatasync p50 \(format(percentile(sync, 50))) µs"
                    + "  p99 \(format(percentile(sync, 99))) µs  max \(format(sync.max()!)) µs;"
                    + "  write p50 \(format(percentile(write, 50))) µs p99 \(format(percentile(write, 99))) µs")
        }
        print(
            "storage bench: zero-filled, overwritten in place (not LogWriter): fdatasync p50"
                + " \(format(percentile(inPlace, 50))) µs  p99 \(format(percentile(inPlace, 99))) µs"
                + "  max \(format(inPlace.max()!)) µs")
    }

    func testCRC32CThroughput() {
        let bytes = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        bytes.withUnsafeBytes { buffer in
            for (name, checksum) in implementations() {
                for size in [64, 4096, 1 << 20] {
                    let slice = UnsafeRawBufferPointer(rebasing: buffer[..<size])
                    let rounds = (256 << 20) / size
                    var crc: UInt32 = 0
                    let start = ContinuousClock.now
                    for _ in 0..<rounds { crc = checksum(slice, crc) }
                    let seconds = seconds(ContinuousClock.now - start)
                    let gigabytes = Double(rounds * size) / 1e9
                    print(
                        "storage bench: CRC32C \(name) \(size) B: \(format(gigabytes / seconds)) GB/s (\(String(crc, radix: 16)))"
                    )
                }
            }
        }
    }

    private func implementations() -> [(String, (UnsafeRawBufferPointer, UInt32) -> UInt32)] {
        var result: [(String, (UnsafeRawBufferPointer, UInt32) -> UInt32)] = [
            ("software", { CRC32C.softwareChecksum($0, continuing: $1) })
        ]
        if CRC32C.hardwareAvailable {
            result.insert(("hardware", { CRC32C.hardwareChecksum($0, continuing: $1) }), at: 0)
        }
        return result
    }

    private func microseconds(_ duration: Duration) -> Double { seconds(duration) * 1e6 }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func percentile(_ values: [Double], _ percent: Int) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, sorted.count * percent / 100)]
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
