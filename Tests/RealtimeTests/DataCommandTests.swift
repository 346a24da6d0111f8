import Foundation
import Glibc
import Protocol
import XCTest

@testable import Realtime

/// `partyhub data check` and `data dump` against the real binary on a directory the real
/// server wrote, and how `serve` refuses a directory it cannot use: exit codes and messages.
final class DataCommandTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("partyhub-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        directory = url.path
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    }

    // MARK: check and dump

    func testCheckAndDumpADirectoryTheServerLeft() throws {
        let files = try directoryWithAParty(chats: ["hello", "gg \u{1B}[2J wp ✓", "last one"])
        let snapshot = try XCTUnwrap(files.keys.first { $0.hasPrefix("snapshot-") }, "a final snapshot: \(files.keys)")

        let check = try partyhub(["data", "check", directory])
        XCTAssertTrue(check.exitedWith(0), "\(check.description)\n\(check.output)\n\(check.errors)")
        XCTAssertTrue(check.output.contains("  \(snapshot): LSN "), check.output)
        XCTAssertTrue(check.output.contains("1 party, 2 players, events through offset 2: ok"), check.output)
        XCTAssertTrue(check.output.contains("  events-00000000000000000001.log: offsets 1 to 2, 2 events, "), check.output)
        XCTAssertTrue(check.output.contains("a start: loads \(snapshot) (LSN "), check.output)
        XCTAssertTrue(
            check.output.contains("replays no record"), "the final snapshot holds everything: \(check.output)")
        XCTAssertTrue(check.output.hasSuffix("result: ok, a start recovers everything\n"), check.output)

        let dump = try partyhub(["data", "dump", directory])
        XCTAssertTrue(dump.exitedWith(0), "\(dump.description)\n\(dump.errors)")
        let lines = dump.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("segment wal-00000000000000000001.log first_lsn=1 ") ?? false, dump.output)
        XCTAssertTrue(lines.contains { $0.hasSuffix(" player=alice") && $0.contains(" session.opened s=") })
        XCTAssertTrue(lines.contains { $0.contains(" party.create seed=") })
        XCTAssertTrue(lines.contains { $0.hasSuffix(#" idem=c1 party.chat text="hello""#) }, dump.output)
        XCTAssertTrue(lines.contains { $0.hasSuffix(#" idem=c2 party.chat text="gg \u001b[2J wp ✓""#) }, dump.output)
        XCTAssertFalse(dump.output.contains("\u{1B}"), "no escape character reaches the terminal")
        let lastLine = try XCTUnwrap(lines.last)
        let lastLSN = try XCTUnwrap(lastLine.split(separator: " ").first.map { String($0.dropFirst("lsn=".count)) })
        let tail = try partyhub(["data", "dump", directory, "--from", lastLSN])
        XCTAssertEqual(tail.output.split(separator: "\n").map(String.init), [lines[0], lastLine])
        XCTAssertEqual(try contents(), files, "check and dump change nothing")
    }

    func testFlippedByteInTheMiddleOfASegmentFailsTheCheckNamingFileAndOffset() throws {
        let files = try directoryWithAParty(chats: ["one", "two", "three", "four"])
        let (segment, offset, records) = try flipAByteInTheMiddleRecord(of: files)
        let damaged = try contents()

        let check = try partyhub(["data", "check", directory])
        XCTAssertTrue(check.exitedWith(1), "\(check.description)\n\(check.output)")
        XCTAssertTrue(
            check.output.contains(
                "damage: \(directory)/\(segment) is damaged at offset \(offset): record checksum mismatch"),
            check.output)
        XCTAssertTrue(check.output.contains("  \(segment): LSN 1 to "), check.output)
        XCTAssertTrue(check.output.contains("result: DAMAGED"), check.output)
        XCTAssertEqual(try contents(), damaged, "the check cut nothing")

        let dump = try partyhub(["data", "dump", directory])
        XCTAssertTrue(dump.exitedWith(1))
        XCTAssertTrue(dump.errors.contains("is damaged at offset \(offset)"), dump.errors)
        XCTAssertEqual(dump.output.split(separator: "\n").count, 1 + records / 2, "what was readable")
        XCTAssertEqual(try contents(), damaged)
    }

    func testCheckRunsBesideALiveServer() throws {
        let server = try PartyhubProcess.start(dataDirectory: directory, arguments: ["--threads", "1"])
        defer { server.kill() }
        try playParty(port: server.port, chats: ["while it runs"])
        let check = try partyhub(["data", "check", directory])
        XCTAssertTrue(check.exitedWith(0), "\(check.output)\n\(check.errors)")
        XCTAssertTrue(
            check.output.contains("a start: loads no snapshot (the log from LSN 1); replays "), check.output)
        XCTAssertTrue(server.process.isRunning, "the check takes no lock the server holds")
        // The server goes on.
        try playParty(port: server.port, chats: ["after the check"], first: 10)
    }

    // MARK: Usage and refusals

    func testUsageErrorsExitWith2() throws {
        for arguments in [
            ["data"], ["data", "check"], ["data", "verify", directory], ["data", "check", directory, "extra"],
            ["data", "dump", directory, "--from"], ["data", "dump", directory, "--from", "x"],
            ["data", "dump", directory, "--from", "0"], ["data", "check", directory, "--from", "3"],
        ] {
            let result = try partyhub(arguments)
            XCTAssertTrue(result.exitedWith(2), "\(arguments): \(result.description)\n\(result.errors)")
            XCTAssertFalse(result.errors.isEmpty, "\(arguments) says why")
        }
        for url in ["ftp://example.com", "https://", "play.example.com", "https://a b.com", "/"] {
            let result = try partyhub(["serve", "--data-dir", directory, "--public-url", url])
            XCTAssertTrue(result.exitedWith(2), "--public-url \(url): \(result.description)\n\(result.errors)")
            XCTAssertTrue(result.errors.contains("is not an http:// or https:// URL"), result.errors)
        }
        let help = try partyhub(["data", "--help"])
        XCTAssertTrue(help.exitedWith(0))
        XCTAssertTrue(help.output.contains("partyhub data check DIR"), help.output)
        XCTAssertTrue(help.output.contains("partyhub data dump DIR [--from LSN]"), help.output)
        let top = try partyhub(["--help"])
        XCTAssertTrue(top.output.contains("partyhub data check DIR"), top.output)
        XCTAssertTrue(top.output.contains("partyhub data dump DIR [--from LSN]"), top.output)
        let missing = try partyhub(["data", "check", directory + "/missing"])
        XCTAssertTrue(missing.exitedWith(1), "a directory that cannot be read is never ok")
    }

    func testSecondServerOnTheSameDirectoryExitsWith2AndOneLine() throws {
        let first = try PartyhubProcess.start(dataDirectory: directory, arguments: ["--threads", "1"])
        defer { first.kill() }
        let started = Date()
        let second = try serveToItsEnd()
        XCTAssertTrue(second.exitedWith(2), "\(second.description)\n\(second.errors)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "refused at once")
        XCTAssertEqual(
            second.errors, "partyhub: data directory \(directory) is in use by another partyhub process\n",
            "one line naming the directory")
        XCTAssertTrue(first.process.isRunning)
    }

    func testADataDirectoryThatIsAFileExitsWith2AndOneLine() throws {
        let file = directory + "/not-a-directory"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let start = try partyhub(["serve", "--port", "0", "--jwt-secret", "s", "--data-dir", file], timeout: 20)
        XCTAssertTrue(start.exitedWith(2), "\(start.description)\n\(start.errors)")
        XCTAssertEqual(start.errors, "partyhub: open \(file)/LOCK: not a directory (ENOTDIR)\n")
    }

    func testStrictStartOnADamagedLogExitsWith1NamingRecoverTruncate() throws {
        let files = try directoryWithAParty(chats: ["one", "two", "three", "four"])
        let (segment, offset, _) = try flipAByteInTheMiddleRecord(of: files)
        let last = try refusedStartsLastLine()
        XCTAssertTrue(
            last.hasPrefix("partyhub: cannot start: \(directory)/\(segment) is damaged at offset \(offset)"), last)
        XCTAssertTrue(last.contains("--recover=truncate"), last)
        XCTAssertTrue(last.hasSuffix("; partyhub data check \(directory) describes the whole directory"), last)
    }

    func testSnapshotThatDoesNotDecodeStopsTheStartNamingTheFile() throws {
        let pinned = PinnedState(epoch: 1, configuration: HubConfiguration()).bytes
        let store = SnapshotStore(fileSystem: PosixFileSystem(), directory: directory)
        let path = try [UInt8]([1, 2, 3]).withUnsafeBytes { try store.write(lsn: 5, pinned: pinned, payload: $0) }
        let last = try refusedStartsLastLine()
        XCTAssertTrue(
            last.hasPrefix("partyhub: cannot start: \(path): its checksum is right but it does not decode: "), last)
    }

    func testAPortInUseExitsWith2() throws {
        let first = try PartyhubProcess.start(dataDirectory: directory, arguments: ["--threads", "1"])
        defer { first.kill() }
        let other = directory + "/other"
        let second = try partyhub(
            ["serve", "--host", "127.0.0.1", "--port", String(first.port), "--jwt-secret", "s", "--data-dir", other])
        XCTAssertTrue(second.exitedWith(2), "\(second.description)\n\(second.errors)")
        XCTAssertTrue(
            second.errors.hasSuffix("partyhub: cannot listen on 127.0.0.1:\(first.port): Address already in use\n"),
            second.errors)
    }

    // MARK: Helpers

    /// `partyhub serve` on the test's directory, run to its end: a start that is refused.
    private func serveToItsEnd() throws -> ChildProcess.Result {
        try partyhub(
            ["serve", "--port", "0", "--jwt-secret", PartyhubProcess.secret, "--data-dir", directory], timeout: 20)
    }

    /// A start that must exit 1: the last line it wrote to stderr.
    private func refusedStartsLastLine() throws -> String {
        let start = try serveToItsEnd()
        XCTAssertTrue(start.exitedWith(1), "\(start.description)\n\(start.errors)")
        return start.errors.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// A server's directory after a party of alice and bob with `chats` and a clean stop.
    private func directoryWithAParty(chats: [String]) throws -> [String: [UInt8]] {
        let server = try PartyhubProcess.start(dataDirectory: directory, arguments: ["--threads", "1"])
        do {
            try playParty(port: server.port, chats: chats)
        } catch {
            server.kill()
            throw error
        }
        try server.terminate()
        XCTAssertTrue(server.exitedCleanly, "SIGTERM should exit 0; log:\n\(server.log)")
        return try contents()
    }

    /// Flips a payload byte of the middle record of the first segment (no crash makes that).
    /// Returns the segment, the record's offset and how many records the segment holds.
    private func flipAByteInTheMiddleRecord(of files: [String: [UInt8]]) throws -> (String, Int, Int) {
        let segment = "wal-00000000000000000001.log"
        var bytes = try XCTUnwrap(files[segment])
        let records = try recordOffsets(bytes)
        XCTAssertGreaterThan(records.count, 6)
        let middle = records[records.count / 2]
        bytes[middle + 17] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + segment))
        return (segment, middle, records.count)
    }

    /// Runs the real binary to its end, stderr apart.
    private func partyhub(_ arguments: [String], timeout: TimeInterval = 60) throws -> ChildProcess.Result {
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary, "no partyhub binary (swift build builds it)")
        return try ChildProcess.run([binary.path] + arguments, timeout: timeout, separateErrors: true)
    }

    /// Alice creates a party, bob joins by its code, alice sends `chats` keyed c1, c2, ...
    /// (from `first`), each acknowledged.
    private func playParty(port: Int, chats: [String], first: Int = 1) throws {
        let alice = try signIn("alice", port: port)
        let bob = try signIn("bob", port: port)
        defer {
            alice.close()
            bob.close()
        }
        var code = try alice.call("party.get", rid: 1).party?["invite_code"] as? String
        if code == nil {
            let created = try alice.call("party.create", rid: 2)
            XCTAssertTrue(created.isOK, "\(created)")
            code = created.party?["invite_code"] as? String
            let joined = try bob.call("party.join", rid: 1, ["invite_code": try XCTUnwrap(code)])
            XCTAssertTrue(joined.isOK, "\(joined)")
        }
        for (index, text) in chats.enumerated() {
            let reply = try alice.call("party.chat", rid: 10 + index, ["text": text, "idem": "c\(first + index)"])
            XCTAssertTrue(reply.isOK, "\(reply)")
        }
    }

    private func signIn(_ player: String, port: Int) throws -> RawWebSocketClient {
        let client = try RawWebSocketClient(port: port)
        let token = JWTCodec(secret: Array(PartyhubProcess.secret.utf8)).sign(
            subject: player, expiresAt: Int64(Date().timeIntervalSince1970) + 3600)
        let response = try client.upgrade(path: "/api/v1/social/party/ws?token=" + token)
        XCTAssertEqual(response.status, 101, response.statusLine)
        let ready = try client.readJSON()
        XCTAssertEqual(ready["ev"] as? String, "session.ready")
        return client
    }

    /// Every file of the data directory and its bytes.
    private func contents() throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            files[name] = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
        }
        return files
    }

    /// Where each record of a segment starts (header: 28 bytes, the pinned blob, a checksum).
    private func recordOffsets(_ segment: [UInt8]) throws -> [Int] {
        func uint32(at offset: Int) -> Int {
            (0..<4).reduce(0) { $0 | Int(segment[offset + $1]) << (8 * $1) }
        }
        var offset = 28 + uint32(at: 24) + 4
        var offsets: [Int] = []
        while offset + 8 <= segment.count {
            offsets.append(offset)
            offset += 8 + uint32(at: offset)
        }
        XCTAssertEqual(offset, segment.count, "the segment ends after its last record")
        return offsets
    }
}
