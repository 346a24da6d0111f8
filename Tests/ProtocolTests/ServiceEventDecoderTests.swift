import Protocol
import XCTest

final class ServiceEventDecoderTests: XCTestCase {
    private func decode(_ text: String) -> Result<[IncomingServiceEvent], ServiceEventDecoder.BodyError> {
        ServiceEventDecoder.decode(Array(text.utf8))
    }

    func testOneEventOrABatch() throws {
        let loot = #"{"event_id":"d1","type":"combat:loot-dropped","party":"p1","source":"boss","items":[{"item_id":"i1","name":"Axe","quality":"epic"}]}"#
        let single = try decode(loot).get()
        XCTAssertEqual(
            single,
            [IncomingServiceEvent(
                eventID: "d1",
                body: .lootDropped(party: "p1", items: [DroppedItem(itemID: "i1", name: "Axe", quality: .epic)], source: "boss"))])
        let quest = #"{"event_id":"q1","type":"quest:objective-completed","player":"alice","quest_id":"wolves","objective_id":"pelts","count":3}"#
        let batch = try decode("{\"events\":[\(loot),\(quest)]}").get()
        XCTAssertEqual(batch.count, 2)
        XCTAssertEqual(batch[1].body, .objectiveCompleted(player: "alice", questID: "wolves", objectiveID: "pelts", count: 3))
        XCTAssertEqual(try decode(#"{"events":[]}"#).get(), [])
    }

    func testCountDefaultsToOneAndIsBounded() throws {
        let base = #"{"event_id":"q","type":"quest:objective-completed","player":"alice","quest_id":"a","objective_id":"b""#
        XCTAssertEqual(try decode(base + "}").get().first?.body, .objectiveCompleted(player: "alice", questID: "a", objectiveID: "b", count: 1))
        XCTAssertEqual(try decode(base + #","count":null}"#).get().first?.body, .objectiveCompleted(player: "alice", questID: "a", objectiveID: "b", count: 1))
        for bad in ["0", "-1", "1000001", "1.5", "\"2\"", "99999999999999999999"] {
            guard case .invalid(let error)? = try decode(base + ",\"count\":\(bad)}").get().first?.body else {
                return XCTFail("count \(bad) was taken")
            }
            XCTAssertEqual(error.code, .invalidMessage)
        }
    }

    func testABadEventIsInvalidInItsPlaceAndABadBodyIsRefusedWhole() throws {
        let events = try decode(#"{"events":[{"event_id":"a","type":"combat:loot-dropped","party":"p","source":"s","items":[]},{"event_id":"b"}]}"#).get()
        XCTAssertEqual(events.map(\.eventID), ["a", "b"])
        for event in events {
            guard case .invalid(let error) = event.body else { return XCTFail("\(event) was taken") }
            XCTAssertEqual(error.code, .invalidMessage)
        }
        let tooManyItems = (0...ServiceEventDecoder.maxItems).map { "{\"item_id\":\"i\($0)\",\"name\":\"n\",\"quality\":\"poor\"}" }
        let drop = "{\"event_id\":\"x\",\"type\":\"combat:loot-dropped\",\"party\":\"p\",\"source\":\"s\",\"items\":[\(tooManyItems.joined(separator: ","))]}"
        guard case .invalid? = try decode(drop).get().first?.body else { return XCTFail("101 items were taken") }

        for body in ["", "nul", "[]", "\"x\"", #"{"events":5}"#, #"{"events":[[]]}"#, #"{"event_id":7}"#, #"{"events":[{"type":"x"}]}"#] {
            guard case .failure = decode(body) else { return XCTFail("\(body) was taken") }
        }
    }
}
