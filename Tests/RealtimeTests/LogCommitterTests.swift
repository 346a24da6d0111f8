import Foundation
import Glibc
import XCTest

@testable import Realtime

/// The log committer's promise: a batch is reported durable only once written and synced
/// (`always`), or written (`everysec`, `none`); a failed write or fdatasync is never retried
/// and never reported, nor is anything after it, and the failure hook is called (in the
/// server it logs and exits). Batches handed over during a sync share the next one (group
/// commit). The writer runs on the fault-injecting file system, on the committer's thread.
final class LogCommitterTests: XCTestCase {
    // MARK: Fail-stop

    func testFailedSyncIsNeverReportedDurableNorIsAnythingAfterIt() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        log.fileSystem.failNext(.sync, with: EIO)
        let observer = CommitObserver(failure: expectation(description: "the failed hook is called"))
        let committer = LogCommitter(writer: writer, policy: .always, lastLSN: 0, metrics: PersistenceMetrics())
        try committer.start(hooks: observer.hooks)

        XCTAssertNil(committer.submit(Self.batch(1...3)))
        wait(for: [observer.failure], timeout: 10)
        XCTAssertNil(committer.submit(Self.batch(4...6)), "handed over after the failure")
        usleep(300_000)
        XCTAssertEqual(observer.durableLSNs, [], "neither the failed batch nor a later one is reported")
        let error = try XCTUnwrap(observer.error)
        XCTAssertEqual(error.errno, EIO)
        XCTAssertEqual(error.operation, "sync")
        XCTAssertEqual(error.path, writer.segmentPath)
    }

    func testNoSpaceOnWriteIsNeverReportedDurableAndSaysSo() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        // A short write, then ENOSPC: the file holds part of the batch.
        log.fileSystem.failNext(.write, with: ENOSPC, afterWriting: 10)
        let observer = CommitObserver(failure: expectation(description: "the failed hook is called"))
        let committer = LogCommitter(writer: writer, policy: .always, lastLSN: 0, metrics: PersistenceMetrics())
        try committer.start(hooks: observer.hooks)

        XCTAssertNil(committer.submit(Self.batch(1...3)))
        wait(for: [observer.failure], timeout: 10)
        XCTAssertNil(committer.submit(Self.batch(4...4)))
        usleep(300_000)
        XCTAssertEqual(observer.durableLSNs, [])
        let error = try XCTUnwrap(observer.error)
        XCTAssertTrue(error.isNoSpace)
        XCTAssertTrue(error.description.contains("no space left on device (ENOSPC)"), error.description)
    }

    // MARK: always

    func testBatchesHandedOverDuringASlowSyncShareTheNextSyncAndAreReportedInOrder() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        let syncsBefore = log.fileSystem.calls[.sync] ?? 0
        let gate = SyncGate()
        log.fileSystem.willCall = { operation in if operation == .sync { gate.arrive() } }
        let observer = CommitObserver()
        let committer = LogCommitter(writer: writer, policy: .always, lastLSN: 0, metrics: PersistenceMetrics())
        try committer.start(hooks: observer.hooks)

        let batches = (0..<UInt64(10)).map { (index: UInt64) -> LogBatch in
            Self.batch((index * 3 + 1)...(index * 3 + 3))
        }
        XCTAssertNil(committer.submit(batches[0]))
        XCTAssertTrue(gate.waitForTheFirstSync(), "the first batch is being synced")
        for batch in batches.dropFirst() { XCTAssertNil(committer.submit(batch)) }
        XCTAssertEqual(observer.durableLSNs, [], "nothing is durable while its sync has not returned")
        gate.open()
        XCTAssertTrue(observer.waitUntilDurable(through: 30), "reported: \(observer.durableLSNs)")
        committer.stop()

        XCTAssertEqual(observer.durableLSNs, [3, 30], "the first batch, then the nine handed over during its sync")
        XCTAssertEqual((log.fileSystem.calls[.sync] ?? 0) - syncsBefore, 2, "two syncs for ten batches")
        XCTAssertEqual(log.fileSystem.calls[.write], 1 + 10, "the header's, then a write per batch")
        log.fileSystem.willCall = nil
        log.assertRecords(try log.scan(), are: 1...30)
    }

    func testManyBatchesAreReportedDurableInOrderWithFewerSyncsThanBatches() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        let syncsBefore = log.fileSystem.calls[.sync] ?? 0
        // An fdatasync of a fifth of a millisecond, as on a fast disk.
        log.fileSystem.willCall = { operation in if operation == .sync { usleep(200) } }
        let observer = CommitObserver()
        let committer = LogCommitter(writer: writer, policy: .always, lastLSN: 0, metrics: PersistenceMetrics())
        try committer.start(hooks: observer.hooks)
        for lsn: UInt64 in 1...2_000 { XCTAssertNil(committer.submit(Self.batch(lsn...lsn))) }
        XCTAssertTrue(observer.waitUntilDurable(through: 2_000))
        committer.stop()
        let reported = observer.durableLSNs
        XCTAssertEqual(reported, reported.sorted(), "in order")
        XCTAssertEqual(Set(reported).count, reported.count, "each once")
        let syncs = (log.fileSystem.calls[.sync] ?? 0) - syncsBefore
        XCTAssertEqual(syncs, reported.count, "each sync reports what it made durable")
        XCTAssertLessThan(syncs, 2_000, "batches handed over during a sync share the next")
        log.fileSystem.willCall = nil
        log.assertRecords(try log.scan(), are: 1...2_000)
    }

    // MARK: everysec and none

    func testEverysecReportsAfterTheWriteAndSyncsWithinASecond() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        let gate = SyncGate()
        log.fileSystem.willCall = { operation in
            if operation == .sync { gate.arrive() }
        }
        let observer = CommitObserver()
        let metrics = PersistenceMetrics()
        let committer = LogCommitter(writer: writer, policy: .everysec, lastLSN: 0, metrics: metrics)
        try committer.start(hooks: observer.hooks)

        XCTAssertNil(committer.submit(Self.batch(1...2)))
        XCTAssertTrue(observer.waitUntilDurable(through: 2), "reported once written")
        XCTAssertEqual(metrics.value(.durableLSN), 2, "and shown in /metrics, as under none and always")
        XCTAssertTrue(gate.waitForTheFirstSync(), "and synced too")
        gate.open()
        // Everything was synced just now: the next batch is reported at once, synced within
        // about a second of its write.
        usleep(100_000)
        let syncsBefore = gate.arrivals
        let submitted = Date()
        XCTAssertNil(committer.submit(Self.batch(3...3)))
        XCTAssertTrue(observer.waitUntilDurable(through: 3))
        XCTAssertLessThan(Date().timeIntervalSince(submitted), 0.5, "not held for the sync")
        XCTAssertTrue(gate.waitForArrival(after: syncsBefore, timeout: 5), "a sync follows")
        let syncedAfter = Date().timeIntervalSince(submitted)
        XCTAssertGreaterThan(syncedAfter, 0.5, "not synced at once: the last sync was recent")
        XCTAssertLessThan(syncedAfter, 2.5, "synced within about a second")
        committer.stop()
        log.fileSystem.willCall = nil
        log.assertRecords(try log.scan(), are: 1...3)
    }

    func testNoneWritesInlineAndSubmitReturnsTheLSN() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        let syncsBefore = log.fileSystem.calls[.sync] ?? 0
        let observer = CommitObserver()
        let committer = LogCommitter(writer: writer, policy: .none, lastLSN: 0, metrics: PersistenceMetrics())
        try committer.start(hooks: observer.hooks)
        XCTAssertEqual(committer.submit(Self.batch(1...4)), 4)
        XCTAssertEqual(committer.submit(Self.batch(5...5)), 5)
        XCTAssertEqual(log.fileSystem.calls[.write], 1 + 2, "the header, then both batches before submit returned")
        XCTAssertEqual(log.fileSystem.calls[.sync] ?? 0, syncsBefore, "and never synced")
        committer.syncIfRequested()
        XCTAssertEqual(log.fileSystem.calls[.sync] ?? 0, syncsBefore, "nobody asked for a sync")
        committer.stop()
        XCTAssertEqual(log.fileSystem.calls[.sync] ?? 0, syncsBefore + 1, "the clean stop syncs")
        XCTAssertEqual(observer.durableLSNs, [], "the loop releases the returned LSN itself")
        log.assertRecords(try log.scan(), are: 1...5)
    }

    // MARK: Helpers

    /// A batch of LogFixture records.
    private static func batch(_ lsns: ClosedRange<UInt64>) -> LogBatch {
        var builder = LogBatchBuilder()
        for lsn in lsns {
            LogFixture.payload(lsn).withUnsafeBytes { builder.append(lsn: lsn, type: .hubInput, payload: $0) }
        }
        return builder.batch
    }
}

/// What the committer reported, from its thread: the LSNs made durable, in order, and the
/// failure. Its failure hook, like the server's, never returns: it parks the log thread.
private final class CommitObserver: @unchecked Sendable {
    let failure: XCTestExpectation
    private let lock = NSCondition()
    private var durable: [UInt64] = []
    private var failedWith: StorageError?

    init(failure: XCTestExpectation? = nil) {
        self.failure = failure ?? XCTestExpectation(description: "no failure expected")
        if failure == nil { self.failure.isInverted = true }
    }

    var hooks: LogCommitter.Hooks {
        LogCommitter.Hooks(
            durable: { [self] lsn in
                lock.lock()
                durable.append(lsn)
                lock.broadcast()
                lock.unlock()
            },
            failed: { [self] error in
                lock.lock()
                failedWith = error
                lock.unlock()
                failure.fulfill()
                // Like `_exit(3)` in the server: nothing after the failure runs on this thread.
                let never = DispatchSemaphore(value: 0)
                while true { never.wait() }
            })
    }

    var durableLSNs: [UInt64] {
        lock.lock()
        defer { lock.unlock() }
        return durable
    }

    var error: StorageError? {
        lock.lock()
        defer { lock.unlock() }
        return failedWith
    }

    /// Waits (up to 10 s) until an LSN of at least `lsn` is reported.
    func waitUntilDurable(through lsn: UInt64) -> Bool {
        let deadline = Date(timeIntervalSinceNow: 10)
        lock.lock()
        defer { lock.unlock() }
        while (durable.last ?? 0) < lsn {
            if !lock.wait(until: deadline) { return false }
        }
        return true
    }
}

/// Holds the first fdatasync until `open()`, and counts the syncs that came: a slow disk.
private final class SyncGate: @unchecked Sendable {
    private let lock = NSCondition()
    private var isOpen = false
    private var count = 0

    /// On the log thread, at each sync: the first waits for `open()`.
    func arrive() {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        lock.broadcast()
        while !isOpen { lock.wait() }
    }

    var arrivals: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    func waitForTheFirstSync() -> Bool { waitForArrival(after: 0, timeout: 10) }

    /// Waits until more than `previous` syncs came.
    func waitForArrival(after previous: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        lock.lock()
        defer { lock.unlock() }
        while count <= previous {
            if !lock.wait(until: deadline) { return false }
        }
        return true
    }

    func open() {
        lock.lock()
        isOpen = true
        lock.broadcast()
        lock.unlock()
    }
}
