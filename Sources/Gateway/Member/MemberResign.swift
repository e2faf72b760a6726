import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MemberCommand {
    struct Resign: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a member left: resigned (请辞), removed (撤销) or deceased (去世).",
            discussion: "Example: gateway member resign 12 --reason 工作调动 --date 2026-03-01")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "Why (required).") var reason: String
        @Option(help: "请辞, 撤销 or 去世 (default resigned).") var status: MemberV1.MemberStatus = .resigned
        @Option(help: "When, YYYY-MM-DD (default today).") var date: String?

        func validate() throws {
            if status == .active { throw ValidationError("use `gateway member restore` to make a member active again") }
        }

        func perform() async throws -> Output {
            try await changeStatus(id, status, reason, date, connection)
        }
    }
}
