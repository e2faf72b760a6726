import ArgumentParser
import Foundation
import XieshangLabels
import XieshangWire

extension PortalCommand {
    struct Invite: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite a member or a unit to the portal: a one-time link and a code (valid 7 days; inviting again voids the last), sent to their inbox and e-mail through the notifier and printed.",
            discussion: "Example: gateway portal invite --member 13")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The member's id.") var member: Int64?
        @Option(help: "The handling unit's id.") var unit: Int64?
        @Flag(help: "Only print the link and the code (pass them on yourself); do not send them.") var noSend = false

        func validate() throws {
            guard (member == nil) != (unit == nil) else { throw ValidationError("name one of --member or --unit") }
        }

        func perform() async throws -> Output {
            let response = try await connection.call(PortalV1.Accounts.invite) {
                $0.memberID = member ?? 0
                $0.unitID = unit ?? 0
            }
            let a = response.account ?? .init()
            let until = CommitteeClock.minute(response.expiresAtMs)
            var sent = "未发送（--no-send）：请将链接和邀请码转交本人"
            if !noSend {
                do {
                    let announced = try await connection.call(NotificationV1.Deliveries.announce) {
                        var recipient = NotificationV1.Recipient()
                        recipient.kind = member != nil ? .member : .unit
                        recipient.id = member ?? unit ?? 0
                        $0.recipient = recipient
                        $0.title = "委员履职服务平台邀请"
                        $0.body = """
                            \(a.name)：办公室邀请您使用委员履职服务平台。请在 \(until) 前打开下面的链接，输入邀请码并设置密码，之后用登录名 \(a.login) 登录。
                            链接：\(response.link)
                            邀请码：\(response.code)
                            """
                    }
                    sent = announced.recipients > 0 ? "已通过通知服务发给本人（消息，以及开通时的邮件）" : "通知服务未发送（已发过同样的通知）"
                } catch {
                    // The invitation stands; staff pass it on themselves.
                    sent = "未能通过通知服务发送（\(error)）：请将链接和邀请码转交本人"
                }
            }
            struct Result: Encodable { let invitation: PortalV1.InviteResponse; let sent: String }
            var output = Output(Result(invitation: response, sent: sent))
            output.line("\(a.name)（登录名 \(a.login)）的邀请，\(until) 前有效：")
            output.line("链接 link: \(response.link)")
            output.line("邀请码 code: \(response.code)")
            output.line(sent)
            return output
        }
    }
}
