import Foundation
import Protocol
import XCTest

@testable import Realtime

/// `GET /overlay` over a real connection: the page, its headers (a CSP whose hashes are those
/// of the script and style actually in the page), HEAD, other methods, and a party path that
/// would break out of its attribute. The page's behaviour is checked in Chromium by
/// `InteropTests.testStreamOverlayShowsThePartyLiveInHeadlessChromium`.
final class OverlayPageServerTests: ServerTestCase {
    func testOverlayIsServedWithAStrictPolicyThatAllowsItsOwnScriptAndStyle() throws {
        let server = try startServer()
        let client = try connect(server)
        let response = try client.request("GET", "/overlay?theme=light", token: nil)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("content-type"), "text/html; charset=utf-8")
        XCTAssertEqual(response.header("cache-control"), "no-store")
        XCTAssertEqual(response.header("x-content-type-options"), "nosniff")
        let policy = try XCTUnwrap(response.header("content-security-policy"))
        XCTAssertTrue(policy.hasPrefix("default-src 'none'; "), policy)
        XCTAssertTrue(policy.contains("connect-src 'self'"), policy)
        XCTAssertFalse(policy.contains("unsafe-inline"), policy)
        let page = response.bodyText
        // Every inline <script> and <style> in the page is allowed by its hash, and no other.
        for (tag, directive) in [("script", "script-src"), ("style", "style-src")] {
            let blocks = Self.inlineBlocks(tag, in: page)
            XCTAssertEqual(blocks.count, 1, "one inline \(tag)")
            for block in blocks {
                let hash = Base64.encode(Digest.sha256(block))
                XCTAssertTrue(policy.contains("\(directive) 'sha256-\(hash)'"), "\(tag) hash \(hash) not in \(policy)")
            }
        }
        XCTAssertTrue(page.contains("data-ws-path=\"\(server.configuration.partyPath)\""))
        XCTAssertFalse(page.contains("http://") || page.contains("https://") || page.contains("src="), "no external request")
        XCTAssertEqual(try client.get("/healthz").status, 200, "kept alive")
    }

    func testHeadHasTheHeadersAndNoBodyAndOtherMethodsAre405() throws {
        let server = try startServer()
        let client = try connect(server)
        let head = try client.request("HEAD", "/overlay", token: nil)
        XCTAssertEqual(head.status, 200)
        XCTAssertNotNil(head.header("content-security-policy"))
        XCTAssertEqual(head.body, [])
        let post = try client.request("POST", "/overlay", json: "{}", token: nil)
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.header("allow"), "GET, HEAD")
    }

    func testThePartyPathIsEscapedInItsAttribute() {
        let response = OverlayPage.response(partyPath: "/ws\"><script>alert(1)</script>&'")
        let page = String(decoding: response.body, as: UTF8.self)
        XCTAssertTrue(page.contains("data-ws-path=\"/ws&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;\""), page)
        XCTAssertEqual(Self.inlineBlocks("script", in: page).count, 1)
    }

    /// The text between each `<tag>` and `</tag>` in `page`.
    private static func inlineBlocks(_ tag: String, in page: String) -> [String] {
        var blocks: [String] = []
        var rest = page[...]
        while let open = rest.range(of: "<\(tag)>"), let close = rest[open.upperBound...].range(of: "</\(tag)>") {
            blocks.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return blocks
    }
}
