import Foundation

/// One service of the suite as its clients find it: its name, its default endpoints, and the
/// variables that say where it runs instead. The one table the services' mains, the gateway
/// and loadtest read (flag > variable > the gateway's config file > default).
public struct SuiteService: Sendable, Hashable {
    /// e.g. `member-registry`: the executable, its key pair's and allow-list's names.
    public let name: String
    /// The gateway's config-file key and flag: `registry`.
    public let key: String
    public let defaultRPC: String
    public let defaultEvents: String?
    /// Where clients find its RPC socket: `XIESHANG_REGISTRY_ENDPOINT`.
    public let rpcVariable: String
    /// Where consumers find its event socket: `XIESHANG_REGISTRY_EVENTS`.
    public let eventsVariable: String?
    /// The wire package whose services it serves: `member.v1`.
    public let package: String
    /// Where its metrics listener binds by default (HTTP, for Prometheus).
    public let defaultMetrics: String

    public static let registry = SuiteService(
        name: "member-registry", key: "registry", defaultRPC: "tcp://127.0.0.1:7101", defaultEvents: "tcp://127.0.0.1:7102",
        rpcVariable: "XIESHANG_REGISTRY_ENDPOINT", eventsVariable: "XIESHANG_REGISTRY_EVENTS", package: "member.v1", defaultMetrics: "127.0.0.1:7109")
    public static let scheduler = SuiteService(
        name: "meeting-scheduler", key: "scheduler", defaultRPC: "tcp://127.0.0.1:7201", defaultEvents: "tcp://127.0.0.1:7202",
        rpcVariable: "XIESHANG_SCHEDULER_ENDPOINT", eventsVariable: "XIESHANG_SCHEDULER_EVENTS", package: "meeting.v1", defaultMetrics: "127.0.0.1:7209")
    public static let tracker = SuiteService(
        name: "proposal-tracker", key: "tracker", defaultRPC: "tcp://127.0.0.1:7301", defaultEvents: "tcp://127.0.0.1:7302",
        rpcVariable: "XIESHANG_TRACKER_ENDPOINT", eventsVariable: "XIESHANG_TRACKER_EVENTS", package: "proposal.v1", defaultMetrics: "127.0.0.1:7309")
    public static let notifier = SuiteService(
        name: "notifier", key: "notifier", defaultRPC: "tcp://127.0.0.1:7401", defaultEvents: nil,
        rpcVariable: "XIESHANG_NOTIFIER_ENDPOINT", eventsVariable: nil, package: "notification.v1", defaultMetrics: "127.0.0.1:7409")

    public static let duty = SuiteService(
        name: "duty-record", key: "duty", defaultRPC: "tcp://127.0.0.1:7501", defaultEvents: nil,
        rpcVariable: "XIESHANG_DUTY_ENDPOINT", eventsVariable: nil, package: "duty.v1", defaultMetrics: "127.0.0.1:7509")

    public static let all = [registry, scheduler, tracker, notifier, duty]

    /// The web portal: a client of every service (its key has the role portal), with an RPC
    /// socket of its own for the office (invitations, accounts). Not among `all`: it is no
    /// service the others or `gateway health` depend on.
    public static let portal = SuiteService(
        name: "portal", key: "portal", defaultRPC: "tcp://127.0.0.1:7601", defaultEvents: nil,
        rpcVariable: "XIESHANG_PORTAL_ENDPOINT", eventsVariable: nil, package: "portal.v1", defaultMetrics: "127.0.0.1:7609")
    public static var portalName: String { portal.name }

    /// The service that serves a method of one of the suite's own packages
    /// (`meeting.v1.Meetings/Get` → meeting-scheduler); nil for the shared ones (`rpc.v1`).
    public static func serving(_ method: String) -> SuiteService? {
        (all + [portal]).first { method.hasPrefix($0.package + ".") }
    }

    /// The RPC endpoint: the flag, else the variable, else `file` (a config file's value),
    /// else the default.
    public func rpcEndpoint(flag: String?, file: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        SettingSource(environment: environment).text(flag, rpcVariable) ?? file ?? defaultRPC
    }

    /// The event endpoint, likewise; nil for a service that publishes none.
    public func eventEndpoint(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let eventsVariable, let defaultEvents else { return nil }
        return SettingSource(environment: environment).text(flag, eventsVariable) ?? defaultEvents
    }

    /// The help text of a client's flag for this service.
    public var rpcHelp: String { "\(name)'s endpoint (env \(rpcVariable); default \(defaultRPC))." }
    /// The help text of a consumer's flag for its events.
    public var eventsHelp: String { "\(name)'s event endpoint (env \(eventsVariable ?? ""); default \(defaultEvents ?? ""))." }
}
