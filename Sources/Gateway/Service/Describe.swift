import ArgumentParser
import XieshangRPC
import XieshangWire

struct DescribeCommand: GatewayCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe", abstract: "The methods a service offers.", discussion: "Example: gateway describe member-registry")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The service: member-registry, meeting-scheduler, proposal-tracker, notifier or duty-record.") var service: String

    func validate() throws {
        guard connection.services.contains(where: { $0.name == service }) else {
            throw ValidationError("unknown service \"\(service)\"; known: \(connection.services.map(\.name).joined(separator: ", "))")
        }
    }

    func perform() async throws -> Output {
        let endpoint = connection.services.first { $0.name == service }!.endpoint
        let described = try await connection.withClient(service, endpoint) {
            try await $0.call(RpcV1.Reflection.describe, RpcV1.DescribeRequest(), options: .read)
        }
        var output = Output(described)
        var table = Table("方法 method", "请求 request", "响应 response", "写 mutating")
        for m in described.methods { table.add(m.name, m.requestType, m.responseType, m.mutating ? "yes" : "") }
        output.add(table)
        return output
    }
}
