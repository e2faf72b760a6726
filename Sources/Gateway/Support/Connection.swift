import ArgumentParser
import Foundation
import XieshangLabels
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// Where the services are and how output is written; shared by every command.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(SuiteService.registry.rpcHelp))
    var registry: String?

    @Option(help: ArgumentHelp(SuiteService.scheduler.rpcHelp))
    var scheduler: String?

    @Option(help: ArgumentHelp(SuiteService.tracker.rpcHelp))
    var tracker: String?

    @Option(help: ArgumentHelp(SuiteService.notifier.rpcHelp))
    var notifier: String?

    @Option(help: ArgumentHelp(SuiteService.duty.rpcHelp))
    var duty: String?

    @Option(help: ArgumentHelp(SuiteService.portal.rpcHelp))
    var portal: String?

    @Option(help: "Folder of CURVE keys (env XIESHANG_KEYS_DIR): your key pair <identity>.key and each service's public key <service>.pub. Without it, calls go unencrypted (services run with --insecure only).")
    var keys: String?

    @Option(help: "Whose key pair to use from the keys folder (env XIESHANG_IDENTITY; default admin).")
    var identity: String?

    @Option(help: "Seconds to wait for a service (env XIESHANG_TIMEOUT; default 10).")
    var timeout: Double?

    @Option(help: "Config file (env XIESHANG_GATEWAY_CONFIG; default ~/.config/xieshang/gateway.toml if it exists) with registry, scheduler, tracker, notifier, duty, keys, identity, timeout, time-zone.")
    var config: String?

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    func validate() throws {
        if let problem = CommitteeClock.problem() { throw ValidationError(problem) }
        let settings: GatewaySettings
        do {
            settings = try GatewaySettings.load(explicit: config)
        } catch {
            throw ValidationError(error.description)
        }
        do {
            if let seconds = try SettingSource(file: settings.values).number(timeout, "XIESHANG_TIMEOUT", file: "timeout") {
                guard seconds > 0 && seconds <= 600 else { throw ValidationError("--timeout (XIESHANG_TIMEOUT) must be more than 0 and at most 600 seconds, not \(seconds)") }
            }
        } catch let refusal as SettingSource.Refusal {
            throw ValidationError(refusal.description)
        }
        // The committee's time zone reaches every place that formats a time this way (the
        // variable, when set and not empty, wins over the file, as for every setting).
        if let zone = settings.values["time-zone"], SettingSource().variable(CommitteeClock.variable) == nil {
            setenv(CommitteeClock.variable, zone, 1)
        }
    }

    /// The config file's settings (already checked by `validate()`).
    var settings: GatewaySettings {
        (try? GatewaySettings.load(explicit: config)) ?? GatewaySettings()
    }

    /// Where the settings come from: the flags, the variables, then the config file.
    var source: SettingSource { SettingSource(file: settings.values) }

    /// A setting: the flag, else its variable, else the config file, else the default.
    func setting(_ flag: String?, _ variable: String, _ key: String, _ fallback: String) -> String {
        source.text(flag, variable, file: key) ?? fallback
    }

    /// A service's endpoint: the flag, else its variable, else the config file, else the default.
    func endpoint(_ service: SuiteService) -> String {
        let flags = [SuiteService.registry: registry, .scheduler: scheduler, .tracker: tracker, .notifier: notifier, .duty: duty, .portal: portal]
        return service.rpcEndpoint(flag: flags[service] ?? nil, file: settings.values[service.key])
    }

    var timeoutSeconds: Double {
        // Checked by `validate()`: a value that is not a number has stopped the command.
        (try? source.number(timeout, "XIESHANG_TIMEOUT", file: "timeout")) ?? 10
    }

    var keysFolder: KeyFolder? {
        var path = setting(keys, "XIESHANG_KEYS_DIR", "keys", "")
        if path.hasPrefix("~/") { path = NSHomeDirectory() + path.dropFirst() }
        return path.isEmpty ? nil : KeyFolder(path)
    }

    var identityName: String {
        setting(identity, "XIESHANG_IDENTITY", "identity", "admin")
    }

    /// CURVE for calling `service`: the identity's key pair and the service's public key.
    func security(for service: String) throws -> ClientSecurity? {
        guard let folder = keysFolder else { return nil }
        do {
            return try folder.clientSecurity(as: identityName, calling: service)
        } catch let error as KeyFileError {
            throw GatewayFailure(RPCError(.unauthenticated, error.message), endpoint: service)
        }
    }

    /// Every service the gateway knows, with its endpoint.
    var services: [(name: String, endpoint: String)] {
        SuiteService.all.map { ($0.name, endpoint($0)) }
    }

    /// Calls `method` on the service that serves its package (`meeting.v1.Meetings/Get` →
    /// meeting-scheduler), with the request `build` fills in.
    func call<Request: WireMessage, Response: WireMessage>(
        _ method: WireMethod<Request, Response>, options: CallOptions = CallOptions(), _ build: (inout Request) -> Void = { _ in }
    ) async throws -> Response {
        var request = Request()
        build(&request)
        return try await call(method, request, options: options)
    }

    /// Calls `method` with `request` on the service that serves its package.
    func call<Request: WireMessage, Response: WireMessage>(
        _ method: WireMethod<Request, Response>, _ request: Request, options: CallOptions = CallOptions()
    ) async throws -> Response {
        guard let service = SuiteService.serving(method.name) else { preconditionFailure("\(method.name) is no suite service's method") }
        return try await with(service) { try await $0.call(method, request, options: options) }
    }

    /// Runs `body` with a client of `service`, closing it afterwards; RPC errors become one
    /// clear line (plus the field violations) and a distinct exit code.
    func with<T>(_ service: SuiteService, _ body: (RPCClient) async throws -> T) async throws -> T {
        try await withClient(service.name, endpoint(service), body)
    }

    func withClient<T>(_ service: String, _ endpoint: String, _ body: (RPCClient) async throws -> T) async throws -> T {
        var logger = Logger(label: "gateway")
        logger.logLevel = .critical
        let context = try ZMQContext()
        // A list (`tcp://a:7301,tcp://b:7301`) names replicas: calls spread over them, a retry
        // goes to the next.
        let endpoints = endpoint.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var configuration = RPCClientConfiguration(endpoints: endpoints.isEmpty ? [endpoint] : endpoints, caller: "gateway")
        configuration.defaultTimeout = .milliseconds(Int64(timeoutSeconds * 1000))
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
        case .unavailable, .deadlineExceeded: 4
        // A limit, not an outage: storage full, a request too large, too much at once.
        case .resourceExhausted: 6
        case .permissionDenied, .unauthenticated: 5
        default: 1
        }
    }

    var description: String {
        var text: String
        switch error.code {
        case .unavailable: text = "error: the service at \(endpoint) is unavailable: \(error.message)"
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
        // The service's words in Chinese, where it gave them (what the portal shows).
        if !error.localizedMessage.isEmpty { text += "\n  说明：\(error.localizedMessage)" }
        return text
    }
}
