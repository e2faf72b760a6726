import ArgumentParser
import XieshangLabels
import XieshangWire

/// `gateway portal`: who may sign in at the web portal.
struct PortalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal",
        abstract: "The web portal's accounts: invite a member, a unit or everyone not signed up yet, list the accounts, disable or enable one.",
        discussion: """
            An invitation is a one-time link and a code; give both to the person (the link by message, \
            the code by another way, e.g. by telephone). They set a password on the link's page, then \
            sign in with the login shown (m13 for member 13, u4 for unit 4). Disabling signs them out \
            everywhere at once.
            """,
        subcommands: [Invite.self, List.self, Disable.self, Enable.self])
}

extension PortalV1.AccountKind: ExpressibleByArgument {}
extension PortalV1.AccountState: ExpressibleByArgument {}

/// The accounts as a table: who, their state, sessions and trusted browsers, last sign-in,
/// open invitation, and failed sign-ins from other browsers in the last 15 minutes (five: a
/// guesser has them locked out; the person's own trusted browsers still sign in).
func accountTable(_ accounts: [PortalV1.Account]) -> Table {
    var table = Table("登录名 login", "对象 who", "名称 name", "状态 state", "会话 sessions", "常用浏览器 browsers",
                      "最近登录 last sign-in", "邀请有效至 invitation until", "近15分钟失败 failures")
    for a in accounts {
        table.add(a.login, "\(a.kind.label) \(a.subjectID)", a.name, a.state.label, String(a.sessions), String(a.trustedBrowsers),
                  CommitteeClock.minute(ifSet: a.lastSignInMs),
                  CommitteeClock.minute(ifSet: a.invitationExpiresAtMs),
                  a.failedSignIns == 0 ? "" : String(a.failedSignIns))
    }
    return table
}

func accountOutput(_ account: PortalV1.Account?) -> Output {
    let a = account ?? .init()
    return Output(a, accountTable([a]))
}
