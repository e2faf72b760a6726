import ArgumentParser
import XieshangWire

extension DutyCommand {
    struct Dispute: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "A member disputes an entry of their own record; it stands until staff decide.",
            discussion: "Example: gateway duty dispute 17 --reason 会前已书面请假")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The entry.") var entry: Int64
        @Option(help: "What is wrong with it.") var reason: String

        func perform() async throws -> Output {
            entryOutput(try await connection.call(DutyV1.Duty.dispute) { request in
                request.entryID = entry
                request.reason = reason
            }.entry)
        }
    }
}
