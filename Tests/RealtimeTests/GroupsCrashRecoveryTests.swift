import Foundation
import Glibc
import Protocol
import TestSupport
import XCTest

/// The durability promise of the organizations API against the real binary: owners and
/// members make groups, join them by code, leave, are removed, regenerate codes and delete
/// groups, each request acknowledged before the next, while the server is SIGKILLed at random
/// moments; after every restart each acknowledged change is there, exactly, and the one
/// request in flight at the kill either took effect whole or not at all. One loop and two
/// take turns, and some rounds snapshot often.
final class GroupsCrashRecoveryTests: XCTestCase {
    func testAcknowledgedGroupChangesSurviveRepeatedKills() throws {
        let seed =
            UInt64(ProcessInfo.processInfo.environment["PARTYHUB_CRASH_SEED"] ?? "")
            ?? UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "partyhub-groups-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let guilds = (0..<3).map { GuildUnderLoad(index: $0, seed: random.next()) }
        let rounds = 8
        for round in 0..<rounds {
            let server = try PartyhubProcess.start(
                dataDirectory: directory.path,
                arguments: [
                    "--threads", round % 2 == 0 ? "1" : "2", "--snapshot-every", round % 3 == 2 ? "40" : "1000000",
                ])
            do {
                for guild in guilds { try guild.recover(port: server.port) }
            } catch {
                XCTFail("round \(round) (seed \(seed)): \(error); server log:\n\(server.log)")
                server.kill()
                return
            }
            let killAfter = useconds_t(150_000 + random.next(below: 500_000))
            let done = DispatchGroup()
            for guild in guilds {
                done.enter()
                Thread {
                    guild.runUntilTheConnectionDies()
                    done.leave()
                }.start()
            }
            usleep(killAfter)
            server.kill()
            done.wait()
            let failures = guilds.compactMap(\.failure)
            XCTAssertTrue(failures.isEmpty, "round \(round) (seed \(seed)): \(failures); server log:\n\(server.log)")
            if !failures.isEmpty { return }
        }
        // The last kill is checked by a last start, which then stops cleanly.
        let server = try PartyhubProcess.start(dataDirectory: directory.path, arguments: [])
        do {
            for guild in guilds { try guild.recover(port: server.port) }
        } catch {
            XCTFail("after the last kill (seed \(seed)): \(error); server log:\n\(server.log)")
        }
        try server.terminate()
        let acknowledged = guilds.reduce(0) { $0 + $1.acknowledged }
        XCTAssertGreaterThan(acknowledged, 100, "the load should have had many requests acknowledged (seed \(seed))")
        XCTAssertGreaterThan(guilds.reduce(0) { $0 + $1.joins }, 20, "joins by code among them (seed \(seed))")
    }
}

/// One organization's owner and three members driving its groups, one request at a time,
/// keeping what the server acknowledged as the model the recovered state must match.
private final class GuildUnderLoad: @unchecked Sendable {
    /// A group as the model knows it (by name: names are unique here).
    struct GroupModel: Equatable {
        var id: String
        var code: String
        var members: Set<String>
    }

    /// A request and how it changes the model once acknowledged.
    struct Request {
        let method: String
        let path: String
        let body: String?
        let user: String
        /// The model after the request: from the acknowledged answer, or (for one in flight
        /// at the kill, with no answer) nil where the answer would have told (a new id or code).
        let change: (inout [String: GroupModel], [String: Any]?) -> Void
    }

    let owner: String
    let members: [String]
    private var random: SplitMix64
    private var organization: String?
    private var groups: [String: GroupModel] = [:]
    private var counter = 0
    private var client: RawWebSocketClient?
    private var port = 0
    private var inFlight: Request?
    private(set) var acknowledged = 0
    private(set) var joins = 0
    private(set) var failure: String?

    init(index: Int, seed: UInt64) {
        owner = "owner\(index)"
        members = (0..<3).map { "member\(index)-\($0)" }
        random = SplitMix64(seed: seed)
    }

    // MARK: After a restart

    /// Reconnects, settles the request in flight at the kill against what the server holds,
    /// and checks that everything else is exactly as acknowledged.
    func recover(port: Int) throws {
        failure = nil
        self.port = port
        client = try RawWebSocketClient(port: port)
        guard let organization else {
            // The first round: the organization and its members, before any kill.
            let made = try send("POST", "/api/v1/organizations", body: "{\"name\":\"Guild of \(owner)\"}", as: owner)
            let id = try unwrap(
                (made?["organization"] as? [String: Any])?["id"] as? String, "no organization in \(made ?? [:])")
            for member in members {
                try send("PUT", "/api/v1/organizations/\(id)/members/\(member)", body: #"{"role":"MEMBER"}"#, as: owner)
            }
            self.organization = id
            return
        }
        let observed = try observe(organization)
        if let request = inFlight {
            var applied = groups
            request.change(&applied, nil)
            if matches(observed, applied) {
                groups = observed
            } else {
                try expect(
                    observed == groups,
                    "\(request.method) \(request.path) in flight at the kill took effect in part, or an acknowledged change is lost:\nobserved \(observed)\nbefore   \(groups)\nafter    \(applied)"
                )
            }
            inFlight = nil
        } else {
            try expect(
                observed == groups, "an acknowledged change is lost:\nobserved \(observed)\nacknowledged \(groups)")
        }
    }

    /// Whether `observed` is `expected` where the unknowns (a new group's id and code, a new
    /// code, written "") may be anything.
    private func matches(_ observed: [String: GroupModel], _ expected: [String: GroupModel]) -> Bool {
        guard Set(observed.keys) == Set(expected.keys) else { return false }
        for (name, group) in expected {
            guard let seen = observed[name], seen.members == group.members else { return false }
            if !group.id.isEmpty && seen.id != group.id { return false }
            if !group.code.isEmpty && seen.code != group.code { return false }
            if group.code.isEmpty, let before = groups[name], before.code == seen.code { return false }
        }
        return true
    }

    /// The organization's groups as the server holds them, with their members.
    private func observe(_ organization: String) throws -> [String: GroupModel] {
        let listed = try send("GET", "/api/v1/organizations/\(organization)/groups", body: nil, as: owner)
        var observed: [String: GroupModel] = [:]
        for group in listed?["groups"] as? [[String: Any]] ?? [] {
            let id = group["id"] as? String ?? ""
            let roster = try send("GET", "/api/v1/groups/\(id)/members", body: nil, as: owner)
            let members = (roster?["members"] as? [[String: Any]] ?? []).compactMap { $0["user_id"] as? String }
            try expect(
                group["member_count"] as? Int == members.count,
                "member_count \(group["member_count"] ?? "?") for \(members)")
            observed[group["name"] as? String ?? ""] = GroupModel(
                id: id, code: group["invite_code"] as? String ?? "", members: Set(members))
        }
        return observed
    }

    // MARK: Load

    /// Sends requests one at a time until an answer fails to come (the server was killed).
    func runUntilTheConnectionDies() {
        while true {
            let request = nextRequest()
            inFlight = request
            do {
                _ = try call(request)
            } catch let error as ClientError where error.description.hasPrefix("refused") {
                failure = "\(owner): \(error)"
                return
            } catch {
                return  // the kill
            }
            inFlight = nil
        }
    }

    private func nextRequest() -> Request {
        counter += 1
        let names = groups.keys.sorted()
        let roll = random.next(below: 100)
        guard !names.isEmpty, roll >= 8 || groups.count >= 6 else {
            let name = "\(owner)-g\(counter)"
            return Request(
                method: "POST", path: "/api/v1/organizations/\(organization ?? "")/groups",
                body: "{\"name\":\"\(name)\"}", user: owner
            ) { model, answer in
                let group = answer?["group"] as? [String: Any]
                model[name] = GroupModel(
                    id: group?["id"] as? String ?? "", code: group?["invite_code"] as? String ?? "", members: [])
            }
        }
        let name = names[random.next(below: names.count)]
        guard let group = groups[name] else { fatalError("a listed name") }
        let outside = members.filter { !group.members.contains($0) }
        let inside = members.filter { group.members.contains($0) }
        switch roll {
        case 8..<60 where !outside.isEmpty:
            let joiner = outside[random.next(below: outside.count)]
            // Typed by hand now and then: lower case.
            let code = roll % 3 == 0 ? group.code.lowercased() : group.code
            return Request(method: "POST", path: "/api/v1/groups/join/\(code)", body: nil, user: joiner) { model, _ in
                model[name]?.members.insert(joiner)
            }
        case 8..<75 where !inside.isEmpty:
            let leaver = inside[random.next(below: inside.count)]
            return Request(method: "POST", path: "/api/v1/groups/\(group.id)/leave", body: nil, user: leaver) {
                model, _ in
                model[name]?.members.remove(leaver)
            }
        case 75..<85 where !inside.isEmpty:
            let removed = inside[random.next(below: inside.count)]
            return Request(
                method: "DELETE", path: "/api/v1/groups/\(group.id)/members/\(removed)", body: nil, user: owner
            ) { model, _ in
                model[name]?.members.remove(removed)
            }
        case 85..<95:
            return Request(method: "POST", path: "/api/v1/groups/\(group.id)/regenerate-code", body: nil, user: owner) {
                model, answer in
                model[name]?.code = answer?["invite_code"] as? String ?? ""
            }
        default:
            return Request(method: "DELETE", path: "/api/v1/groups/\(group.id)", body: nil, user: owner) { model, _ in
                model[name] = nil
            }
        }
    }

    // MARK: Wire

    /// One request of the load, which must succeed: its change applied to the model.
    private func call(_ request: Request) throws {
        let answer = try send(request.method, request.path, body: request.body, as: request.user)
        request.change(&groups, answer)
        acknowledged += 1
        if request.path.contains("/join/") { joins += 1 }
    }

    /// One request, which must succeed: its JSON answer (nil for a 204).
    @discardableResult
    private func send(_ method: String, _ path: String, body: String?, as user: String) throws -> [String: Any]? {
        guard let client else { throw ClientError("not connected") }
        let token = JWTCodec(secret: Array(PartyhubProcess.secret.utf8)).sign(
            subject: user, expiresAt: Int64(Date().timeIntervalSince1970) + 3600)
        let response = try client.request(method, path, json: body, token: token)
        guard (200..<300).contains(response.status) else {
            throw ClientError("refused: \(method) \(path) by \(user): \(response.statusLine) \(response.bodyText)")
        }
        return response.body.isEmpty ? nil : response.object
    }

    private func unwrap<T>(_ value: T?, _ message: @autoclosure () -> String) throws -> T {
        guard let value else { throw ClientError("\(owner): " + message()) }
        return value
    }

    private func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ClientError("\(owner): " + message()) }
    }
}
