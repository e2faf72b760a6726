import Foundation

/// Services started for one test as processes, each with a data folder under one temporary
/// folder, and the gateway pointed at them: what the process tests drive.
public struct Deployment {
    /// Which services a test needs: each includes the ones before it.
    public enum Services: Sendable {
        /// member-registry and meeting-scheduler.
        case scheduling
        /// and proposal-tracker.
        case core
        /// and the notifier and duty-record.
        case all
    }

    public let directory: String
    public let registry: ServiceProcess
    public let scheduler: ServiceProcess
    public let tracker: ServiceProcess?
    public let notifier: ServiceProcess?
    public let duty: ServiceProcess?
    public let keys: String?

    /// The office's first steps that most tests share: the fifth term (open until
    /// `openTermEnd`), a work station, a room that meets 六有, a handling unit and the demo's
    /// 175 members.
    public static let office: [[String]] = [
        ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
        ["station", "add", "--name", "雄关街道委员工作站"],
        ["room", "add", "--name", "第一协商议事室", "--station", "1", "--capacity", "40", "--has", "all"],
        ["unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门"],
        ["member", "import", demoMembersCSV],
    ]

    /// Starts `services` in a new temporary folder named after `name`, then runs each of
    /// `seed`'s gateway commands, throwing at the first that fails.
    public static func start(
        _ name: String, _ services: Services = .all, keys: String? = nil, notifierArguments: [String] = [], seed: [[String]] = []
    ) async throws -> Deployment {
        try await start(in: try temporaryDirectory(name), services, keys: keys, notifierArguments: notifierArguments, seed: seed)
    }

    /// The same, in a folder the test chose (to start again on the same data).
    public static func start(
        in directory: String, _ services: Services = .all, keys: String? = nil, notifierArguments: [String] = [], seed: [[String]] = []
    ) async throws -> Deployment {
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry", keys: keys)
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler", keys: keys,
                                                 arguments: ["--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint])
        var tracker: ServiceProcess?
        var notifier: ServiceProcess?
        var duty: ServiceProcess?
        if services != .scheduling {
            let started = try await ServiceProcess("proposal-tracker", dataDir: directory + "/tracker", keys: keys,
                                                   arguments: ["--registry", registry.rpcEndpoint, "--scheduler", scheduler.rpcEndpoint])
            tracker = started
            if services == .all {
                notifier = try await ServiceProcess("notifier", dataDir: directory + "/notifier", keys: keys,
                                                    arguments: SuiteProcesses.notifierWiring(registry, scheduler, started) + notifierArguments)
                duty = try await ServiceProcess("duty-record", dataDir: directory + "/duty", keys: keys,
                                                arguments: SuiteProcesses.notifierWiring(registry, scheduler, started))
            }
        }
        let deployment = Deployment(directory: directory, registry: registry, scheduler: scheduler, tracker: tracker, notifier: notifier,
                                    duty: duty, keys: keys)
        for arguments in seed {
            let result = try await deployment.gateway(arguments)
            guard result.status == 0 else {
                throw ProcessFailure(description: "gateway \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
            }
        }
        return deployment
    }

    /// A deployment of the five services started together.
    public init(directory: String, suite: SuiteProcesses) {
        self.init(directory: directory, registry: suite.registry, scheduler: suite.scheduler, tracker: suite.tracker,
                  notifier: suite.notifier, duty: suite.duty, keys: suite.keys)
    }

    private init(directory: String, registry: ServiceProcess, scheduler: ServiceProcess, tracker: ServiceProcess?,
                 notifier: ServiceProcess?, duty: ServiceProcess?, keys: String?) {
        self.directory = directory
        self.registry = registry
        self.scheduler = scheduler
        self.tracker = tracker
        self.notifier = notifier
        self.duty = duty
        self.keys = keys
    }

    /// The gateway pointed at every service that runs (as `identity` when there are keys).
    public func gatewayCLI(identity: String? = nil) -> Gateway {
        Gateway(registry: registry.rpcEndpoint, scheduler: scheduler.rpcEndpoint, tracker: tracker?.rpcEndpoint,
                notifier: notifier?.rpcEndpoint, duty: duty?.rpcEndpoint, keys: keys, identity: keys == nil ? nil : (identity ?? "admin"))
    }

    /// The variables that point a gateway (or loadtest) at this deployment.
    public var environment: [String: String] { gatewayCLI().environment }

    public func gateway(_ arguments: String...) async throws -> CommandResult {
        try await gateway(arguments)
    }

    public func gateway(_ arguments: [String]) async throws -> CommandResult {
        try await gatewayCLI().run(arguments)
    }

    /// Runs a command with `--json` and returns the object it printed; throws when it fails.
    @discardableResult
    public func json(_ arguments: String...) async throws -> [String: Any] {
        try await json(arguments)
    }

    @discardableResult
    public func json(_ arguments: [String]) async throws -> [String: Any] {
        try await gatewayCLI().json(arguments)
    }

    /// Stops the services, the notifier first; returns each one's exit status by service name.
    @discardableResult
    public func stop() async -> [String: Int32?] {
        var statuses: [String: Int32?] = [:]
        for service in [duty, notifier, tracker, scheduler, registry].compactMap({ $0 }) {
            statuses[service.name] = await service.stop()
        }
        return statuses
    }
}
