import ArgumentParser
import XieshangWire

extension PortalCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the portal's accounts: all of them, or those of a kind and a state.",
            discussion: """
                The members invited who have not set a password yet are listed with --kind member \
                --state invited; an empty "invitation until" means their invitation lapsed, and \
                `gateway portal invite --all-members` invites them again.

                Example: gateway portal list --kind member --state invited
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "委员 or 单位 (member, unit): only members' or only units' accounts.") var kind: PortalV1.AccountKind?
        @Option(help: "已邀请, 已启用 or 已停用 (invited, active, disabled): only accounts in this state.") var state: PortalV1.AccountState?

        func perform() async throws -> Output {
            let response = try await connection.call(PortalV1.Accounts.list) {
                $0.kind = kind ?? .unspecified
                $0.state = state ?? .unspecified
            }
            return Output(response, accountTable(response.accounts))
        }
    }
}
