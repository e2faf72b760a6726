import ArgumentParser
import XieshangRPC
import XieshangWire

extension NotifyCommand {
    struct DeadLetters: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "dead-letters", abstract: "Deliveries given up on, with the last error.",
            discussion: "Example: gateway notify dead-letters")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "How many.") var limit: Int32 = 100

        func perform() async throws -> Output {
            var request = NotificationV1.ListDeliveriesRequest()
            request.status = .dead
            request.limit = limit
            let response = try await connection.with(.notifier) {
                try await $0.call(NotificationV1.Deliveries.list, request, options: .read)
            }
            var output = Output(response.deliveries)
            var table = Table("id", "渠道 channel", "收件人 recipient", "标题 title", "尝试 attempts", "错误 last error")
            for d in response.deliveries {
                let r = d.notification?.recipient
                table.add(String(d.id), d.channel, "\(r?.kind == .unit ? "单位" : "委员") \(r?.id ?? 0)", d.notification?.title ?? "",
                          String(d.attempts), d.lastError)
            }
            output.add(table)
            return output
        }
    }
}
