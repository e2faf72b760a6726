import ArgumentParser
import XieshangRPC
import XieshangWire

struct HealthCommand: GatewayCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Each reachable service's status, version, uptime and storage.",
        discussion: """
            Exits 4 when a service is unreachable or its storage is failing: with --service, a \
            container's health check.

            Examples: gateway health
                      gateway health --service member-registry
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Only this service: member-registry, meeting-scheduler, proposal-tracker, notifier, duty-record or portal.") var service: String?

    /// The five services; the portal (a client of them, with its own socket) only when named.
    private var known: [(name: String, endpoint: String)] {
        connection.services + [(SuiteService.portal.name, connection.endpoint(.portal))]
    }

    func validate() throws {
        if let service, !known.contains(where: { $0.name == service }) {
            throw ValidationError("unknown service \"\(service)\"; known: \(known.map(\.name).joined(separator: ", "))")
        }
    }

    func perform() async throws -> Output {
        struct Row: Encodable { let service: String; let endpoint: String; let status: String; let version: String; let uptimeSeconds: Int64; let storage: String }
        var rows: [Row] = []
        var failed = false
        for (name, endpoint) in service == nil ? connection.services : known.filter({ $0.name == service }) {
            do {
                let health = try await connection.withClient(name, endpoint) {
                    try await $0.call(RpcV1.Health.check, RpcV1.HealthCheckRequest(), options: CallOptions(timeout: .seconds(3)))
                }
                rows.append(Row(service: health.service, endpoint: endpoint, status: health.status == .serving ? "serving" : health.status.protoName,
                                version: health.version, uptimeSeconds: health.uptimeMs / 1000,
                                storage: (health.storageOk ? "ok: " : "FAILING: ") + health.storageDetail))
                if !health.storageOk { failed = true }
            } catch let failure as GatewayFailure {
                rows.append(Row(service: name, endpoint: endpoint, status: "unreachable", version: "", uptimeSeconds: 0, storage: failure.error.message))
                failed = true
            }
        }
        var table = Table("服务 service", "地址 endpoint", "状态 status", "版本 version", "运行 uptime", "存储 storage")
        for r in rows { table.add(r.service, r.endpoint, r.status, r.version, r.status == "unreachable" ? "" : "\(r.uptimeSeconds)s", r.storage) }
        var output = Output(rows, table)
        if failed { output.exitCode = 4 }
        return output
    }
}
