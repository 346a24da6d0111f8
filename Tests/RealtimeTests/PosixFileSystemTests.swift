import Foundation
import XCTest

@testable import Realtime

/// `PosixFileSystem` on real files in a temporary directory, and the whole storage layer on it.
final class PosixFileSystemTests: XCTestCase {
    private let fileSystem = PosixFileSystem()
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "partyhub-storage-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        XCTAssertTrue(try fileSystem.createDirectory(root + "/data"))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private var directory: String { root + "/data" }

    func testFileOperationsDoWhatTheySay() throws {
        XCTAssertFalse(try fileSystem.createDirectory(directory), "an existing directory is fine")
        let path = directory + "/a"
        let file = try fileSystem.createFile(path)
        try Array("hello, ".utf8).withUnsafeBytes { try fileSystem.append(file, $0) }
        try Array("world".utf8).withUnsafeBytes { try fileSystem.append(file, $0) }
        try fileSystem.preallocate(file, length: 1 << 20)
        XCTAssertEqual(try fileSystem.size(file), 12, "preallocation keeps the size")
        try fileSystem.sync(file)
        fileSystem.close(file)
        XCTAssertEqual(try fileSystem.readAll(path), Array("hello, world".utf8))

        let reader = try fileSystem.openFile(path, writable: false)
        var buffer = [UInt8](repeating: 0, count: 5)
        let count = try buffer.withUnsafeMutableBytes { try fileSystem.read(reader, at: 7, into: $0) }
        XCTAssertEqual(count, 5)
        XCTAssertEqual(buffer, Array("world".utf8))
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try fileSystem.read(reader, at: 12, into: $0) }, 0)
        fileSystem.close(reader)

        let writer = try fileSystem.openFile(path, writable: true)
        try fileSystem.truncate(writer, to: 5)
        try Array("!".utf8).withUnsafeBytes { try fileSystem.append(writer, $0) }
        try fileSystem.sync(writer)
        fileSystem.close(writer)
        XCTAssertEqual(try fileSystem.readAll(path), Array("hello!".utf8), "writes after a truncation append")

        try fileSystem.rename(path, to: directory + "/b")
        try fileSystem.syncDirectory(directory)
        XCTAssertEqual(try fileSystem.listDirectory(directory), ["b"])
        try fileSystem.remove(directory + "/b")
        XCTAssertEqual(try fileSystem.listDirectory(directory), [])
    }

    func testCreateRefusesAnExistingFile() throws {
        fileSystem.close(try fileSystem.createFile(directory + "/a"))
        XCTAssertThrowsError(try fileSystem.createFile(directory + "/a")) { error in
            XCTAssertEqual((error as? StorageError)?.errno, EEXIST)
            XCTAssertEqual("\(error)", "create \(self.directory)/a: file exists (EEXIST)")
        }
    }

    func testErrorsNameTheOperationThePathAndTheErrno() {
        XCTAssertThrowsError(try fileSystem.openFile(directory + "/missing", writable: false)) { error in
            let error = error as? StorageError
            XCTAssertEqual(error?.operation, "open")
            XCTAssertEqual(error?.path, self.directory + "/missing")
            XCTAssertEqual(error?.errno, ENOENT)
        }
        XCTAssertThrowsError(try fileSystem.readAll(directory + "/missing"))
        XCTAssertThrowsError(try fileSystem.listDirectory(directory + "/missing"))
        XCTAssertThrowsError(try fileSystem.remove(directory + "/missing"))
        XCTAssertThrowsError(try fileSystem.rename(directory + "/missing", to: directory + "/x")) { error in
            XCTAssertEqual(
                "\(error)",
                "rename \(self.directory)/missing -> \(self.directory)/x: no such file or directory (ENOENT)")
        }
    }

    func testNoSpaceLeftOnDeviceIsNamedClearly() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/dev/full"), "no /dev/full")
        let full = try fileSystem.openFile("/dev/full", writable: true)
        defer { fileSystem.close(full) }
        XCTAssertThrowsError(try [UInt8](repeating: 1, count: 100).withUnsafeBytes { try fileSystem.append(full, $0) })
        { error in
            XCTAssertTrue((error as? StorageError)?.isNoSpace ?? false)
            XCTAssertEqual("\(error)", "write /dev/full: no space left on device (ENOSPC)")
        }
    }

    func testTheLogAndSnapshotsWorkOnRealFiles() throws {
        let data = try DataDirectory(path: directory)
        let writer = try LogWriter(
            fileSystem: fileSystem, directory: directory, segmentBytes: 4096, pinned: [1, 2], firstLSN: 1)
        var builder = LogBatchBuilder()
        for lsn: UInt64 in 1...500 {
            LogFixture.payload(lsn).withUnsafeBytes { builder.append(lsn: lsn, type: .hubInput, payload: $0) }
            if lsn % 10 == 0 {
                try writer.write(builder.batch)
                try writer.sync()
                builder.removeAll()
            }
        }
        writer.close()
        let store = SnapshotStore(fileSystem: fileSystem, directory: directory)
        for lsn: UInt64 in [100, 200, 300] {
            try LogFixture.payload(lsn).withUnsafeBytes { _ = try store.write(lsn: lsn, pinned: [3], payload: $0) }
        }
        let pruned = try store.prune()
        XCTAssertEqual(pruned.removedSnapshots.count, 1)
        XCTAssertFalse(pruned.removedSegments.isEmpty)

        // Tear the newest segment's last record as a crash would.
        let newest = try XCTUnwrap(data.listing().segments.last).path
        let size = try fileSystem.readAll(newest).count
        XCTAssertEqual(Glibc.truncate(newest, off_t(size - 5)), 0)

        let snapshot = try XCTUnwrap(store.loadNewest().snapshot)
        XCTAssertEqual(snapshot.lsn, 300)
        var lsns: [UInt64] = []
        let report = try LogRecovery.scanLog(fileSystem: fileSystem, directory: directory, fromLSN: snapshot.lsn + 1) {
            record in
            XCTAssertEqual(Array(record.payload), LogFixture.payload(record.lsn))
            lsns.append(record.lsn)
        }
        XCTAssertEqual(lsns, Array(301...499))
        XCTAssertEqual(report.damage?.kind, .tornTail)
        let lastRecordSize = LogFormat.recordHeaderBytes + LogFormat.minRecordLength + LogFixture.payload(500).count
        XCTAssertEqual(try fileSystem.readAll(newest).count, size - lastRecordSize, "cut back to record 499's end")
        XCTAssertEqual(report.nextLSN, 500)
        data.unlock()
    }
}
