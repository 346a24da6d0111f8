import CPartyHubSystem
import Glibc
import Protocol
import Realtime

/// `partyhub`: the command line. `serve` runs the hub; `token` mints a sign-in token; `data`
/// checks and dumps a data directory. Exit codes: 0 success, 1 failure (a damaged data
/// directory, a failed system call), 2 usage and configuration errors (a bad flag, a data
/// directory another server holds, an address that cannot be bound).
enum PartyHubCommand {
    static func main() -> Int32 {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let environment = FileSystem.environment()
        guard let command = arguments.first else {
            print(usage)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "serve":
                if rest.contains("--help") || rest.contains("-h") {
                    print(serveHelp)
                    return 0
                }
                return try serve(rest, environment: environment)
            case "token":
                if rest.contains("--help") || rest.contains("-h") {
                    print(tokenHelp)
                    return 0
                }
                return try token(rest, environment: environment)
            case "data":
                return try data(rest)
            case "--version", "version":
                print(versionLine)
                return 0
            case "admin":
                return try AdminCommand.run(rest, environment: environment)
            case "--help", "-h", "help":
                print(usage)
                return 0
            default:
                fail("unknown command '\(command)' (see partyhub --help)")
                return 2
            }
        } catch let error as ConfigurationError {
            fail(error.description)
            return 2
        } catch {
            fail("\(error)")
            return 1
        }
    }

    /// A data directory the process may not use as it is: not a directory, not writable, on
    /// a read-only file system.
    static func isSetUpWrong(_ error: StorageError) -> Bool {
        guard let code = error.errno else { return false }
        return [EACCES, EPERM, EROFS, ENOTDIR].contains(code)
    }

    static func serve(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let settings = try ServeOption.parse(arguments, environment: environment)
        var configuration = settings.configuration
        // Log lines are written by a thread of their own: let it finish before the process ends.
        defer { configuration.logger.flush() }
        let secret = try JWTSecretStore.resolve(
            explicit: settings.jwtSecret, file: settings.jwtSecretFile, dataDirectory: configuration.dataDirectory)
        configuration.jwtKeys = secret.keys
        try FileSystem.createDirectories(configuration.dataDirectory)
        if secret.generated, let path = secret.path {
            configuration.logger.info(
                "generated a JWT secret; mint a token with: \(tokenCommandHint(dataDirectory: configuration.dataDirectory))",
                ["path": path])
        }
        // Block the control signals before any loop thread exists, so that they reach only
        // this thread's sigwait.
        partyhub_block_control_signals()
        let server: Server
        do {
            server = try Server(configuration: configuration)
        } catch let error as StorageError where error.isDamage {
            // The damage's own text says whether --recover=truncate gets past it.
            fail(
                "cannot start: \(error.description); partyhub data check \(configuration.dataDirectory) describes"
                    + " the whole directory")
            return 1
        } catch let error as StorageError where error.isDirectoryInUse || isSetUpWrong(error) {
            // What the operator fixes with a flag or a permission, not a damaged directory.
            fail(error.description)
            return 2
        }
        try server.start()
        var signal = partyhub_wait_for_control_signal()
        while signal == SIGHUP {
            // Reading the files here, off the loops, keeps a slow disk away from the players;
            // a bad renewal is logged and the working certificate stays.
            if configuration.tls == nil {
                configuration.logger.info("SIGHUP: TLS is not configured; nothing to reload")
            } else {
                do {
                    try server.reloadTLSCertificate()
                } catch {
                    configuration.logger.error("SIGHUP: kept the current TLS certificate", ["error": "\(error)"])
                }
            }
            signal = partyhub_wait_for_control_signal()
        }
        configuration.logger.info("received a termination signal", ["signal": signal == SIGTERM ? "SIGTERM" : "SIGINT"])
        server.shutdown()
        server.wait()
        configuration.logger.info("stopped")
        return 0
    }

    static func token(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        var subject: String?
        var ttl: Double = 3600
        var name: String?
        var role: String?
        var scope: String?
        let settings = try ServeOption.parse(
            arguments, environment: environment,
            extra: [
                "sub": { subject = $0 },
                "ttl": { ttl = try OptionValues.duration($0) },
                "name": { name = $0 },
                "role": { role = $0 },
                "scope": {
                    guard $0 == JWTClaims.readScope else { throw ConfigurationError("--scope must be \(JWTClaims.readScope)") }
                    scope = $0
                },
            ])
        guard let subject else { throw ConfigurationError("--sub is required") }
        guard JWTCodec.isValidSubject(subject) else { throw ConfigurationError("--sub must be 1-64 characters of [A-Za-z0-9_.:-]") }
        guard ttl > 0 else { throw ConfigurationError("--ttl must be above zero") }
        let secret = try JWTSecretStore.resolve(
            explicit: settings.jwtSecret, file: settings.jwtSecretFile, dataDirectory: settings.configuration.dataDirectory)
        let now = Int64(time(nil))
        // Signs with the first key (its kid in the header), and with the issuer and audience the
        // server is told to expect, so a token minted beside `serve`'s flags is accepted by it.
        let codec = JWTCodec(keys: secret.keys)
        let configuration = settings.configuration
        print(
            codec.sign(
                subject: subject, expiresAt: now + Int64(ttl.rounded(.up)), issuedAt: now, name: name, role: role, scope: scope,
                issuer: configuration.jwtIssuer, audience: configuration.jwtAudience))
        return 0
    }

    /// `partyhub data check DIR` and `partyhub data dump DIR [--from LSN] [--events]`: read-only, no lock.
    static func data(_ arguments: [String]) throws -> Int32 {
        if arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h") {
            if arguments.isEmpty {
                FileSystem.writeToStandardError(dataHelp + "\n")
                return 2
            }
            print(dataHelp)
            return 0
        }
        let subcommand = arguments[0]
        guard ["check", "dump"].contains(subcommand) else {
            throw ConfigurationError("unknown data command '\(subcommand)' (check or dump; see partyhub data --help)")
        }
        var directory: String?
        var fromLSN: UInt64?
        var dumpsEvents = false
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            if subcommand == "dump" && argument == "--events" {
                dumpsEvents = true
            } else if subcommand == "dump" && (argument == "--from" || argument.hasPrefix("--from=")) {
                var value = String(argument.dropFirst("--from".count))
                if value.isEmpty {
                    index += 1
                    guard index < arguments.count else { throw ConfigurationError("--from needs an LSN or offset") }
                    value = arguments[index]
                } else {
                    value.removeFirst()
                }
                guard let lsn = UInt64(value), lsn > 0 else {
                    throw ConfigurationError("--from: '\(value)' is not an LSN or offset (a whole number from 1)")
                }
                fromLSN = lsn
            } else if argument.hasPrefix("-") || directory != nil {
                throw ConfigurationError("unexpected argument '\(argument)' (see partyhub data --help)")
            } else {
                directory = argument
            }
            index += 1
        }
        guard let directory, !directory.isEmpty else {
            throw ConfigurationError("partyhub data \(subcommand) needs the data directory (see partyhub data --help)")
        }
        do {
            if subcommand == "check" {
                let check = try DataCheck.run(directory: directory)
                for line in check.lines { print(line) }
                return check.passed ? 0 : 1
            }
            let outcome =
                dumpsEvents
                ? try DataDump.runEvents(directory: directory, fromOffset: fromLSN ?? 1) { print($0) }
                : try DataDump.run(directory: directory, fromLSN: fromLSN ?? 1) { print($0) }
            for warning in outcome.warnings { fail("warning: \(warning)") }
            for problem in outcome.problems { fail("damage: \(problem)") }
            return outcome.passed ? 0 : 1
        } catch {
            // Nothing was verified: never a success, whatever the reason.
            fail("cannot read the data directory: \(error)")
            return 1
        }
    }

    /// The release this source tree is (no release is tagged yet: raise it by hand when one is),
    /// and the commit it was built from (`buildCommit`, written by the BuildCommit plugin before
    /// each build; `unknown` outside a git clone of this repository).
    static let version = "0.17.0"
    static var versionLine: String { "partyhub \(version) (commit \(buildCommit))" }

    /// A `partyhub token` command that works when pasted as it is: `swift run` does not put the
    /// binary on PATH, so it names the running binary by its absolute path (and the data
    /// directory by its absolute path too, since the reader may be in another directory).
    static func tokenCommandHint(dataDirectory: String) -> String {
        let binary = resolvedPath("/proc/self/exe") ?? CommandLine.arguments[0]
        let directory = resolvedPath(dataDirectory) ?? dataDirectory
        return "\(shellQuoted(binary)) token --sub alice --data-dir \(shellQuoted(directory))"
    }

    /// The absolute path `path` names, its links followed; nil when it does not exist.
    static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `text` as one shell word: itself when it holds only safe characters, else single-quoted.
    static func shellQuoted(_ text: String) -> String {
        let safe = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+:,@%=".contains($0)) }
        return safe && !text.isEmpty ? text : "'" + text.replacing("'", with: #"'\''"#) + "'"
    }

    static func fail(_ message: String) {
        FileSystem.writeToStandardError("partyhub: \(message)\n")
    }

    static let usage = """
        partyhub: the real-time party hub of an online game (WebSocket, JWT sign-in).

        usage:
          partyhub serve [flags]          run the server (see partyhub serve --help)
          partyhub token --sub PLAYER     print a sign-in token (see partyhub token --help)
          partyhub data check DIR         verify a data directory: exit 0 when a start loses nothing
          partyhub data dump DIR [--from LSN] [--events]
                                          print the write-ahead log's records, or the published
                                          events (see partyhub data --help)
          partyhub --version              the version and the commit it was built from
          partyhub admin stats [--url URL] [--token TOKEN]
                                          a running server's admin stats (see partyhub admin --help)
          partyhub --help                 this text

        Connect with ws://HOST:8084/api/v1/social/party/ws?token=TOKEN.
        Exit codes: 0 success, 1 failure (a damaged data directory, ...), 2 usage or configuration
        errors (a bad flag, a data directory another server holds, a port in use).
        """

    static let dataHelp = """
        usage:
          partyhub data check DIR
          partyhub data dump DIR [--from LSN]
          partyhub data dump DIR --events [--from OFFSET]

        Both read the data directory DIR (serve's --data-dir) and change nothing: they take no
        lock and may run beside a live server, so a backup can copy the directory after
        `partyhub data check DIR` exits 0.

        check   verifies every snapshot (checksum, rules and epoch, the hub state decodes) and the
                whole write-ahead log (every segment header, every record's length, checksum, LSN
                and type, every hub input decodes) and the published event segments (events-*.log:
                every event through the loaded snapshot's offset must be there; damage after it is
                what a crash leaves, cut by a start and regenerated from the log), and prints each
                snapshot and segment with what it holds, then what a start would do: the snapshot
                it loads, the records it replays, the events it keeps.
                Exit 0 when a start recovers everything. A torn tail at the end of the newest
                segment (what a crash leaves; every start cuts it off) is a warning, with the bytes
                dropped, and still exit 0. Exit 1 on damage a strict start refuses, on a snapshot
                that does not verify, or when the directory cannot be read.
        dump    prints the log's records one a line, from LSN (default 1): the LSN, the input's
                time (Unix ms and UTC), the input and its values, and a line at each segment start
                with its epoch and rules. Player text is quoted, control characters escaped. Exit 1
                (after printing what was readable) on damage. With --events, the published events
                instead, one a line (offset=N and the event's JSON), from OFFSET (default 1).

        Exit 2 on a usage error.
        """

    static var serveHelp: String {
        var text = """
            usage: partyhub serve [flags]

            Runs the hub until SIGTERM or SIGINT, which close every WebSocket with 1001 and exit 0
            within the shutdown grace. Every flag can also be set by its environment variable
            (flags win). Durations take ms, s, m, h (10s); sizes take KiB, MiB, GiB (1MiB).
            With no secret given, one is generated in the data directory on first start.
            TLS (wss://, https://): --tls-cert and --tls-key add a TLS listener on --tls-port
            beside the plain one (--port off: TLS only); SIGHUP reloads the certificate and key
            for new connections without dropping open ones.

            flags:

            """
        for option in ServeOption.all {
            let flag = "  --\(option.name) \(option.valueName)"
            text += flag + String(repeating: " ", count: max(1, 34 - flag.count)) + option.help + "\n"
            text += String(repeating: " ", count: 34) + "env: \(option.environmentVariable)\n"
        }
        return text
    }

    static let tokenHelp = """
        usage: partyhub token --sub PLAYER [--ttl DURATION] [--name NAME] [--role service] [--scope read] [secret flags]

        Prints an HS256 token for PLAYER (1-64 characters of [A-Za-z0-9_.:-]), valid for
        --ttl (default 1h). --role service signs in another service of the game instead (the
        events endpoints take only those; e.g. --sub combat --role service). --scope read
        makes a read-only token (a stream overlay: the party and its events and chat, no
        command that changes anything). --jwt-issuer and --jwt-audience are written into the
        token. It is signed with the first secret serve would use (its kid in the header of a
        KID:SECRET file): --jwt-secret,
        --jwt-secret-file, their PARTYHUB_* variables, or the secret in --data-dir
        (default ./partyhub-data; generated there if missing).
        """
}

exit(PartyHubCommand.main())
