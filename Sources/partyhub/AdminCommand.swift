import Glibc
import Realtime

/// `partyhub admin stats`: asks a running server's admin API (`GET /api/v1/admin/stats`) with a
/// service token and prints its JSON. The URL and token come from `--url`/`--token` or
/// `PARTYHUB_ADMIN_URL`/`PARTYHUB_ADMIN_TOKEN` (flags win). http:// or https:// (verified
/// against the system's roots or `--ca`), through a small blocking client of its own (one
/// request, `Connection: close`, 10 s timeouts).
enum AdminCommand {
    static let help = """
        usage:
          partyhub admin stats [--url http[s]://HOST:PORT] [--token SERVICE_TOKEN] [--ca ROOTS.pem]
          partyhub admin disband PARTY_ID --reason TEXT [--url ...] [--token ...]
          partyhub admin parties PARTY_ID [--url ...] [--token ...]
          partyhub admin players PLAYER_ID [--url ...] [--token ...]

        stats prints the server's GET /api/v1/admin/stats (counts, the log's durable LSN, the
        last snapshot's LSN, the event stream's offsets) as JSON; disband ends a party
        (POST /api/v1/admin/parties/PARTY_ID/disband: its members get party.disbanded, the event
        stream party:disbanded with the reason admin:TEXT) and prints the answer; parties prints
        GET /api/v1/admin/parties/PARTY_ID (the party's whole state); players prints
        GET /api/v1/admin/players/PLAYER_ID (their party, sessions and rate budgets). --url defaults to
        $PARTYHUB_ADMIN_URL, else http://127.0.0.1:8084; --token to $PARTYHUB_ADMIN_TOKEN (a
        service token: partyhub token --sub ops --role service). An https:// URL is verified
        against the system's trusted roots, or only those in --ca (to $PARTYHUB_ADMIN_CA: a PEM
        file, for a private CA), and must name the certificate's host or address. Exit 0 on a
        2xx answer, 1 on another answer or a network or TLS error, 2 on a usage error.
        """

    static func run(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(help)
            return 0
        }
        let command = arguments.first ?? ""
        guard ["stats", "disband", "parties", "players"].contains(command) else {
            throw ConfigurationError(
                "unknown admin command '\(command)' (stats, parties, players or disband; see partyhub admin --help)")
        }
        var url = environment["PARTYHUB_ADMIN_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8084"
        var token = environment["PARTYHUB_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        var trustedRoots = environment["PARTYHUB_ADMIN_CA"].flatMap { $0.isEmpty ? nil : $0 }
        var reason: String?
        var party: String?
        var index = 1
        while index < arguments.count {
            let flag = arguments[index]
            guard flag.hasPrefix("--") else {
                guard command != "stats", party == nil else { throw ConfigurationError("unexpected argument '\(flag)'") }
                party = flag
                index += 1
                continue
            }
            guard ["--url", "--token", "--ca"].contains(flag) || (flag == "--reason" && command == "disband") else {
                throw ConfigurationError("unknown flag \(flag) (see partyhub admin --help)")
            }
            guard index + 1 < arguments.count else { throw ConfigurationError("\(flag) needs a value") }
            switch flag {
            case "--url": url = arguments[index + 1]
            case "--token": token = arguments[index + 1]
            case "--ca": trustedRoots = arguments[index + 1]
            default: reason = arguments[index + 1]
            }
            index += 2
        }
        guard let token, !token.isEmpty else { throw ConfigurationError("a service token is needed: --token or PARTYHUB_ADMIN_TOKEN") }
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw ConfigurationError("--token holds a character a token cannot") }
        var target = try Target(url)
        if target.isTLS {
            target.trustedRoots = trustedRoots
        } else if trustedRoots != nil, arguments.contains("--ca") {
            throw ConfigurationError("--ca is for an https:// URL")
        }
        let response: (status: Int, body: String)
        if command != "stats" {
            guard let party, !party.isEmpty, party.utf8.count <= 64,
                party.utf8.allSatisfy({ ASCIIWord.isWordByte($0) })
            else { throw ConfigurationError("\(command) needs an id (1-64 characters of [A-Za-z0-9_.:-])") }
            if command == "players" {
                response = try request(target, method: "GET", path: target.prefix + "/api/v1/admin/players/\(party)", token: token, body: nil)
                return try finish(response)
            }
            if command == "parties" {
                response = try request(target, method: "GET", path: target.prefix + "/api/v1/admin/parties/\(party)", token: token, body: nil)
                return try finish(response)
            }
            guard let reason, (1...128).contains(reason.count) else { throw ConfigurationError("--reason must be 1-128 characters") }
            response = try request(
                target, method: "POST", path: target.prefix + "/api/v1/admin/parties/\(party)/disband", token: token,
                body: "{\"reason\":" + jsonString(reason) + "}")
        } else {
            response = try request(target, method: "GET", path: target.prefix + "/api/v1/admin/stats", token: token, body: nil)
        }
        return try finish(response)
    }

    /// Prints a 2xx answer's body (exit 0), or says what the server answered (exit 1).
    private static func finish(_ response: (status: Int, body: String)) throws -> Int32 {
        guard (200..<300).contains(response.status) else {
            PartyHubCommand.fail("the server answered \(response.status): \(response.body)")
            return 1
        }
        print(response.body)
        return 0
    }

    /// `http[s]://HOST[:PORT][/PREFIX]`.
    struct Target {
        let host: String
        let port: String
        let prefix: String
        let isTLS: Bool
        /// A PEM file of the only roots an https:// server's chain may lead to (nil: the system's).
        var trustedRoots: String?

        init(_ url: String) throws {
            let scheme = ["http://", "https://"].first { url.hasPrefix($0) }
            guard let scheme else { throw ConfigurationError("--url must start with http:// or https:// (got \(url))") }
            isTLS = scheme == "https://"
            let rest = url.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" }
            var prefix = String(rest.dropFirst(authority.count))
            while prefix.hasSuffix("/") { prefix.removeLast() }
            var host = Substring(authority)
            var port = isTLS ? "443" : "80"
            if host.hasPrefix("["), let close = host.firstIndex(of: "]") {  // [::1]:8084
                let after = host[host.index(after: close)...]
                if after.hasPrefix(":") { port = String(after.dropFirst()) }
                host = host[host.index(after: host.startIndex)..<close]
            } else if let colon = host.lastIndex(of: ":") {
                port = String(host[host.index(after: colon)...])
                host = host[..<colon]
            }
            guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw ConfigurationError("--url has no host: \(url)")
            }
            guard let number = Int(port), (1...65535).contains(number) else { throw ConfigurationError("--url has a bad port: \(url)") }
            guard prefix.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw ConfigurationError("--url has a bad path: \(url)") }
            self.host = String(host)
            self.port = port
            self.prefix = prefix
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The characters of a party id on the command line.
    enum ASCIIWord {
        static func isWordByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"):
                return true
            default: return false
            }
        }
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// One request with `Connection: close`, read to the end of the stream.
    static func request(_ target: Target, method: String, path: String, token: String, body: String?) throws
        -> (status: Int, body: String)
    {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let looked = getaddrinfo(target.host, target.port, &hints, &list)
        guard looked == 0, let first = list else {
            throw Failure(description: "\(target.host): \(String(cString: gai_strerror(looked)))")
        }
        defer { freeaddrinfo(list) }
        var descriptor: Int32 = -1
        var lastError: Int32 = 0
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            let candidate = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if candidate >= 0 {
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(candidate, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(candidate, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if connect(candidate, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                    descriptor = candidate
                    break
                }
                lastError = errno
                close(candidate)
            } else {
                lastError = errno
            }
            entry = address.pointee.ai_next
        }
        guard descriptor >= 0 else {
            throw Failure(description: "connecting to \(target.host):\(target.port): \(String(cString: strerror(lastError)))")
        }
        defer { close(descriptor) }
        if target.isTLS { ignoreBrokenPipeSignals() }
        let tls = try target.isTLS ? AdminTLSStream(fd: descriptor, host: target.host, trustedRoot: target.trustedRoots) : nil
        let hostHeader = target.host.contains(":") ? "[\(target.host)]" : target.host  // an IPv6 literal keeps its brackets
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader):\(target.port)\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        let request = Array((head + "\r\n" + (body ?? "")).utf8)
        if let tls {
            try tls.write(request)
        } else {
            var sent = 0
            while sent < request.count {
                let written = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { throw Failure(description: "sending the request: \(String(cString: strerror(errno)))") }
                sent += written
            }
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = try buffer.withUnsafeMutableBytes { bytes throws -> Int in
                if let tls { return try tls.read(into: bytes) }
                let count = recv(descriptor, bytes.baseAddress, bytes.count, 0)
                guard count >= 0 else { throw Failure(description: "reading the answer: \(String(cString: strerror(errno)))") }
                return count
            }
            if count == 0 { break }
            received += buffer[0..<count]
            guard received.count <= 16 << 20 else { throw Failure(description: "the answer is over 16 MiB") }
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = received.indices.dropLast(3).first(where: { Array(received[$0..<($0 + 4)]) == separator }) else {
            throw Failure(description: "no complete HTTP answer")
        }
        let statusLine = String(decoding: received[..<headEnd].prefix { $0 != 13 }, as: UTF8.self)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw Failure(description: "not an HTTP answer: \(statusLine.prefix(80))")
        }
        return (status, String(decoding: received[(headEnd + 4)...], as: UTF8.self))
    }
}

