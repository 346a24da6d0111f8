// swift-tools-version:6.0
// PartyHub: an in-memory, authoritative party hub for online games, over our own epoll loop
// and RFC 6455. No third-party packages: Foundation, Glibc, the system OpenSSL and XCTest only.
import PackageDescription

// Release builds drop the runtime exclusivity checks: on the hot path they were a quarter of
// the server's instructions (swift_beginAccess on every class property access, measured with
// callgrind). Debug builds, which `swift test` runs, keep them, so the tests still trap on any
// overlapping access.
let releaseSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "partyhub",
    products: [
        .executable(name: "partyhub", targets: ["partyhub"]),
        .library(name: "Protocol", targets: ["Protocol"]),
        .library(name: "Realtime", targets: ["Realtime"]),
    ],
    targets: [
        // Linux headers Glibc's Swift module leaves out (epoll, eventfd, timerfd, signalfd),
        // plus a few relaxed-atomic helpers for counters read by other threads.
        .target(name: "CPartyHubSystem"),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // Pure wire code: no sockets, no threads, no clock reads.
        .target(name: "Protocol", dependencies: ["COpenSSL"], swiftSettings: releaseSettings),
        // The event loops, connections, the hub and (later) persistence.
        .target(name: "Realtime", dependencies: ["Protocol", "CPartyHubSystem", "COpenSSL"], swiftSettings: releaseSettings),
        // BuildCommit writes the commit `partyhub --version` prints (git, before each build).
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .executableTarget(name: "partyhub", dependencies: ["Realtime", "Protocol", "COpenSSL"], swiftSettings: releaseSettings, plugins: ["BuildCommit"]),
        // Helpers both test targets share (a seeded random generator).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ProtocolTests", dependencies: ["Protocol", "TestSupport"]),
        // Depends on the executable so that `swift test` builds the real binary the interop tests run.
        .testTarget(name: "RealtimeTests", dependencies: ["Realtime", "Protocol", "partyhub", "TestSupport", "COpenSSL"], exclude: ["Interop"]),
    ]
)
