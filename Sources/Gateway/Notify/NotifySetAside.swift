import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension NotifyCommand {
    struct SetAside: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-aside",
            abstract: "Events the notifier could not apply and set aside (nobody was notified of them), newest first, with the error.",
            discussion: "Example: gateway notify set-aside --source meeting-scheduler")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only events from this service (member-registry, meeting-scheduler, proposal-tracker).") var source: String?
        @Option(help: "How many (at most 1000).") var limit: UInt32 = 100

        static let sources = ["member-registry", "meeting-scheduler", "proposal-tracker"]

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000") }
            // A misspelt source would list nothing, which reads as "nothing set aside".
            if let source, !Self.sources.contains(source) {
                throw ValidationError("--source \"\(source)\": the notifier consumes \(Self.sources.joined(separator: ", "))")
            }
        }

        func perform() async throws -> Output {
            var request = EventV1.ListSetAsideRequest()
            request.source = source ?? ""
            request.limit = limit
            let response = try await connection.with(.notifier) {
                try await $0.call(EventV1.Consumer.listSetAside, request, options: .read)
            }
            var output = Output(response)
            var table = Table("来源 source", "序号 sequence", "类型 type", "时间 set aside", "错误 error")
            for e in response.events {
                table.add(e.source, String(e.sequence), e.type, CommitteeClock.second(ifSet: e.atMs), e.error)
            }
            output.add(table)
            if response.total > UInt32(response.events.count) {
                output.line("(\(response.events.count) of \(response.total) shown; --limit for more)")
            }
            return output
        }
    }
}
