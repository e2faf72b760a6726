import ArgumentParser
import XieshangRPC
import XieshangWire

extension NotifyCommand {
    struct Send: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "A staff announcement to a group of members: all, standing-committee, chairpersons-council, sector:NAME, committee:NAME, station:ID, room:ID.",
            discussion: "Example: gateway notify send --group sector:教育界 --title 调研通知 \\\n             --body \"请于12月10日前提交调研报告\"")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The group.") var group: GroupArgument
        @Option(help: "Title.") var title: String
        @Option(help: "Text.") var body: String

        func perform() async throws -> Output {
            var request = NotificationV1.AnnounceRequest()
            request.group = group.group.kind
            request.name = group.group.name
            request.id = group.group.id
            request.title = title
            request.body = body
            let response = try await connection.with(.notifier) {
                try await $0.call(NotificationV1.Deliveries.announce, request)
            }
            var output = Output(response)
            output.line("sent to \(response.recipients) members")
            return output
        }
    }
}
