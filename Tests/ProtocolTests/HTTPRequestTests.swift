import Protocol
import XCTest

final class HTTPRequestTests: XCTestCase {
    private func request(minorVersion: Int = 1, _ headers: [(name: String, value: String)] = []) -> HTTPRequest {
        HTTPRequest(method: "GET", target: "/", minorVersion: minorVersion, headers: headers)
    }

    private func request(_ target: String) -> HTTPRequest {
        HTTPRequest(method: "GET", target: target, minorVersion: 1, headers: [("host", "a")])
    }

    func testHTTP11IsKeptAliveUnlessConnectionClose() {
        XCTAssertTrue(request().keepAlive)
        XCTAssertFalse(request([("connection", "close")]).keepAlive)
        XCTAssertFalse(request([("connection", "Keep-Alive, Close")]).keepAlive)
        XCTAssertTrue(request([("connection", "Upgrade")]).keepAlive)
    }

    func testHTTP10IsClosedUnlessConnectionKeepAlive() {
        XCTAssertFalse(request(minorVersion: 0).keepAlive)
        XCTAssertTrue(request(minorVersion: 0, [("connection", "keep-alive")]).keepAlive)
        XCTAssertTrue(request(minorVersion: 0, [("connection", "Keep-Alive")]).keepAlive)
        XCTAssertFalse(request(minorVersion: 0, [("connection", "keep-alive"), ("connection", "close")]).keepAlive)
    }

    func testHeaderLookUpIgnoresCaseAndReturnsTheFirst() {
        let headers: [(name: String, value: String)] = [("x-a", "1"), ("x-a", "2")]
        XCTAssertEqual(request(headers).header("X-A"), "1")
        XCTAssertNil(request(headers).header("x-b"))
    }

    func testHeaderTokensAreFoundInCommaSeparatedListsAcrossFields() {
        let headers: [(name: String, value: String)] = [
            ("connection", "keep-alive"), ("connection", " foo ,\tUpgrade "),
        ]
        XCTAssertTrue(request(headers).header("Connection", containsToken: "upgrade"))
        XCTAssertFalse(request(headers).header("Connection", containsToken: "up"))
        XCTAssertFalse(request([("connection", "upgraded")]).header("connection", containsToken: "upgrade"))
    }

    func testPathIsTheTargetBeforeTheQuery() {
        XCTAssertEqual(request("/party?token=x").path, "/party")
        XCTAssertEqual(request("/party").path, "/party")
        XCTAssertEqual(request("/?").path, "/")
    }

    func testQueryParametersArePercentDecoded() {
        let target = request("/party?token=a%20b%2Bc&name=J%C3%BCrgen&plus=1+2&empty=&flag&%74ok=key-escaped&x=%3D%26")
        XCTAssertEqual(target.queryParameter("token"), "a b+c")
        XCTAssertEqual(target.queryParameter("name"), "Jürgen")
        XCTAssertEqual(target.queryParameter("plus"), "1 2")
        XCTAssertEqual(target.queryParameter("empty"), "")
        XCTAssertEqual(target.queryParameter("flag"), "")
        XCTAssertEqual(target.queryParameter("tok"), "key-escaped")
        XCTAssertEqual(target.queryParameter("x"), "=&")
        XCTAssertNil(target.queryParameter("missing"))
    }

    func testFirstOfRepeatedQueryParametersWins() {
        XCTAssertEqual(request("/?a=1&a=2").queryParameter("a"), "1")
    }

    func testQueryParameterWithABrokenEscapeOrBadUTF8IsNil() {
        XCTAssertNil(request("/?token=%zz").queryParameter("token"))
        XCTAssertNil(request("/?token=abc%2").queryParameter("token"))
        XCTAssertNil(request("/?token=%FF").queryParameter("token"))
        XCTAssertNil(request("/?token=%C3").queryParameter("token"))
        XCTAssertEqual(
            request("/?bad=%zz&token=ok").queryParameter("token"), "ok", "a broken pair does not hide the rest")
    }

    func testTargetWithoutAQueryHasNoParameters() {
        XCTAssertNil(request("/party").queryParameter("token"))
    }

    func testPercentDecodingAcceptsBothHexCases() {
        XCTAssertEqual(PercentDecoding.decode("%e2%82%AC"), "€")
        XCTAssertEqual(PercentDecoding.decode(""), "")
        XCTAssertNil(PercentDecoding.decode("%"))
    }
}
