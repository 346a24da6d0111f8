import CPartyHubSystem
import Glibc
import Protocol
import Realtime

/// `partyhub`: the command line. `serve` runs the hub; `token` mints a sign-in token.
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

    static func serve(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let settings = try ServeOption.parse(arguments, environment: environment)
        var configuration = settings.configuration
        let secret = try JWTSecretStore.resolve(
            explicit: settings.jwtSecret, file: settings.jwtSecretFile, dataDirectory: configuration.dataDirectory)
        configuration.jwtSecret = secret.secret
        try FileSystem.createDirectories(configuration.dataDirectory)
        if secret.generated, let path = secret.path {
            configuration.logger.info(
                "generated a JWT secret; mint a token with: partyhub token --sub alice --data-dir \(configuration.dataDirectory)",
                ["path": path])
        }
        // Block the termination signals before any loop thread exists, so that they reach only
        // this thread's sigwait.
        partyhub_block_termination_signals()
        let server = try Server(configuration: configuration)
        try server.start()
        let signal = partyhub_wait_for_termination_signal()
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
        let settings = try ServeOption.parse(
            arguments, environment: environment,
            extra: [
                "sub": { subject = $0 },
                "ttl": { ttl = try OptionValues.duration($0) },
                "name": { name = $0 },
            ])
        guard let subject else { throw ConfigurationError("--sub is required") }
        guard JWTCodec.isValidSubject(subject) else { throw ConfigurationError("--sub must be 1-64 characters of [A-Za-z0-9_.:-]") }
        guard ttl > 0 else { throw ConfigurationError("--ttl must be above zero") }
        let secret = try JWTSecretStore.resolve(
            explicit: settings.jwtSecret, file: settings.jwtSecretFile, dataDirectory: settings.configuration.dataDirectory)
        let now = Int64(time(nil))
        let codec = JWTCodec(secret: secret.secret)
        print(codec.sign(subject: subject, expiresAt: now + Int64(ttl.rounded(.up)), issuedAt: now, name: name))
        return 0
    }

    static func fail(_ message: String) {
        FileSystem.writeToStandardError("partyhub: \(message)\n")
    }

    static let usage = """
        partyhub: the real-time party hub of an online game (WebSocket, JWT sign-in).

        usage:
          partyhub serve [flags]          run the server (see partyhub serve --help)
          partyhub token --sub PLAYER     print a sign-in token (see partyhub token --help)
          partyhub --help                 this text

        Connect with ws://HOST:8084/api/v1/social/party/ws?token=TOKEN.
        """

    static var serveHelp: String {
        var text = """
            usage: partyhub serve [flags]

            Runs the hub until SIGTERM or SIGINT, which close every WebSocket with 1001 and exit 0
            within the shutdown grace. Every flag can also be set by its environment variable
            (flags win). Durations take ms, s, m, h (10s); sizes take KiB, MiB, GiB (1MiB).
            With no secret given, one is generated in the data directory on first start.

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
        usage: partyhub token --sub PLAYER [--ttl DURATION] [--name NAME] [secret flags]

        Prints an HS256 token for PLAYER (1-64 characters of [A-Za-z0-9_.:-]), valid for
        --ttl (default 1h), signed with the secret serve would use: --jwt-secret,
        --jwt-secret-file, their PARTYHUB_* variables, or the secret in --data-dir
        (default ./partyhub-data; generated there if missing).
        """
}

exit(PartyHubCommand.main())
