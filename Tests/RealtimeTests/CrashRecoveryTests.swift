import Foundation
import Glibc
import Protocol
import TestSupport
import XCTest

/// The durability promise against the real binary: clients send acknowledged commands
/// (membership changes and chats, some with `idem` keys) under load, the server is SIGKILLed
/// at random moments, many times, and after every restart each acknowledged change is there,
/// a command retried with its `idem` key after the crash took effect exactly once, and every
/// party rule holds. One loop and two loops take turns.
final class CrashRecoveryTests: XCTestCase {
    func testAcknowledgedChangesSurviveRepeatedKills() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["PARTYHUB_CRASH_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("partyhub-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let pairs = (0..<4).map { CrashPair(index: $0, seed: random.next()) }
        let rounds = 12
        var acknowledged = 0
        for round in 0..<rounds {
            let server = try PartyhubProcess.start(
                dataDirectory: directory.path,
                arguments: ["--threads", round % 2 == 0 ? "1" : "2", "--snapshot-every", round % 3 == 2 ? "50" : "1000000"])
            do {
                for pair in pairs { try pair.recover(port: server.port) }
            } catch {
                XCTFail("round \(round) (seed \(seed)): \(error); server log:\n\(server.log)")
                server.kill()
                return
            }
            // Load until the kill: each pair runs on its own thread; the kill comes at a random moment.
            let killAfter = useconds_t(100_000 + random.next(below: 500_000))
            // Threads of their own: concurrentPerform may run fewer at once than asked.
            let done = DispatchGroup()
            for pair in pairs {
                done.enter()
                Thread {
                    pair.runUntilTheConnectionDies()
                    done.leave()
                }.start()
            }
            usleep(killAfter)
            server.kill()
            done.wait()
            let failures = pairs.compactMap(\.failure)
            XCTAssertTrue(failures.isEmpty, "round \(round) (seed \(seed)): \(failures); server log:\n\(server.log)")
            if !failures.isEmpty { return }
            acknowledged = pairs.reduce(0) { $0 + $1.acknowledged }
        }
        // A last start checks the last kill, then a clean stop: SIGTERM writes a final snapshot,
        // exits 0, and the next start replays no log record.
        let server = try PartyhubProcess.start(dataDirectory: directory.path, arguments: [])
        for pair in pairs { try pair.recover(port: server.port) }
        try server.terminate()
        XCTAssertTrue(server.exitedCleanly, "SIGTERM should exit 0; log:\n\(server.log)")
        let restarted = try PartyhubProcess.start(dataDirectory: directory.path, arguments: [])
        XCTAssertTrue(restarted.log.contains("replayed=0"), "a start after a clean stop replays nothing; log:\n\(restarted.log)")
        for pair in pairs { try pair.recover(port: restarted.port) }
        try restarted.terminate()
        XCTAssertGreaterThan(acknowledged, 100, "the load should have had many commands acknowledged (seed \(seed))")
    }
}

/// A leader and a member driving one party through creates, joins, chats, leaves and
/// disbands, one command at a time, keeping what the server acknowledged as the model the
/// recovered state must match.
private final class CrashPair: @unchecked Sendable {
    enum Actor { case leader, member }

    struct Command {
        let actor: Actor
        let op: String
        let fields: [String: Any]
        let idem: String?
    }

    let leader: String
    let member: String
    private var random: SplitMix64
    private var clients: [RawWebSocketClient?] = [nil, nil]
    private var rid = 0
    private var counter = 0
    // The model: what was acknowledged.
    private var partyID: String?
    private var inviteCode: String?
    private var memberIsIn = false
    private var chats: [String] = []
    /// Chats without an `idem` key in flight at a kill: they may or may not have been applied.
    private var uncertainChats: Set<String> = []
    private var inFlight: Command?
    private(set) var acknowledged = 0
    private(set) var failure: String?

    init(index: Int, seed: UInt64) {
        leader = "lead\(index)"
        member = "memb\(index)"
        random = SplitMix64(seed: seed)
    }

    // MARK: After a restart

    /// Signs both players in again, retries the command in flight at the kill (with its `idem`
    /// key, so it takes effect once), and checks the recovered party against the model.
    func recover(port: Int) throws {
        failure = nil
        clients = [try signIn(leader, port: port), try signIn(member, port: port)]
        if let command = inFlight {
            if command.idem != nil {
                let reply = try call(command)
                try apply(reply, of: command)
            } else if let text = command.fields["text"] as? String {
                uncertainChats.insert(text)
            }
            inFlight = nil
        }
        try verify()
    }

    private func verify() throws {
        let leaderView = try client(.leader).call("party.get", rid: nextRID())
        let memberView = try client(.member).call("party.get", rid: nextRID())
        guard let partyID else {
            try expect(leaderView.errorCode == "not_in_party", "\(leader) should be in no party: \(leaderView)")
            try expect(memberView.errorCode == "not_in_party", "\(member) should be in no party: \(memberView)")
            return
        }
        let party = try unwrap(leaderView.party, "\(leader) lost party \(partyID): \(leaderView)")
        try expect(party["id"] as? String == partyID, "\(leader) is in \(party["id"] ?? "?"), not \(partyID)")
        try expect(party["leader"] as? String == leader, "\(leader) should lead: \(party)")
        let members = party["members"] as? [String] ?? []
        try expect(members == (memberIsIn ? [leader, member] : [leader]), "members \(members), memberIsIn \(memberIsIn)")
        if memberIsIn {
            try expect((memberView.party?["id"] as? String) == partyID, "\(member) should be in \(partyID): \(memberView)")
        } else {
            try expect(memberView.errorCode == "not_in_party", "\(member) should be in no party: \(memberView)")
        }
        let history = try client(.leader).call("party.history", rid: nextRID(), ["limit": 100_000])
        let events = (history["data"] as? JSONObject)?["events"] as? [JSONObject] ?? []
        let texts = events.filter { $0["ev"] as? String == "party.chat" }.compactMap { $0["text"] as? String }
        try expect(Set(texts).count == texts.count, "a chat appears twice in the history: \(texts)")
        let certain = texts.filter { !uncertainChats.contains($0) }
        try expect(certain == chats, "acknowledged chats \(chats) but the history has \(texts)")
        chats = texts
        uncertainChats = []
    }

    // MARK: Load

    /// Sends commands one at a time until a reply fails to come (the server was killed).
    func runUntilTheConnectionDies() {
        while true {
            let command = nextCommand()
            inFlight = command
            let reply: JSONObject
            do { reply = try call(command) } catch { return }
            do {
                try apply(reply, of: command)
            } catch {
                failure = "\(error)"
                return
            }
            inFlight = nil
        }
    }

    private func nextCommand() -> Command {
        counter += 1
        let key = "\(leader)-\(counter)"
        guard partyID != nil, let inviteCode else { return Command(actor: .leader, op: "party.create", fields: [:], idem: key) }
        if !memberIsIn { return Command(actor: .member, op: "party.join", fields: ["invite_code": inviteCode], idem: key) }
        let roll = random.next(below: 100)
        if roll < 4 { return Command(actor: .leader, op: "party.disband", fields: [:], idem: key) }
        if roll < 12 { return Command(actor: .member, op: "party.leave", fields: [:], idem: key) }
        let actor: Actor = roll % 2 == 0 ? .leader : .member
        return Command(actor: actor, op: "party.chat", fields: ["text": "chat \(key) ✓"], idem: roll % 3 == 0 ? nil : key)
    }

    private func apply(_ reply: JSONObject, of command: Command) throws {
        try expect(reply.isOK, "\(command.op) by \(command.actor) was refused: \(reply)")
        acknowledged += 1
        switch command.op {
        case "party.create":
            let party = try unwrap(reply.party, "create replied without a party: \(reply)")
            partyID = party["id"] as? String
            inviteCode = party["invite_code"] as? String
            memberIsIn = false
            chats = []
            uncertainChats = []
        case "party.join": memberIsIn = true
        case "party.leave": memberIsIn = false
        case "party.disband":
            partyID = nil
            inviteCode = nil
            memberIsIn = false
        case "party.chat": chats.append(command.fields["text"] as? String ?? "")
        default: break
        }
    }

    // MARK: Wire

    private func call(_ command: Command) throws -> JSONObject {
        var fields = command.fields
        if let idem = command.idem { fields["idem"] = idem }
        return try client(command.actor).call(command.op, rid: nextRID(), fields)
    }

    private func client(_ actor: Actor) throws -> RawWebSocketClient {
        try unwrap(clients[actor == .leader ? 0 : 1], "not signed in")
    }

    private func nextRID() -> Int {
        rid += 1
        return rid
    }

    private func signIn(_ player: String, port: Int) throws -> RawWebSocketClient {
        let client = try RawWebSocketClient(port: port)
        let token = JWTCodec(secret: Array(PartyhubProcess.secret.utf8)).sign(
            subject: player, expiresAt: Int64(Date().timeIntervalSince1970) + 3600)
        let response = try client.upgrade(path: "/api/v1/social/party/ws?token=" + token)
        try expect(response.status == 101, "sign-in of \(player) answered \(response.statusLine)")
        let ready = try client.readJSON()
        try expect(ready["ev"] as? String == "session.ready", "\(player) was greeted with \(ready)")
        return client
    }

    private func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ClientError("\(leader)/\(member): " + message()) }
    }

    private func unwrap<T>(_ value: T?, _ message: @autoclosure () -> String) throws -> T {
        guard let value else { throw ClientError("\(leader)/\(member): " + message()) }
        return value
    }
}
