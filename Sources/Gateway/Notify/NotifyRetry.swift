import ArgumentParser
import XieshangRPC
import XieshangWire

extension NotifyCommand {
    struct Retry: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Try dead letters again.", discussion: "Example: gateway notify retry 17 18")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Dead letters' ids.") var ids: [Int64]

        func perform() async throws -> Output {
            var request = NotificationV1.RetryDeliveryRequest()
            request.ids = ids
            let response = try await connection.with(.notifier) {
                try await $0.call(NotificationV1.Deliveries.retry, request)
            }
            var output = Output(response)
            output.line("retrying \(response.retried) deliveries")
            return output
        }
    }
}
