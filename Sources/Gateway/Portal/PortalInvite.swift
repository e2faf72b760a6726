import ArgumentParser
import XieshangLabels
import XieshangWire

extension PortalCommand {
    struct Invite: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite a member or a unit to the portal: prints a one-time link and a code (valid 7 days; inviting again voids the last).",
            discussion: "Example: gateway portal invite --member 13")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The member's id.") var member: Int64?
        @Option(help: "The handling unit's id.") var unit: Int64?

        func validate() throws {
            guard (member == nil) != (unit == nil) else { throw ValidationError("name one of --member or --unit") }
        }

        func perform() async throws -> Output {
            let response = try await connection.call(PortalV1.Accounts.invite) {
                $0.memberID = member ?? 0
                $0.unitID = unit ?? 0
            }
            var output = Output(response)
            let a = response.account ?? .init()
            output.line("\(a.name)（登录名 \(a.login)）的邀请，\(CommitteeClock.minute(response.expiresAtMs)) 前有效：")
            output.line("链接 link: \(response.link)")
            output.line("邀请码 code: \(response.code)")
            return output
        }
    }
}
