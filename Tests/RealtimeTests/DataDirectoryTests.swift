import Foundation
import XCTest

@testable import Realtime

/// Opening the data directory: created when missing, locked against a second process,
/// cleared of stray temporaries, other files left alone.
final class DataDirectoryTests: XCTestCase {
    func testMissingDirectoryIsCreatedAndHasNothingToRecover() throws {
        let fileSystem = FaultInjectingFileSystem()
        _ = try fileSystem.createDirectory("/srv")
        let directory = try DataDirectory(path: "/srv/partyhub-data", fileSystem: fileSystem)
        XCTAssertTrue(directory.wasCreated)
        XCTAssertTrue(try directory.listing().isEmpty)
        XCTAssertEqual(fileSystem.calls[.syncDirectory], 1, "the new directory's entry in its parent is synced")
        let report = try LogRecovery.scanLog(fileSystem: fileSystem, directory: directory.path) { _ in }
        XCTAssertEqual(report.nextLSN, 1)
    }

    func testExistingEmptyDirectoryHasNothingToRecover() throws {
        let log = LogFixture()
        let directory = try DataDirectory(path: log.directory, fileSystem: log.fileSystem)
        XCTAssertFalse(directory.wasCreated)
        XCTAssertTrue(try directory.listing().isEmpty)
        XCTAssertEqual(log.fileSystem.names(in: "/data"), ["LOCK"])
    }

    func testStrayTemporariesAreRemovedAndOtherFilesLeftAlone() throws {
        let log = LogFixture()
        for name in [
            "snapshot-00000000000000000042.snap.tmp", "wal-00000000000000000001.log.tmp", "jwt-secret", "notes.tmp",
            "wal-1.log", "snapshot-00000000000000000010.snap", "wal-00000000000000000011.log",
            "wal-00000000000000000001.log",
        ] {
            log.fileSystem.install([1, 2, 3], at: "/data/" + name)
        }
        let directory = try DataDirectory(path: log.directory, fileSystem: log.fileSystem)
        XCTAssertEqual(
            directory.removedTemporaries,
            ["/data/snapshot-00000000000000000042.snap.tmp", "/data/wal-00000000000000000001.log.tmp"])
        let listing = try directory.listing()
        XCTAssertEqual(listing.segments.map(\.lsn), [1, 11])
        XCTAssertEqual(listing.snapshots.map(\.name), ["snapshot-00000000000000000010.snap"])
        XCTAssertTrue(listing.temporaries.isEmpty)
        XCTAssertEqual(
            log.fileSystem.names(in: "/data"),
            [
                "LOCK", "jwt-secret", "notes.tmp", "snapshot-00000000000000000010.snap", "wal-00000000000000000001.log",
                "wal-00000000000000000011.log", "wal-1.log",
            ])
        log.fileSystem.simulateCrash()
        XCTAssertFalse(
            log.fileSystem.names(in: "/data").contains { $0.hasSuffix(".snap.tmp") }, "the removal was synced")
    }

    func testListingSortsByLSNNotByDiscoveryOrder() throws {
        let log = LogFixture()
        for lsn: UInt64 in [100, 2, 30, 1] {
            log.fileSystem.install([], at: "/data/" + LogFormat.segmentName(firstLSN: lsn))
            log.fileSystem.install([], at: "/data/" + LogFormat.snapshotName(lsn: lsn + 5))
        }
        let listing = try DataDirectoryListing(fileSystem: log.fileSystem, directory: log.directory)
        XCTAssertEqual(listing.segments.map(\.lsn), [1, 2, 30, 100])
        XCTAssertEqual(listing.snapshots.map(\.lsn), [6, 7, 35, 105])
    }

    func testSecondOpenOfALockedDirectoryFailsWithAClearMessage() throws {
        let log = LogFixture()
        let first = try DataDirectory(path: log.directory, fileSystem: log.fileSystem)
        XCTAssertThrowsError(try DataDirectory(path: log.directory, fileSystem: log.fileSystem)) { error in
            XCTAssertEqual("\(error)", "data directory /data is in use by another partyhub process")
        }
        first.unlock()
        XCTAssertNoThrow(try DataDirectory(path: log.directory, fileSystem: log.fileSystem))
    }

    func testSecondDataDirectoryOnTheSamePathFailsOnRealFiles() throws {
        let root = NSTemporaryDirectory() + "partyhub-lock-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/partyhub-data"
        var first: DataDirectory? = try DataDirectory(path: path)
        XCTAssertTrue(first!.wasCreated)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "/LOCK"))
        // flock locks belong to the open file, so a second open in this process conflicts
        // exactly as another process's would.
        XCTAssertThrowsError(try DataDirectory(path: path)) { error in
            XCTAssertEqual("\(error)", "data directory \(path) is in use by another partyhub process")
            XCTAssertTrue((error as? StorageError)?.isDirectoryInUse ?? false)
        }
        first = nil
        XCTAssertNoThrow(try DataDirectory(path: path), "the lock goes with the object")
        _ = first
    }

    func testLockHeldByAnotherProcessIsRefused() throws {
        let flock = "/usr/bin/flock"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: flock), "util-linux flock(1) is not installed")
        let root = NSTemporaryDirectory() + "partyhub-lock-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // flock(1) holds the lock while `cat` runs; closing its input ends both.
        let holder = Process()
        let input = Pipe()
        holder.executableURL = URL(fileURLWithPath: flock)
        holder.arguments = ["--exclusive", root + "/LOCK", "cat"]
        holder.standardInput = input
        try holder.run()
        defer {
            try? input.fileHandleForWriting.close()
            holder.waitUntilExit()
        }
        // Wait until the other process holds it.
        var refused: StorageError?
        for _ in 0..<200 {
            do {
                _ = try DataDirectory(path: root)
                usleep(10_000)
            } catch {
                refused = error
                break
            }
        }
        XCTAssertEqual(refused.map { "\($0)" }, "data directory \(root) is in use by another partyhub process")
    }
}
