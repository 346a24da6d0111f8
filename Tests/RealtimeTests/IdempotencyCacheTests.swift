import Protocol
import XCTest

@testable import Realtime

/// The per-player `idem` cache is bounded by its key count and by the bytes its answers hold.
final class IdempotencyCacheTests: XCTestCase {
    /// A party snapshot of 40 members with 64-character names: a large answer to remember.
    private let largeParty: Result<ReplyData, PartyError> = {
        let members = (0..<40).map { String(repeating: "p", count: 62) + String(format: "%02d", $0) }
        return .success(.party(PartySnapshot(id: "party-1", inviteCode: "ABCDEFGH", leader: members[0], members: members, maxMembers: 40)))
    }()

    func testTheCacheIsBoundedInBytesDroppingTheOldestFirst() {
        var cache = IdempotencyCache(capacity: 64)
        for number in 0..<64 { cache.remember("key-\(number)", .join, largeParty) }
        XCTAssertLessThanOrEqual(cache.bytes, IdempotencyCache.maxBytes)
        XCTAssertLessThan(cache.entries.count, 64, "large answers are dropped by bytes before the count is reached")
        XCTAssertNotNil(cache.entry(for: "key-63"), "the newest is kept")
        XCTAssertNil(cache.entry(for: "key-0"), "the oldest went first")
    }

    func testAnAnswerLargerThanTheWholeBudgetIsNotRemembered() {
        var cache = IdempotencyCache(capacity: 64)
        cache.remember("small", .leave, .success(.empty))
        let members = (0..<2000).map { "member-\($0)-" + String(repeating: "m", count: 50) }
        let huge: Result<ReplyData, PartyError> = .success(
            .party(PartySnapshot(id: "p", inviteCode: "ABCDEFGH", leader: members[0], members: members, maxMembers: 2000)))
        cache.remember("huge", .join, huge)
        XCTAssertNil(cache.entry(for: "huge"))
        XCTAssertNotNil(cache.entry(for: "small"), "nothing else was pushed out for it")
    }
}
