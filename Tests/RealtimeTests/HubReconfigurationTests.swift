import Protocol
import XCTest

@testable import Realtime

/// `Hub.reconfigure`: a restart whose flags differ from those the log was written with
/// applies the new rules from that point of the input sequence on.
final class HubReconfigurationTests: XCTestCase {
    func testNewRateLimitsApplyToPlayersAlreadyHeld() {
        let driver = HubDriver(
            configuration: HubDriver.configuration {
                $0.chatRatePerSecond = 1
                $0.chatBurst = 1
            })
        _ = driver.partyOfAlice(joiners: 1)
        driver.run(.chat(text: "one"), from: 1)
        XCTAssertEqual(errorCode(driver.run(.chat(text: "two"), from: 1)), .rateLimited)

        var configuration = driver.configuration
        configuration.chatRatePerSecond = 0
        driver.hub.reconfigure(configuration)
        XCTAssertEqual(driver.configuration, configuration)
        for number in 0..<20 {
            XCTAssertNotNil(replyData(driver.run(.chat(text: "\(number)"), from: 1)), "rate limit off")
        }

        configuration.chatRatePerSecond = 1
        configuration.chatBurst = 3
        driver.hub.reconfigure(configuration)
        for number in 0..<3 {
            XCTAssertNotNil(replyData(driver.run(.chat(text: "\(number)"), from: 2)), "a bucket that was off is full")
        }
        XCTAssertEqual(errorCode(driver.run(.chat(text: "over"), from: 2)), .rateLimited)
    }

    func testReratingKeepsTheTokensEarnedAtTheOldRateUpToTheNewBurst() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 10, now: 0)
        for _ in 0..<10 { XCTAssertNil(bucket.take(now: 0)) }
        // 2 s at 1/s: 2 tokens earned before the change, none counted at the new rate.
        bucket.rerate(ratePerSecond: 100, burst: 10, now: 2_000)
        XCTAssertNil(bucket.take(now: 2_000))
        XCTAssertNil(bucket.take(now: 2_000))
        XCTAssertEqual(bucket.take(now: 2_000), 10, "the third waits 10 ms at 100/s")
        var full = TokenBucket(ratePerSecond: 1, burst: 10, now: 0)
        full.rerate(ratePerSecond: 1, burst: 2, now: 0)
        XCTAssertNil(full.take(now: 0))
        XCTAssertNil(full.take(now: 0))
        XCTAssertNotNil(full.take(now: 0), "the tokens held are cut to the new burst")
    }

    func testLaterPartiesFollowTheNewRulesAndEarlierOnesKeepTheirTerms() {
        let driver = HubDriver()
        let before = driver.partyOfAlice(joiners: 0)
        var configuration = driver.configuration
        configuration.maxMembers = 3
        configuration.historySize = 4
        driver.hub.reconfigure(configuration)
        XCTAssertEqual(driver.party(of: "alice")?.maxMembers, before.maxMembers)
        XCTAssertEqual(driver.createParty(from: 2).maxMembers, 3)
        let slot = driver.hub.partySlotByCode[driver.party(of: "bob")!.inviteCode]!
        XCTAssertEqual(driver.hub.parties[slot].history.capacity, 4)
    }

    func testAReconfiguredHubRoundTripsWithItsRules() throws {
        let driver = HubDriver()
        _ = driver.partyOfAlice(joiners: 2)
        var configuration = driver.configuration
        configuration.commandRatePerSecond = 2.5
        driver.hub.reconfigure(configuration)
        let restored = try decoded(encoded { driver.hub.encodeState(into: &$0) }) { try Hub(decodingState: &$0) }
        XCTAssertEqual(restored, driver.hub)
        XCTAssertEqual(restored.configuration.commandRatePerSecond, 2.5)
    }
}
