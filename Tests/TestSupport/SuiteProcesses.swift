import Foundation
import XieshangService
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// The five services as processes, wired to each other as an operator wires them: with the
/// CURVE keys of `keys` (a folder of `gateway keys setup`), or `--insecure`.
public struct SuiteProcesses {
    public let registry: ServiceProcess
    public let scheduler: ServiceProcess
    public let tracker: ServiceProcess
    public let notifier: ServiceProcess
    public let duty: ServiceProcess
    public let keys: String?

    /// Starts them under `directory` (one data folder each), in dependency order.
    public static func start(in directory: String, keys: String? = nil, notifierArguments: [String] = []) async throws -> SuiteProcesses {
        let (registry, scheduler, tracker) = try await startCore(in: directory, keys: keys)
        let notifier = try await ServiceProcess("notifier", dataDir: directory + "/notifier", keys: keys,
                                                arguments: notifierWiring(registry, scheduler, tracker) + notifierArguments)
        let duty = try await ServiceProcess("duty-record", dataDir: directory + "/duty", keys: keys,
                                            arguments: notifierWiring(registry, scheduler, tracker))
        return SuiteProcesses(registry: registry, scheduler: scheduler, tracker: tracker, notifier: notifier, duty: duty, keys: keys)
    }

    /// Makes a keys folder, `<directory>/keys` (`gateway keys setup`: each service's key pair
    /// and allow-list, and an administrator's key), and starts the five with it.
    public static func startWithKeys(in directory: String, notifierArguments: [String] = []) async throws -> SuiteProcesses {
        let keys = directory + "/keys"
        let setup = try await runCommand(builtExecutable("gateway"), ["keys", "setup", "--dir", keys])
        guard setup.status == 0 else { throw ProcessFailure(description: "gateway keys setup --dir \(keys): \(setup.stderr)") }
        return try await start(in: directory, keys: keys, notifierArguments: notifierArguments)
    }

    /// The three services without the notifier (for tests that start it later, or not at all).
    public static func startCore(in directory: String, keys: String? = nil) async throws
        -> (registry: ServiceProcess, scheduler: ServiceProcess, tracker: ServiceProcess) {
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry", keys: keys)
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler", keys: keys,
                                                 arguments: ["--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint])
        let tracker = try await ServiceProcess("proposal-tracker", dataDir: directory + "/tracker", keys: keys,
                                               arguments: ["--registry", registry.rpcEndpoint, "--scheduler", scheduler.rpcEndpoint])
        return (registry, scheduler, tracker)
    }

    /// The arguments that point a consumer (the notifier, duty-record) at the other three (their RPC and events).
    public static func notifierWiring(_ registry: ServiceProcess, _ scheduler: ServiceProcess, _ tracker: ServiceProcess) -> [String] {
        ["--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint,
         "--scheduler", scheduler.rpcEndpoint, "--scheduler-events", scheduler.eventEndpoint,
         "--tracker", tracker.rpcEndpoint, "--tracker-events", tracker.eventEndpoint]
    }

    /// The gateway pointed at all five (with `identity`'s key pair when the suite has keys).
    public func gateway(identity: String? = nil) -> Gateway {
        Gateway(registry: registry.rpcEndpoint, scheduler: scheduler.rpcEndpoint, tracker: tracker.rpcEndpoint,
                notifier: notifier.rpcEndpoint, duty: duty.rpcEndpoint, keys: keys, identity: keys == nil ? nil : (identity ?? "admin"))
    }

    /// Stops them, the notifier first; returns each one's exit status by service name.
    @discardableResult
    public func stop() async -> [String: Int32?] {
        var statuses: [String: Int32?] = [:]
        for (name, service) in [("duty-record", duty), ("notifier", notifier), ("proposal-tracker", tracker), ("meeting-scheduler", scheduler), ("member-registry", registry)] {
            statuses[name] = await service.stop()
        }
        return statuses
    }
}
