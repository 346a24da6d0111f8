import Protocol
import XCTest

@testable import Realtime

/// Connection number `number` of a hub test.
func session(_ number: UInt64) -> SessionID { SessionID(rawValue: number) }

/// Drives a `Hub` for the focused hub tests: the time is a property moved by hand, every new
/// party (and new code) gets a deterministic seed, and each helper returns the outputs of its
/// input. The hub's queries are read through it (`driver.partyCount`, `driver.party(of:)`).
@dynamicMemberLookup
final class HubDriver {
    var hub: Hub
    /// The time the next input is applied at (Unix ms).
    var now: Int64 = 1_700_000_000_000
    private var seedsDrawn = 0

    /// The players of `partyOfAlice`, signed in on sessions 1 to 5.
    static let names = ["alice", "bob", "carol", "dave", "erin"]

    init(configuration: HubConfiguration = HubConfiguration()) {
        hub = Hub(configuration: configuration)
    }

    /// The default configuration with `change` applied.
    static func configuration(_ change: (inout HubConfiguration) -> Void) -> HubConfiguration {
        var configuration = HubConfiguration()
        change(&configuration)
        return configuration
    }

    /// PROTOCOL-CORE's own rule: no reconnect grace, a disconnect leaves at once.
    static let leavesOnDisconnect = configuration { $0.reconnectGraceMilliseconds = 0 }

    subscript<Value>(dynamicMember keyPath: KeyPath<Hub, Value>) -> Value { hub[keyPath: keyPath] }

    func party(of player: String) -> PartySnapshot? { hub.party(of: player) }
    func seq(ofParty id: String) -> UInt64? { hub.seq(ofParty: id) }
    func invites(of player: String) -> [InviteSnapshot] { hub.invites(of: player) }
    func isInviteCodeInUse(_ code: String) -> Bool { hub.isInviteCodeInUse(code) }

    // MARK: Seeds

    /// A deterministic seed per draw: id "party-N" and the invite code of N.
    func nextSeed() -> PartySeed {
        seedsDrawn += 1
        return PartySeed(id: "party-\(seedsDrawn)", inviteCode: Self.inviteCode(ofSeed: seedsDrawn))
    }

    /// The invite code of the `number`th seed: `number` written in base 31 with the alphabet.
    static func inviteCode(ofSeed number: Int) -> String {
        var digits: [Int] = []
        var rest = number
        for _ in 0..<InviteCode.length {
            digits.append(rest % InviteCode.alphabet.count)
            rest /= InviteCode.alphabet.count
        }
        return InviteCode.make(indexes: digits)
    }

    // MARK: Inputs

    /// Every event the hub published for other services so far, in order. `apply` moves them
    /// here out of the outputs it returns, so the focused tests see what the sessions get.
    private(set) var published: [PublishedEvent] = []
    /// The events the last `apply` published.
    private(set) var lastPublished: [PublishedEvent] = []

    @discardableResult
    func apply(_ input: HubInput) -> [HubOutput] {
        var outputs: [HubOutput] = []
        hub.apply(input, into: &outputs)
        lastPublished = []
        outputs.removeAll { output in
            guard case .published(let event) = output else { return false }
            lastPublished.append(event)
            return true
        }
        published += lastPublished
        return outputs
    }

    /// The kinds published since `count` events had been (for `let before = driver.published.count`).
    func publishedKinds(since count: Int) -> [PublishedEvent.Kind] { published[count...].map(\.kind) }

    /// Opens a session, asserting that `session.ready` for this player is the first thing the
    /// new session receives, and that it goes to that session alone.
    @discardableResult
    func open(
        _ player: String, session number: UInt64, readOnly: Bool = false, file: StaticString = #filePath, line: UInt = #line
    ) -> [HubOutput] {
        let outputs = apply(.sessionOpened(session(number), player: player, readOnly: readOnly, now: now))
        guard case .notice(.sessionReady(let ready, _, _), let recipients)? = outputs.first(where: { sessions(of: $0).contains(session(number)) })
        else {
            XCTFail("opening a session says session.ready first: \(outputs)", file: file, line: line)
            return outputs
        }
        XCTAssertEqual(ready, player, file: file, line: line)
        XCTAssertEqual(recipients, [session(number)], file: file, line: line)
        return outputs
    }

    @discardableResult
    func close(session number: UInt64) -> [HubOutput] {
        apply(.sessionClosed(session(number), now: now))
    }

    /// Moves the time on by `milliseconds` and ticks.
    @discardableResult
    func tick(after milliseconds: Int64) -> [HubOutput] {
        now += milliseconds
        return apply(.tick(now: now))
    }

    /// Runs a command from a session; `party.create` and `party.regenerate_code` get a fresh
    /// seed unless `drawingSeed` is false.
    @discardableResult
    func run(_ command: PartyCommand, from number: UInt64, rid: Int64? = 1, idem: String? = nil, drawingSeed: Bool = true)
        -> [HubOutput]
    {
        var seed: PartySeed?
        switch command {
        case .create, .regenerateCode: seed = drawingSeed ? nextSeed() : nil
        default: break
        }
        return apply(.command(session(number), ClientRequest(rid: rid, command: command, idem: idem), now: now, seed: seed))
    }

    /// Creates a party from a session and returns it (asserting the success reply).
    func createParty(
        from number: UInt64, maxMembers: Int? = nil, file: StaticString = #filePath, line: UInt = #line
    ) -> PartySnapshot {
        let outputs = run(.create(maxMembers: maxMembers), from: number)
        guard outputs.count == 1, case .party(let party)? = replyData(outputs) else {
            XCTFail("party.create did not succeed: \(outputs)", file: file, line: line)
            return PartySnapshot(id: "", inviteCode: "", leader: "", members: [], maxMembers: 0)
        }
        return party
    }

    /// Joins a party by its code from a session (asserting success) and returns the outputs.
    @discardableResult
    func join(
        _ party: PartySnapshot, from number: UInt64, role: PartyRole? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) -> [HubOutput] {
        let outputs = run(.join(inviteCode: party.inviteCode, role: role), from: number)
        if replyData(outputs) == nil { XCTFail("party.join did not succeed: \(outputs)", file: file, line: line) }
        return outputs
    }

    /// Alice (session 1) creates a party; Bob (2), Carol (3), Dave (4) and Erin (5) are signed
    /// in, and the first `joiners` of them join in that order.
    func partyOfAlice(joiners: Int, maxMembers: Int? = nil, file: StaticString = #filePath, line: UInt = #line)
        -> PartySnapshot
    {
        for (index, name) in Self.names.enumerated() { open(name, session: UInt64(index + 1), file: file, line: line) }
        let party = createParty(from: 1, maxMembers: maxMembers, file: file, line: line)
        for index in 0..<joiners { join(party, from: UInt64(index + 2), file: file, line: line) }
        return party
    }

    // MARK: Service events

    /// The connection service events arrive on (an HTTP caller, addressed like a session).
    static let serviceCaller = SessionID(rawValue: 9_000)
    private var lootSeedsDrawn = 0

    /// The `number`th loot seed a driver draws: SHA-256 of "seed-N", in hex (64 lowercase
    /// characters, as the CSPRNG's would be).
    static func lootSeed(_ number: Int) -> String { Digest.hex(Digest.sha256("seed-\(number)")) }

    /// Delivers a batch of service events with one fresh seed per dropped item (unless
    /// `lootSeeds` is given).
    @discardableResult
    func deliver(_ events: [IncomingServiceEvent], lootSeeds: [String]? = nil) -> [HubOutput] {
        var seeds: [String] = []
        for case .lootDropped(_, let items, _) in events.map(\.body) {
            for _ in items {
                lootSeedsDrawn += 1
                seeds.append(Self.lootSeed(lootSeedsDrawn))
            }
        }
        return apply(.serviceEvents(Self.serviceCaller, events, now: now, lootSeeds: lootSeeds ?? seeds))
    }

    private var eventsDelivered = 0

    /// `combat:loot-dropped` of `items` in `party`, under a fresh event id.
    @discardableResult
    func drop(_ items: [DroppedItem], in party: String) -> [HubOutput] {
        eventsDelivered += 1
        return deliver([
            IncomingServiceEvent(eventID: "drop-\(eventsDelivered)", body: .lootDropped(party: party, items: items, source: "boss"))
        ])
    }

    /// `quest:objective-completed` under a fresh event id.
    @discardableResult
    func complete(_ objectiveID: String, of questID: String, by player: String, count: Int = 1) -> [HubOutput] {
        eventsDelivered += 1
        return deliver([
            IncomingServiceEvent(
                eventID: "objective-\(eventsDelivered)",
                body: .objectiveCompleted(player: player, questID: questID, objectiveID: objectiveID, count: count))
        ])
    }

    /// Invites `player` from a session and returns the invite (asserting success).
    @discardableResult
    func invite(_ player: String, from number: UInt64, file: StaticString = #filePath, line: UInt = #line)
        -> InviteSnapshot?
    {
        let outputs = run(.invite(player: player), from: number)
        guard case .invite(let invite)? = replyData(outputs) else {
            XCTFail("party.invite did not succeed: \(outputs)", file: file, line: line)
            return nil
        }
        return invite
    }
}

// MARK: Output filters

/// The sessions an output goes to.
func sessions(of output: HubOutput) -> [SessionID] {
    switch output {
    case .reply(let session, _, _): return [session]
    case .event(_, let recipients), .notice(_, let recipients): return recipients
    case .serviceResults(let caller, _), .organizationAnswer(let caller, _), .adminDisbanded(let caller, _, _),
        .adminParty(let caller, _, _), .adminPlayer(let caller, _, _): return [caller]
    case .published, .sessionEnded: return []
    }
}

/// The `session.ready` in `outputs`: its player, party and invites.
func sessionReady(_ outputs: [HubOutput]) -> (player: String, party: PartySnapshot?, invites: [InviteSnapshot])? {
    for case .notice(.sessionReady(let player, let party, let invites), _) in outputs { return (player, party, invites) }
    return nil
}

func events(_ outputs: [HubOutput]) -> [(event: PartyEvent, recipients: [SessionID])] {
    outputs.compactMap { output in
        if case .event(let event, let recipients) = output { return (event, recipients) }
        return nil
    }
}

/// The bodies of the events in `outputs`, in order.
func bodies(_ outputs: [HubOutput]) -> [PartyEventBody] { events(outputs).map(\.event.body) }

func replies(_ outputs: [HubOutput]) -> [(session: SessionID, rid: Int64, result: Result<ReplyData, PartyError>)] {
    outputs.compactMap { output in
        if case .reply(let session, let rid, let result) = output { return (session, rid, result) }
        return nil
    }
}

func notices(_ outputs: [HubOutput]) -> [(message: ServerMessage, recipients: [SessionID])] {
    outputs.compactMap { output in
        if case .notice(let message, let recipients) = output { return (message, recipients) }
        return nil
    }
}

/// The data of the first reply in `outputs`, when it is a success.
func replyData(_ outputs: [HubOutput]) -> ReplyData? {
    guard case .success(let data)? = replies(outputs).first?.result else { return nil }
    return data
}

/// The `seq`s of the events a `party.history` reply in `outputs` holds (nil: no such reply).
func historySeqs(_ outputs: [HubOutput]) -> [UInt64]? {
    guard case .events(let events)? = replyData(outputs) else { return nil }
    return events.map(\.seq)
}

/// The error of the first reply in `outputs`, when it is a failure.
func replyError(_ outputs: [HubOutput]) -> PartyError? {
    guard case .failure(let error)? = replies(outputs).first?.result else { return nil }
    return error
}

/// The results of the `serviceResults` in `outputs`, which must be the first output.
func serviceResults(_ outputs: [HubOutput], file: StaticString = #filePath, line: UInt = #line) -> [ServiceEventResult.Status] {
    guard case .serviceResults(let caller, let results)? = outputs.first else {
        XCTFail("the service results are not the first output: \(outputs)", file: file, line: line)
        return []
    }
    XCTAssertEqual(caller, HubDriver.serviceCaller, file: file, line: line)
    XCTAssertEqual(outputs.count { if case .serviceResults = $0 { return true } else { return false } }, 1, file: file, line: line)
    return results.map(\.status)
}

extension HubOutput {
    /// Whether this is an event for the outgoing stream (the driver keeps those apart).
    var isPublished: Bool {
        if case .published = self { return true }
        return false
    }
}

/// The events published for the outgoing stream in `outputs`, in order.
func published(_ outputs: [HubOutput]) -> [PublishedEvent] {
    outputs.compactMap { output in
        if case .published(let event) = output { return event }
        return nil
    }
}

/// The `party.loot_rolled` outcomes in `outputs`, in order.
func lootOutcomes(_ outputs: [HubOutput]) -> [LootRollOutcome] {
    bodies(outputs).compactMap { body in
        if case .lootRolled(let outcome) = body { return outcome }
        return nil
    }
}

/// The rolls `party.loot_roll_started` opened in `outputs`, in order.
func startedRolls(_ outputs: [HubOutput]) -> [LootRollSnapshot] {
    bodies(outputs).compactMap { body in
        if case .lootRollStarted(let roll) = body { return roll }
        return nil
    }
}

/// The error code of the single reply in `outputs`, which must be all there is.
func errorCode(_ outputs: [HubOutput], file: StaticString = #filePath, line: UInt = #line) -> PartyErrorCode? {
    XCTAssertEqual(outputs.count, 1, "a failed command has its reply and nothing else: \(outputs)", file: file, line: line)
    return replyError(outputs)?.code
}
