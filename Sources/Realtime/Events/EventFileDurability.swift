import Glibc

/// Makes the stream's files durable when the log can no longer bring them back.
///
/// The hub's loop writes events to their files without syncing them: they are derived from the
/// log, and a start regenerates, by replay, every event after the loaded snapshot's last
/// published offset. That stops being true once a snapshot exists: the log before it may be
/// pruned. So before a snapshot covering offset `p` is written, the snapshot thread calls
/// `makeDurable(through: p)`: it waits until the loop has written the files through `p` (the
/// events are written when the log batch that produced them is durable, so shortly after the
/// snapshot's own wait for the log), then fdatasyncs every segment written since the last such
/// sync, through descriptors of its own (the page cache is the file's, whichever descriptor
/// wrote it), and the directory when segments were created or removed.
///
/// The loop reports what it wrote once per write (a mutex taken once per turn that published
/// something, like the log committer's queue); the sync runs on the snapshot thread.
final class EventFileDurability: @unchecked Sendable {
    private let fileSystem: any StorageFileSystem
    private let directory: String
    private let lock = ConditionLock()
    // Guarded by `lock`:
    private var writtenOffset: UInt64
    private var syncedOffset: UInt64
    /// Segments written since the last sync, oldest first; the last is the one being written.
    private var unsyncedSegments: [String]
    /// Segments were created or removed since the directory was last synced.
    private var directoryChanged = false
    /// Called when a sync fails (set before the threads start): never returns, since a failed
    /// fdatasync proves nothing when retried (the log's rule).
    private var failed: @Sendable (StorageError) -> Never = { error in
        preconditionFailure("an event file sync failed before the hooks were set: \(error)")
    }

    /// Files durable through `syncedOffset`, with `currentSegment` being written.
    init(fileSystem: any StorageFileSystem, directory: String, syncedOffset: UInt64, currentSegment: String) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.writtenOffset = syncedOffset
        self.syncedOffset = syncedOffset
        self.unsyncedSegments = [currentSegment]
    }

    /// Sets what a failed sync calls (before any thread uses this object).
    func setFailureHook(_ hook: @escaping @Sendable (StorageError) -> Never) {
        lock.withLock { failed = hook }
    }

    /// The offset through which the files are known durable.
    var durableOffset: UInt64 { lock.withLock { syncedOffset } }

    // MARK: The hub's loop

    /// The loop wrote the files through `offset`, beginning the segments `started` (in order)
    /// and, when `removedSegments`, deleting old ones.
    func noteWritten(through offset: UInt64, started: [String], removedSegments: Bool) {
        lock.withLock {
            writtenOffset = max(writtenOffset, offset)
            unsyncedSegments.append(contentsOf: started)
            if !started.isEmpty || removedSegments { directoryChanged = true }
            lock.broadcast()
        }
    }

    // MARK: The snapshot thread

    /// Returns once the files are durable through `offset`: waits for the loop to have written
    /// them, then syncs. A failed sync ends the process through the failure hook.
    func makeDurable(through offset: UInt64) {
        do {
            try syncWritten(through: offset)
        } catch {
            let hook = lock.withLock { failed }
            hook(error)
        }
    }

    /// `makeDurable`, throwing a failed sync (the start's recovery, before the hooks).
    func syncWritten(through offset: UInt64) throws(StorageError) {
        var paths: [String] = []
        var syncsDirectory = false
        var target: UInt64 = 0
        let done: Bool = lock.withLock {
            if syncedOffset >= offset { return true }
            while writtenOffset < offset { lock.wait() }
            paths = unsyncedSegments
            syncsDirectory = directoryChanged
            directoryChanged = false
            target = writtenOffset
            return false
        }
        if done { return }
        for path in paths { try sync(path) }
        if syncsDirectory { try fileSystem.syncDirectory(directory) }
        lock.withLock {
            syncedOffset = max(syncedOffset, target)
            // The segment being written stays listed: it will be written again.
            let current = unsyncedSegments.last
            unsyncedSegments.removeAll { paths.contains($0) && $0 != current }
        }
    }

    private func sync(_ path: String) throws(StorageError) {
        let file: StorageFile
        do {
            file = try fileSystem.openFile(path, writable: true)
        } catch where error.errno == ENOENT {
            return  // retention deleted it: nothing of it needs to last
        }
        defer { fileSystem.close(file) }
        try fileSystem.sync(file)
    }
}
