import ArgumentParser
import XieshangLabels
import XieshangWire

extension PortalCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "List the portal's accounts.", discussion: "Example: gateway portal list")
        @OptionGroup var connection: ConnectionOptions

        func perform() async throws -> Output {
            let response = try await connection.call(PortalV1.Accounts.list)
            var table = Table("登录名 login", "对象 who", "名称 name", "状态 state", "会话 sessions", "最近登录 last sign-in")
            for a in response.accounts {
                table.add(a.login, a.kind == .unit ? "单位 \(a.subjectID)" : "委员 \(a.subjectID)", a.name, a.state.label, String(a.sessions),
                          a.lastSignInMs == 0 ? "" : CommitteeClock.minute(a.lastSignInMs))
            }
            return Output(response, table)
        }
    }
}
