import Realtime

/// One `serve` flag: its name, environment variable, help, and how it sets the configuration.
struct ServeOption: Sendable {
    let name: String
    let valueName: String
    let help: String
    let apply: @Sendable (inout ServeSettings, String) throws -> Void

    /// The environment variable that sets it: PARTYHUB_ and the name in capitals.
    var environmentVariable: String {
        "PARTYHUB_" + String(name.uppercased().map { $0 == "-" ? "_" : $0 })
    }
}

/// What `serve` and `token` are told, before the secret is resolved.
struct ServeSettings {
    var configuration = ServerConfiguration()
    var jwtSecret: String?
    var jwtSecretFile: String?
    /// The TLS flags, gathered first and checked together (`resolveTLS`).
    var tlsCertificatePath: String?
    var tlsPrivateKeyPath: String?
    var tlsPort: Int?

    /// TLS is on with both the certificate and the key; either alone, or a TLS port without
    /// them, is a mistake worth refusing rather than serving plain text the operator did not mean.
    mutating func resolveTLS() throws {
        switch (tlsCertificatePath, tlsPrivateKeyPath) {
        case (let certificate?, let key?):
            configuration.tls = TLSConfiguration(
                certificatePath: certificate, privateKeyPath: key, port: tlsPort ?? TLSConfiguration.defaultPort)
        case (nil, nil):
            guard tlsPort == nil else { throw ConfigurationError("--tls-port needs --tls-cert and --tls-key") }
            guard configuration.servesPlainText else {
                throw ConfigurationError("--port off serves TLS only: it needs --tls-cert and --tls-key")
            }
        case (nil, _?):
            throw ConfigurationError("--tls-key needs --tls-cert")
        case (_?, nil):
            throw ConfigurationError("--tls-cert needs --tls-key")
        }
    }
}

extension ServeOption {
    static let all: [ServeOption] = [
        ServeOption(name: "host", valueName: "ADDRESS", help: "address to listen on (default 0.0.0.0)") { settings, value in
            guard !value.isEmpty else { throw ConfigurationError("the host is empty") }
            settings.configuration.host = value
        },
        ServeOption(name: "port", valueName: "PORT", help: "plain-text port, ws:// and http:// (default 8084; 0 picks a free one; off: TLS only)") {
            settings, value in
            if value == "off" {
                settings.configuration.servesPlainText = false
            } else {
                settings.configuration.port = try OptionValues.integer(value, in: 0...65535)
                settings.configuration.servesPlainText = true
            }
        },
        ServeOption(name: "tls-cert", valueName: "PATH", help: "PEM certificate chain (leaf first) for wss:// and https://; with --tls-key turns TLS on") {
            settings, value in
            guard !value.isEmpty else { throw ConfigurationError("the certificate path is empty") }
            settings.tlsCertificatePath = value
        },
        ServeOption(name: "tls-key", valueName: "PATH", help: "PEM private key of --tls-cert (both are read again on SIGHUP)") { settings, value in
            guard !value.isEmpty else { throw ConfigurationError("the key path is empty") }
            settings.tlsPrivateKeyPath = value
        },
        ServeOption(name: "tls-port", valueName: "PORT", help: "TLS port, beside the plain-text one (default 8443; 0 picks a free one)") {
            settings, value in
            settings.tlsPort = try OptionValues.integer(value, in: 0...65535)
        },
        ServeOption(name: "data-dir", valueName: "PATH", help: "data directory (default ./partyhub-data)") { settings, value in
            guard !value.isEmpty else { throw ConfigurationError("the data directory is empty") }
            settings.configuration.dataDirectory = value
        },
        ServeOption(name: "fsync", valueName: "POLICY", help: "always (default): replies wait for fdatasync; everysec: synced each second; none") {
            settings, value in
            guard let policy = FsyncPolicy(rawValue: value) else { throw ConfigurationError("'\(value)' is not a policy (always, everysec, none)") }
            settings.configuration.persistence.fsync = policy
        },
        ServeOption(name: "wal-segment-bytes", valueName: "SIZE", help: "size past which a new log segment begins (default 64MiB)") { settings, value in
            let size = try OptionValues.size(value)
            guard size >= 4096 && size <= 1 << 32 else { throw ConfigurationError("must be 4KiB to 4GiB") }
            settings.configuration.persistence.segmentBytes = size
        },
        ServeOption(name: "snapshot-every", valueName: "RECORDS", help: "log records between snapshots (default 1000000)") { settings, value in
            settings.configuration.persistence.snapshotEveryRecords = try OptionValues.integer(value, in: 1...1_000_000_000)
        },
        ServeOption(name: "event-retention", valueName: "EVENTS", help: "published events kept for other services (default 1000000)") {
            settings, value in
            settings.configuration.persistence.events.retention = try OptionValues.integer(value, in: 1...1_000_000_000)
        },
        ServeOption(name: "recover", valueName: "MODE", help: "strict (default): damaged log stops the start; truncate: cut it there") { settings, value in
            switch value {
            case "strict": settings.configuration.persistence.truncateDamage = false
            case "truncate": settings.configuration.persistence.truncateDamage = true
            default: throw ConfigurationError("'\(value)' is not a recovery mode (strict, truncate)")
            }
        },
        ServeOption(name: "threads", valueName: "N", help: "event loops (default: the CPUs this process may run on)") { settings, value in
            settings.configuration.threads = try OptionValues.integer(value, in: 1...255)
        },
        ServeOption(name: "jwt-secret", valueName: "SECRET", help: "HS256 secret for sign-in tokens") { settings, value in
            guard !value.isEmpty else { throw ConfigurationError("the JWT secret is empty") }
            settings.jwtSecret = value
        },
        ServeOption(name: "jwt-secret-file", valueName: "PATH", help: "file holding the HS256 secret") { settings, value in
            settings.jwtSecretFile = value
        },
        ServeOption(name: "jwt-leeway", valueName: "DURATION", help: "clock skew allowed on exp and nbf (default 10s)") { settings, value in
            settings.configuration.jwtLeewaySeconds = Int64(try OptionValues.duration(value).rounded(.up))
        },
        ServeOption(name: "jwt-issuer", valueName: "ISSUER", help: "require this iss in every token (off by default)") { settings, value in
            guard !value.isEmpty else { throw ConfigurationError("the issuer is empty") }
            settings.configuration.jwtIssuer = value
        },
        ServeOption(name: "jwt-audience", valueName: "AUDIENCE", help: "require every token's aud to name this (off by default)") { settings, value in
            guard !value.isEmpty else { throw ConfigurationError("the audience is empty") }
            settings.configuration.jwtAudience = value
        },
        ServeOption(
            name: "allowed-origins", valueName: "ORIGINS",
            help: "comma-separated origins browsers may connect from, or *; others get 403 (default: any)"
        ) { settings, value in
            let origins = value.split(separator: ",").map { String($0.trimmingPrefix(" ")) }.filter { !$0.isEmpty }
            guard !origins.isEmpty else { throw ConfigurationError("name at least one origin, or *") }
            for origin in origins where origin != "*" {
                guard origin.hasPrefix("https://") || origin.hasPrefix("http://"), !origin.hasSuffix("/") else {
                    throw ConfigurationError("'\(origin)' is not an origin like https://game.example.com")
                }
            }
            settings.configuration.allowedOrigins = origins
        },
        ServeOption(name: "max-connections", valueName: "N", help: "open connections past which upgrades get 503; 0 turns the limit off (default 0)") {
            settings, value in
            settings.configuration.maxConnections = try OptionValues.integer(value, in: 0...100_000_000)
        },
        ServeOption(
            name: "max-connections-per-ip", valueName: "N", help: "WebSockets one client address may hold (429 past it); 0 turns the limit off (default 256)"
        ) { settings, value in
            settings.configuration.maxConnectionsPerAddress = try OptionValues.integer(value, in: 0...100_000_000)
        },
        ServeOption(
            name: "ip-handshake-rate", valueName: "PER_SECOND", help: "upgrades per second per client address (429 past it); 0 turns the limit off (default 50)"
        ) { settings, value in
            settings.configuration.handshakeRatePerAddress = try OptionValues.number(value)
        },
        ServeOption(name: "ip-handshake-burst", valueName: "N", help: "upgrades a client address may start at once (default 100)") { settings, value in
            settings.configuration.handshakeBurstPerAddress = Double(try OptionValues.integer(value, in: 1...1_000_000))
        },
        ServeOption(
            name: "trusted-proxies", valueName: "ADDRESSES", help: "comma-separated proxy addresses whose X-Forwarded-For names the client (default none)"
        ) { settings, value in
            settings.configuration.trustedProxies = value.split(separator: ",").map { String($0.trimmingPrefix(" ")) }.filter { !$0.isEmpty }
        },
        ServeOption(
            name: "inbound-message-rate", valueName: "PER_SECOND",
            help: "messages per second per WebSocket: a warning, then close 1008; 0 turns the limit off (default 50)"
        ) { settings, value in
            settings.configuration.inboundMessageRatePerSecond = try OptionValues.number(value)
        },
        ServeOption(name: "inbound-message-burst", valueName: "N", help: "messages a WebSocket may send at once (default 100)") { settings, value in
            settings.configuration.inboundMessageBurst = Double(try OptionValues.integer(value, in: 1...1_000_000))
        },
        ServeOption(name: "max-message-bytes", valueName: "SIZE", help: "largest WebSocket message; larger gets 1009 (default 64KiB)") {
            settings, value in
            let size = try OptionValues.size(value)
            guard size >= 125 && size <= 1 << 30 else { throw ConfigurationError("must be 125 bytes to 1GiB") }
            settings.configuration.maxMessageBytes = size
        },
        ServeOption(name: "max-outbound-bytes", valueName: "SIZE", help: "unsent output before a slow client is closed with 1008 (default 1MiB)") {
            settings, value in
            let size = try OptionValues.size(value)
            guard size >= 1024 else { throw ConfigurationError("must be at least 1KiB") }
            settings.configuration.maxOutboundBytes = size
        },
        ServeOption(name: "max-hub-backlog", valueName: "N", help: "requests a loop may have waiting at the hub's loop before it stops reading its sockets; 0 turns the limit off (default 4096)") {
            settings, value in
            settings.configuration.maxHubBacklog = try OptionValues.integer(value, in: 0...10_000_000)
        },
        ServeOption(name: "max-connection-backlog", valueName: "N", help: "requests one connection may have waiting at the hub's loop before its socket is no longer read; 0 turns the limit off (default 64)") {
            settings, value in
            settings.configuration.maxConnectionBacklog = try OptionValues.integer(value, in: 0...10_000_000)
        },
        ServeOption(name: "handshake-timeout", valueName: "DURATION", help: "time to complete the HTTP request (default 10s)") { settings, value in
            settings.configuration.handshakeTimeout = try positive(OptionValues.duration(value))
        },
        ServeOption(name: "ping-interval", valueName: "DURATION", help: "silence before the server pings (default 20s)") { settings, value in
            settings.configuration.pingInterval = try positive(OptionValues.duration(value))
        },
        ServeOption(name: "idle-timeout", valueName: "DURATION", help: "silence before a WebSocket is closed (default 60s)") { settings, value in
            settings.configuration.idleTimeout = try positive(OptionValues.duration(value))
        },
        ServeOption(name: "shutdown-grace", valueName: "DURATION", help: "time to drain on SIGTERM: connections close while /healthz and new requests get 503 (default 5s)") {
            settings, value in
            settings.configuration.shutdownGrace = try OptionValues.duration(value)
        },
        ServeOption(name: "echo-path", valueName: "PATH", help: "add a sign-in-free echo WebSocket at PATH (off by default)") {
            settings, value in
            guard value.hasPrefix("/"), value != settings.configuration.partyPath else {
                throw ConfigurationError("must start with / and differ from the party path")
            }
            settings.configuration.echoPath = value
        },
        ServeOption(name: "public-url", valueName: "URL", help: "address clients reach the server at, for groups' invite_link (off by default)") {
            settings, value in
            settings.configuration.publicURL = try publicURL(value)
        },
        ServeOption(name: "max-party-size", valueName: "N", help: "the most seats party.create may ask for (default 40)") {
            settings, value in
            settings.configuration.hub.maxPartySize = try OptionValues.integer(value, in: 2...1000)
        },
        ServeOption(name: "chat-rate", valueName: "PER_SECOND", help: "chat messages per second per player; 0 turns the limit off (default 5)") {
            settings, value in
            settings.configuration.hub.chatRatePerSecond = try OptionValues.number(value)
        },
        ServeOption(name: "chat-burst", valueName: "N", help: "chat messages a player may send at once (default 10)") { settings, value in
            settings.configuration.hub.chatBurst = Double(try OptionValues.integer(value, in: 1...1_000_000))
        },
        ServeOption(name: "signal-rate", valueName: "PER_SECOND", help: "party.signal messages per second per player; 0 turns the limit off (default 10)") {
            settings, value in
            settings.configuration.hub.signalRatePerSecond = try OptionValues.number(value)
        },
        ServeOption(name: "signal-burst", valueName: "N", help: "signals a player may send at once (default 20)") { settings, value in
            settings.configuration.hub.signalBurst = Double(try OptionValues.integer(value, in: 1...1_000_000))
        },
        ServeOption(name: "command-rate", valueName: "PER_SECOND", help: "other commands per second per player; 0 turns the limit off (default 20)") {
            settings, value in
            settings.configuration.hub.commandRatePerSecond = try OptionValues.number(value)
        },
        ServeOption(name: "command-burst", valueName: "N", help: "other commands a player may send at once (default 40)") { settings, value in
            settings.configuration.hub.commandBurst = Double(try OptionValues.integer(value, in: 1...1_000_000))
        },
        ServeOption(
            name: "party-create-rate", valueName: "PER_MINUTE",
            help: "parties one player may create per minute; 0 turns the limit off (default 10)"
        ) { settings, value in
            settings.configuration.hub.partyCreationsPerMinute = try OptionValues.number(value)
        },
        ServeOption(name: "party-create-burst", valueName: "N", help: "parties a player may create at once (default 5)") { settings, value in
            settings.configuration.hub.partyCreationBurst = Double(try OptionValues.integer(value, in: 1...1_000_000))
        },
        ServeOption(name: "invite-ttl", valueName: "DURATION", help: "how long invites and join requests live (default 60s)") { settings, value in
            settings.configuration.hub.inviteTTLMilliseconds = milliseconds(try positive(OptionValues.duration(value)))
        },
        ServeOption(name: "reconnect-grace", valueName: "DURATION", help: "how long a disconnected member keeps the seat; 0 leaves at once (default 60s)") {
            settings, value in
            settings.configuration.hub.reconnectGraceMilliseconds = milliseconds(try OptionValues.duration(value))
        },
        ServeOption(name: "ready-check-timeout", valueName: "DURATION", help: "how long a ready check waits for answers (default 30s)") {
            settings, value in
            settings.configuration.hub.readyCheckMilliseconds = milliseconds(try positive(OptionValues.duration(value)))
        },
        ServeOption(name: "loot-roll-timeout", valueName: "DURATION", help: "how long a loot roll waits for choices, an assignment or a claim (default 30s)") {
            settings, value in
            settings.configuration.hub.lootRollTimeoutMilliseconds = milliseconds(try positive(OptionValues.duration(value)))
        },
        ServeOption(name: "offline-notice-delay", valueName: "DURATION", help: "how long a member may be away before the party hears member_offline; 0 tells at once (default 2s)") {
            settings, value in
            settings.configuration.hub.offlineNoticeDelayMilliseconds = milliseconds(try OptionValues.duration(value))
        },
        ServeOption(name: "history", valueName: "N", help: "events each party keeps for party.history and session.resume (default 256)") {
            settings, value in
            settings.configuration.hub.historySize = try OptionValues.integer(value, in: 0...100_000)
        },
        ServeOption(name: "max-invites-per-player", valueName: "N", help: "pending invites a player may hold; a newer one cancels the oldest; 0 turns the cap off (default 20)") {
            settings, value in
            settings.configuration.hub.maxPendingInvitesPerPlayer = try OptionValues.integer(value, in: 0...10_000)
        },
        ServeOption(name: "max-sessions-per-player", valueName: "N", help: "connections a player may hold; a newer one closes the oldest with 4008; 0 turns the cap off (default 8)") {
            settings, value in
            settings.configuration.hub.maxSessionsPerPlayer = try OptionValues.integer(value, in: 0...10_000)
        },
        ServeOption(name: "log-level", valueName: "LEVEL", help: "debug, info, warning or error (default info)") { settings, value in
            guard let level = Logger.Level(name: value) else { throw ConfigurationError("'\(value)' is not a log level") }
            settings.configuration.logger = Logger(minimumLevel: level, format: settings.configuration.logger.format)
        },
        ServeOption(name: "log-format", valueName: "FORMAT", help: "text or json (default text)") { settings, value in
            guard let format = Logger.Format(rawValue: value) else { throw ConfigurationError("'\(value)' is not a log format (text, json)") }
            settings.configuration.logger = Logger(minimumLevel: settings.configuration.logger.minimumLevel, format: format)
        },
    ]

    /// An http(s) URL without spaces, its trailing slashes dropped (links append `/groups/...`).
    private static func publicURL(_ value: String) throws -> String {
        var url = Substring(value)
        while url.hasSuffix("/") { url = url.dropLast() }
        let scheme = url.hasPrefix("https://") ? "https://" : url.hasPrefix("http://") ? "http://" : nil
        guard let scheme, url.count > scheme.count, !url.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "\\" }) else {
            throw ConfigurationError("'\(value)' is not an http:// or https:// URL")
        }
        return String(url)
    }

    private static func milliseconds(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded(.up)) }

    private static func positive(_ value: Double) throws -> Double {
        guard value > 0 else { throw ConfigurationError("must be above zero") }
        return value
    }

    /// Applies the environment, then the arguments (which win). Unknown flags are refused.
    static func parse(_ arguments: [String], environment: [String: String], extra: [String: (String) throws -> Void] = [:])
        throws -> ServeSettings
    {
        var settings = ServeSettings()
        // Flags win: a variable whose flag is given is not read at all, so a stale or broken
        // PARTYHUB_* value cannot stop a command line that overrides it.
        let flagged = Set(arguments.filter { $0.hasPrefix("--") }.map { $0.dropFirst(2).prefix { $0 != "=" } }.map(String.init))
        for option in all where !flagged.contains(option.name) {
            if let value = environment[option.environmentVariable] {
                do { try option.apply(&settings, value) } catch let error as ConfigurationError {
                    throw ConfigurationError("\(option.environmentVariable): \(error.description)")
                }
            }
        }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else { throw ConfigurationError("unexpected argument '\(argument)'") }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            let handler: (String) throws -> Void
            if let option = all.first(where: { $0.name == name }) {
                handler = { try option.apply(&settings, $0) }
            } else if let custom = extra[name] {
                handler = custom
            } else {
                throw ConfigurationError("unknown flag --\(name) (see --help)")
            }
            if value == nil {
                index += 1
                guard index < arguments.count else { throw ConfigurationError("--\(name) needs a value") }
                value = arguments[index]
            }
            do { try handler(value!) } catch let error as ConfigurationError {
                throw ConfigurationError("--\(name): \(error.description)")
            }
            index += 1
        }
        try settings.resolveTLS()
        return settings
    }
}
