import Foundation
import Protocol
import XCTest

@testable import Realtime

/// `POST /api/v1/social/party/events` on a live server: who may post, how a bad body is
/// refused, and how answers keep the order of requests on a kept-alive connection, from any loop.
final class ServiceEventsServerTests: ServerTestCase {
    private let path = "/api/v1/social/party/events"

    func testNoTokenIs401AndAPlayerTokenIs403BothWithAJSONError() throws {
        let server = try startServer()
        let anonymous = try connect(server).post(path, json: #"{"event_id":"e1","type":"x"}"#, token: nil)
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.header("www-authenticate"), "Bearer")
        XCTAssertEqual(try errorCode(anonymous), "unauthorized")

        let player = try connect(server).post(path, json: #"{"event_id":"e1","type":"x"}"#, token: server.token(for: "alice"))
        XCTAssertEqual(player.status, 403)
        XCTAssertEqual(try errorCode(player), "forbidden")

        let forged = try connect(server).post(path, json: "{}", token: server.forgedToken(for: "combat"))
        XCTAssertEqual(forged.status, 401)
    }

    func testAServiceTokenCannotSignInAPlayer() throws {
        let server = try startServer()
        let response = try refusedUpgrade(server, path: server.partyPath(token: server.serviceToken(for: "combat")))
        XCTAssertEqual(response.status, 403)
    }

    func testABodyThatIsNotJSONOrNotOfTheShapeIs400AndNothingIsApplied() throws {
        let server = try startServer()
        let client = try connect(server)
        let token = server.serviceToken(for: "combat")
        for body in [
            "not json", "[1,2]", #"{"events":{}}"#, #"{"events":[1]}"#, #"{"events":[{"type":"quest:objective-completed"}]}"#,
            #"{"event_id":"","type":"x"}"#, "{\"event_id\":\"\(String(repeating: "e", count: 129))\",\"type\":\"x\"}",
        ] {
            let response = try client.post(path, json: body, token: token)
            XCTAssertEqual(response.status, 400, body)
            XCTAssertEqual(try errorCode(response), "invalid_message", body)
        }
        let tooMany = "{\"events\":[" + (0...1000).map { "{\"event_id\":\"e\($0)\",\"type\":\"x\"}" }.joined(separator: ",") + "]}"
        let response = try client.post(path, json: tooMany, token: token)
        XCTAssertEqual(response.status, 400)
        XCTAssertTrue(response.bodyText.contains("at most 1000"), response.bodyText)
        XCTAssertEqual(try client.get("/healthz").status, 200, "the connection is kept after a 400")
    }

    func testOtherMethodsAre405() throws {
        let server = try startServer()
        let client = try connect(server)
        try client.send("DELETE \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(client.port)\r\n\r\n")
        let response = try client.readHTTPResponse()
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("allow"), "GET, POST")
    }

    func testAnInvalidEventIsRejectedInItsPlaceAndTheAnswerIsJSON() throws {
        let server = try startServer()
        let body = """
            {"events":[
              {"event_id":"a","type":"combat:unknown"},
              {"event_id":"b","type":"quest:objective-completed","player":"bad player!","quest_id":"q","objective_id":"o"},
              {"event_id":"c","type":"combat:loot-dropped","party":"p","source":"boss","items":[{"item_id":"i","name":"Sword","quality":"shiny"}]}
            ]}
            """
        let response = try connect(server).post(path, json: body, token: server.serviceToken(for: "combat"))
        XCTAssertEqual(response.status, 200, response.bodyText)
        XCTAssertEqual(response.header("content-type"), "application/json")
        let results = try resultsOf(response)
        XCTAssertEqual(results.map { $0["event_id"] as? String }, ["a", "b", "c"])
        for result in results {
            XCTAssertEqual(result["status"] as? String, "rejected")
            XCTAssertEqual(result["code"] as? String, "invalid_message")
            XCTAssertFalse((result["message"] as? String ?? "").isEmpty)
        }
        XCTAssertEqual(try server.metric("partyhub_service_events_total{status=\"rejected\"}"), 3)
    }

    func testPipelinedRequestsAreAnsweredInOrderOnBothLoopsAndConnectionCloseIsHonoured() throws {
        let server = try startServer { $0.threads = 2 }
        let token = server.serviceToken(for: "combat")
        // Connections alternate between the loops; each sends three requests at once.
        for _ in 0..<4 {
            let client = try connect(server)
            let requests = (0..<3).map { index in
                RawWebSocketClient.postRequest(
                    path, json: "{\"event_id\":\"p\(index)\",\"type\":\"nope\"}", token: token, port: client.port, close: index == 2)
            }
            try client.send(requests.joined())
            for index in 0..<3 {
                let response = try client.readHTTPResponse()
                XCTAssertEqual(response.status, 200)
                XCTAssertEqual(try resultsOf(response).first?["event_id"] as? String, "p\(index)")
            }
            XCTAssertEqual(try client.readUntilEndOfStream(), 0, "closed after the answer to Connection: close")
        }
    }

    // MARK: Helpers

    private func errorCode(_ response: RawHTTPResponse) throws -> String? {
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }

    private func resultsOf(_ response: RawHTTPResponse) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return try XCTUnwrap(object?["results"] as? [[String: Any]], response.bodyText)
    }
}
