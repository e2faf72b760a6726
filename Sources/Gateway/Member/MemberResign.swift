import ArgumentParser
import XieshangWire

extension MemberCommand {
    struct Resign: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a member's request to resign (申请辞去), or withdraw it; the 常委会 decides it (member decide).",
            discussion: "The member stays 在任 until the decision.\n\nExample: gateway member resign 12 --reason 工作调动 --date 2026-03-01")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "Why (required unless withdrawing).") var reason: String?
        @Option(help: "When the member asked, YYYY-MM-DD (default today).") var date: String?
        @Flag(help: "The member withdraws the request.") var withdraw = false

        func validate() throws {
            if !withdraw && reason == nil { throw ValidationError("--reason is required") }
        }

        func perform() async throws -> Output {
            var request = MemberV1.RequestResignationRequest()
            request.id = id
            request.reason = reason ?? ""
            request.date = date ?? ""
            request.withdraw = withdraw
            return Output.member(try await connection.call(MemberV1.Members.requestResignation, request).member)
        }
    }

    struct Deceased: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a member died (去世).", discussion: "Example: gateway member deceased 12 --date 2026-03-01 --reason 病逝")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "A note (required).") var reason: String
        @Option(help: "When, YYYY-MM-DD (default today).") var date: String?

        func perform() async throws -> Output {
            try await changeStatus(id, .deceased, reason, date, connection)
        }
    }
}
