import ArgumentParser
import Foundation
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// Where the services are and how output is written; shared by every command.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "member-registry's endpoint (env XIESHANG_REGISTRY_ENDPOINT; default tcp://127.0.0.1:7101).")
    var registry: String?

    @Option(help: "meeting-scheduler's endpoint (env XIESHANG_SCHEDULER_ENDPOINT; default tcp://127.0.0.1:7201).")
    var scheduler: String?

    @Option(help: "proposal-tracker's endpoint (env XIESHANG_TRACKER_ENDPOINT; default tcp://127.0.0.1:7301).")
    var tracker: String?

    @Option(help: "notifier's endpoint (env XIESHANG_NOTIFIER_ENDPOINT; default tcp://127.0.0.1:7401).")
    var notifier: String?

    @Option(help: "Folder of CURVE keys (env XIESHANG_KEYS_DIR): your key pair <identity>.key and each service's public key <service>.pub. Without it, calls go unencrypted (services run with --insecure only).")
    var keys: String?

    @Option(help: "Whose key pair to use from the keys folder (env XIESHANG_IDENTITY; default admin).")
    var identity: String?

    @Option(help: "Seconds to wait for a service (default 10).")
    var timeout: Double = 10

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    func validate() throws {
        guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
    }

    var registryEndpoint: String {
        registry ?? ProcessInfo.processInfo.environment["XIESHANG_REGISTRY_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "tcp://127.0.0.1:7101"
    }

    var schedulerEndpoint: String {
        scheduler ?? ProcessInfo.processInfo.environment["XIESHANG_SCHEDULER_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "tcp://127.0.0.1:7201"
    }

    func withScheduler<T>(_ body: (RPCClient) async throws -> T) async throws -> T {
        try await withClient("meeting-scheduler", schedulerEndpoint, body)
    }

    var trackerEndpoint: String {
        tracker ?? ProcessInfo.processInfo.environment["XIESHANG_TRACKER_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "tcp://127.0.0.1:7301"
    }

    func withTracker<T>(_ body: (RPCClient) async throws -> T) async throws -> T {
        try await withClient("proposal-tracker", trackerEndpoint, body)
    }

    var notifierEndpoint: String {
        notifier ?? ProcessInfo.processInfo.environment["XIESHANG_NOTIFIER_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "tcp://127.0.0.1:7401"
    }

    func withNotifier<T>(_ body: (RPCClient) async throws -> T) async throws -> T {
        try await withClient("notifier", notifierEndpoint, body)
    }

    var keysFolder: KeyFolder? {
        (keys ?? ProcessInfo.processInfo.environment["XIESHANG_KEYS_DIR"].flatMap { $0.isEmpty ? nil : $0 }).map(KeyFolder.init)
    }

    var identityName: String {
        identity ?? ProcessInfo.processInfo.environment["XIESHANG_IDENTITY"].flatMap { $0.isEmpty ? nil : $0 } ?? "admin"
    }

    /// CURVE for calling `service`: the identity's key pair and the service's public key.
    func security(for service: String) throws -> ClientSecurity? {
        guard let folder = keysFolder else { return nil }
        do {
            return ClientSecurity(keyPair: try folder.keyPair(identityName), serverKey: try folder.publicKey(service))
        } catch let error as KeyFileError {
            throw GatewayFailure(RPCError(.unauthenticated, error.message), endpoint: service)
        }
    }

    /// Every service the gateway knows, with its endpoint.
    var services: [(name: String, endpoint: String)] {
        [("member-registry", registryEndpoint), ("meeting-scheduler", schedulerEndpoint), ("proposal-tracker", trackerEndpoint),
         ("notifier", notifierEndpoint)]
    }

    /// Runs `body` with a client of the registry, closing it afterwards; RPC errors become
    /// one clear line (plus the field violations) and a distinct exit code.
    func withRegistry<T>(_ body: (RPCClient) async throws -> T) async throws -> T {
        try await withClient("member-registry", registryEndpoint, body)
    }

    func withClient<T>(_ service: String, _ endpoint: String, _ body: (RPCClient) async throws -> T) async throws -> T {
        var logger = Logger(label: "gateway")
        logger.logLevel = .critical
        let context = try ZMQContext()
        var configuration = RPCClientConfiguration(endpoints: [endpoint], caller: "gateway")
        configuration.defaultTimeout = .milliseconds(Int64(timeout * 1000))
        configuration.security = try security(for: service)
        let client = try RPCClient(configuration: configuration, context: context, logger: logger)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch var error as RPCError {
            await client.close()
            if error.code == .unauthenticated && keysFolder == nil {
                error.message += " (give --keys DIR and --identity NAME, or XIESHANG_KEYS_DIR and XIESHANG_IDENTITY)"
            }
            throw GatewayFailure(error, endpoint: endpoint)
        } catch {
            await client.close()
            throw error
        }
    }
}

/// A failed call as the user sees it: one line, the violations, and an exit code by kind.
struct GatewayFailure: Error, CustomStringConvertible {
    let error: RPCError
    let endpoint: String

    init(_ error: RPCError, endpoint: String) {
        self.error = error
        self.endpoint = endpoint
    }

    var exitCode: Int32 {
        switch error.code {
        case .invalidArgument, .alreadyExists, .failedPrecondition, .outOfRange, .aborted: 2
        case .notFound: 3
        case .unavailable, .deadlineExceeded, .resourceExhausted: 4
        case .permissionDenied, .unauthenticated: 5
        default: 1
        }
    }

    var description: String {
        var text: String
        switch error.code {
        case .unavailable: text = "error: the service at \(endpoint) is not reachable (\(error.message))"
        case .deadlineExceeded: text = "error: the service at \(endpoint) did not answer in time"
        case .unauthenticated:
            text = "error: not authenticated: \(error.message)"
        case .permissionDenied: text = "error: permission denied: \(error.message)"
        default: text = "error: \(error.message)"
        }
        let single = error.violations.count == 1
            && (error.message.hasPrefix(error.violations[0].field) || error.message == error.violations[0].description)
        if !single {
            for v in error.violations { text += "\n  \(v.field): \(v.description)" }
        }
        return text
    }
}

/// Prints a failure and exits with its code; anything else goes to ArgumentParser.
func runReportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as GatewayFailure {
        FileHandle.standardError.write(Data((failure.description + "\n").utf8))
        throw ExitCode(failure.exitCode)
    }
}

/// Writes a value as pretty, sorted JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
