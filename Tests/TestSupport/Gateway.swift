import Foundation

/// The demo's 175 members, `compose/demo/members.csv`, which the process tests import.
public let demoMembersCSV: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("compose/demo/members.csv").path

/// The end of a term that covers the tests' fixed dates (up to 2028) and whatever
/// `loadtest` schedules from tomorrow on, whenever the tests run: a meeting must fall
/// within its term. Three years on from now, on 14 January.
public let openTermEnd: String = "\(Calendar(identifier: .gregorian).component(.year, from: Date()) + 3)-01-14"

/// The built `gateway`, pointed at running services through its environment variables, run
/// the way staff run it.
public struct Gateway: Sendable {
    public let environment: [String: String]

    /// - Parameters:
    ///   - keys: a keys folder (`gateway keys setup`); nil calls without CURVE.
    ///   - identity: whose key pair in it to use.
    public init(registry: String? = nil, scheduler: String? = nil, tracker: String? = nil, notifier: String? = nil,
                duty: String? = nil, keys: String? = nil, identity: String? = nil) {
        var environment: [String: String] = [:]
        environment["XIESHANG_KEYS_DIR"] = keys
        environment["XIESHANG_IDENTITY"] = identity
        environment["XIESHANG_REGISTRY_ENDPOINT"] = registry
        environment["XIESHANG_SCHEDULER_ENDPOINT"] = scheduler
        environment["XIESHANG_TRACKER_ENDPOINT"] = tracker
        environment["XIESHANG_NOTIFIER_ENDPOINT"] = notifier
        environment["XIESHANG_DUTY_ENDPOINT"] = duty
        self.environment = environment
    }

    private init(environment: [String: String]) {
        self.environment = environment
    }

    /// The same gateway with one more variable set (e.g. `XIESHANG_PORTAL_ENDPOINT`).
    public func with(_ variable: String, _ value: String) -> Gateway {
        var environment = environment
        environment[variable] = value
        return Gateway(environment: environment)
    }

    /// The same gateway, calling with another key pair of the keys folder.
    public func identity(_ name: String) -> Gateway {
        var environment = environment
        environment["XIESHANG_IDENTITY"] = name
        return Gateway(environment: environment)
    }

    /// How long a command that moves thousands of rows may take before the test calls it
    /// hung: a 3,000-member import takes seconds alone, and took over a minute with the
    /// whole suite running beside it on a slow VM.
    public static let bulkTimeout: Duration = .seconds(240)

    /// Runs one command; the caller looks at its status and output.
    public func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> CommandResult {
        try await runCommand(builtExecutable("gateway"), arguments, environment: environment, timeout: timeout)
    }

    /// Runs one command with `--json` and returns the object it printed; a non-zero exit is
    /// thrown with the command line and what it printed on stderr.
    @discardableResult
    public func json(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await run(arguments + ["--json"])
        guard result.status == 0 else {
            throw ProcessFailure(description: "gateway \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return (try result.json() as? [String: Any]) ?? [:]
    }
}

extension Gateway {
    /// Whether meeting-scheduler says (in its health, within `seconds`) that its copy of
    /// member-registry answers: it has caught up with the registry's events.
    public func schedulerCopyAnswers(within seconds: Int = 15) async throws -> Bool {
        for _ in 0..<(seconds * 10) {
            if try await run(["health", "--service", "meeting-scheduler"]).stdout.contains("answering") { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
