import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension PortalCommand {
    struct Invite: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite a member or a unit to the portal, or everyone not signed up yet: a one-time link and a code each (valid 7 days; inviting again voids the last), sent to their inbox and e-mail through the notifier and printed.",
            discussion: """
                --all-members invites every active member of the current term (--all-units every active \
                handling unit) who has no account yet, or whose invitation lapsed or was voided unused. \
                Whoever has set a password, holds an open invitation, or was disabled is left as they \
                are, so running it again invites only whom it missed. Every link and code is printed \
                when the run ends; a run cut off before that (under --no-send, its codes unseen) is \
                made good with --renew, which invites the open ones again and voids their codes. \
                With --code-apart the notice carries the link only and says the office gives the code \
                another way: pass each printed code by a call or a text message (--json for a mail merge), \
                so that whoever reads the person's e-mail cannot set their password.

                Examples: gateway portal invite --member 13
                          gateway portal invite --all-members
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The member's id.") var member: Int64?
        @Option(help: "The handling unit's id.") var unit: Int64?
        @Flag(help: "Every active member of the current term not signed up yet.") var allMembers = false
        @Flag(help: "Every active handling unit not signed up yet.") var allUnits = false
        @Flag(help: "Only print the links and the codes (pass them on yourself); do not send them.") var noSend = false
        @Flag(help: "With --all-members or --all-units: invite again those whose invitation is still open, voiding it (after a run cut off before it printed its codes).") var renew = false
        @Flag(help: "Send the link only; the office gives each printed code by another way (a call, a text message).") var codeApart = false

        func validate() throws {
            guard [member != nil, unit != nil, allMembers, allUnits].filter({ $0 }).count == 1 else {
                throw ValidationError("name one of --member, --unit, --all-members or --all-units")
            }
            if renew && !(allMembers || allUnits) { throw ValidationError("--renew goes with --all-members or --all-units (one invitation is always renewed)") }
            if codeApart && noSend { throw ValidationError("--code-apart says what is sent; with --no-send nothing is") }
        }

        func perform() async throws -> Output {
            if allMembers || allUnits { return try await everyone(allMembers ? .member : .unit) }
            let kind: PortalV1.AccountKind = member != nil ? .member : .unit
            let id = member ?? unit ?? 0
            let invited = try await connection.with(.portal) { portal in
                try await withSender { sender in try await invite(kind, id, portal: portal, sender: sender).invited }
            }
            let a = invited.invitation.account ?? .init()
            var output = Output(invited)
            output.line("\(a.name)（登录名 \(a.login)）的邀请，\(CommitteeClock.minute(invited.invitation.expiresAtMs)) 前有效：")
            output.line("链接 link: \(invited.invitation.link)")
            output.line("邀请码 code: \(invited.invitation.code)")
            output.line(invited.sent)
            return output
        }

        /// One invitation and what became of sending it (as `--json` shows it).
        struct Invited: Encodable {
            let invitation: PortalV1.InviteResponse
            let sent: String
        }

        /// Why some were not invited by `--all-members` or `--all-units`.
        struct LeftAlone: Encodable {
            var signedUp = 0
            var invitationOpen = 0
            var disabled = 0
        }

        struct Refused: Encodable {
            let id: Int64
            let name: String
            let error: String
        }

        struct Everyone: Encodable {
            var invited: [Invited] = []
            var leftAlone = LeftAlone()
            var refused: [Refused] = []
            /// Why it stopped before the end (the portal or the registry failed), if it did.
            var stopped: String?
        }

        /// Invites each active member (or unit) with no account, or whose account is still
        /// waiting for a password and holds no open invitation.
        private func everyone(_ kind: PortalV1.AccountKind) async throws -> Output {
            // Units/List gives the active units unless asked for all.
            let subjects: [(id: Int64, name: String)] = kind == .member
                ? try await connection.with(.registry) { try await everyActiveMember($0) }.map { ($0.id, $0.name) }
                : try await connection.call(MemberV1.Units.list, options: .read).units.map { ($0.id, $0.name) }
            var listing = PortalV1.ListAccountsRequest()
            listing.kind = kind
            var (result, stopped) = try await connection.with(.portal) { portal in
                let accounts = try await portal.call(PortalV1.Accounts.list, listing, options: .read).accounts
                let bySubject = Dictionary(accounts.map { ($0.subjectID, $0) }, uniquingKeysWith: { first, _ in first })
                return try await withSender { first -> (Everyone, GatewayFailure?) in
                    var result = Everyone()
                    var sender = first
                    for subject in subjects {
                        if let account = bySubject[subject.id] {
                            if account.state == .active { result.leftAlone.signedUp += 1; continue }
                            if account.state == .disabled { result.leftAlone.disabled += 1; continue }
                            if account.invitationExpiresAtMs != 0 && !renew { result.leftAlone.invitationOpen += 1; continue }
                        }
                        do {
                            let (invited, failed) = try await invite(kind, subject.id, portal: portal, sender: sender)
                            result.invited.append(invited)
                            // The notifier is down or refuses: the rest are printed, not sent.
                            if failed { sender = .unsent(Self.notSent("见上一条")) }
                        } catch let failure as GatewayFailure where [.invalidArgument, .notFound, .failedPrecondition].contains(failure.error.code) {
                            // Gone or made inactive since the list was read: the others go on.
                            result.refused.append(Refused(id: subject.id, name: subject.name, error: failure.error.message))
                        } catch let failure as GatewayFailure {
                            // The portal or the registry is down, or this key may not invite:
                            // stop, and show what was done before it.
                            return (result, failure)
                        }
                    }
                    return (result, nil)
                }
            }
            result.stopped = stopped?.description
            var output = Output(result)
            var table = Table("登录名 login", "名称 name", "邀请码 code", "有效至 until", "链接 link", "发送 sent")
            for invited in result.invited {
                let a = invited.invitation.account ?? .init()
                table.add(a.login, a.name, invited.invitation.code, CommitteeClock.minute(invited.invitation.expiresAtMs), invited.invitation.link, invited.sent)
            }
            if !result.invited.isEmpty { output.add(table) }
            let (whom, count) = kind == .member ? ("委员", "名") : ("单位", "个")
            output.line("邀请\(whom) \(result.invited.count) \(count)；未邀请：已启用 \(result.leftAlone.signedUp) \(count)，邀请未过期 \(result.leftAlone.invitationOpen) \(count)，已停用 \(result.leftAlone.disabled) \(count)")
            for refused in result.refused { output.line("未能邀请 \(refused.name)（\(refused.id)）：\(refused.error)") }
            if !result.refused.isEmpty { output.exitCode = 2 }
            if let stopped {
                output.line("中止 stopped: \(stopped.description)")
                output.exitCode = stopped.exitCode
            }
            return output
        }

        /// How the invitations go out: through the notifier, or not (and what to say instead).
        enum Sender {
            case notifier(RPCClient)
            case unsent(String)
        }

        static func notSent(_ why: String) -> String { "未能通过通知服务发送（\(why)）：请将链接和邀请码转交本人" }

        /// Runs `body` with the notifier to send through, or none under `--no-send` or when no
        /// client of it can be made (its key or address): the invitations are made and printed
        /// all the same.
        private func withSender<T>(_ body: (Sender) async throws -> T) async throws -> T {
            if noSend { return try await body(.unsent("未发送（--no-send）：请将链接和邀请码转交本人")) }
            let reached = Reached()
            do {
                return try await connection.with(.notifier) { client in
                    reached.yes = true
                    return try await body(.notifier(client))
                }
            } catch where !reached.yes {
                return try await body(.unsent(Self.notSent("\(error)")))
            }
        }

        /// Whether `withSender`'s body was entered (an error before it is the notifier's own).
        private final class Reached { var yes = false }

        /// Invites one member or unit, and sends the link and the code to their inbox and
        /// e-mail through `sender`; says what became of the sending, and whether it failed.
        private func invite(_ kind: PortalV1.AccountKind, _ id: Int64, portal: RPCClient, sender: Sender) async throws
            -> (invited: Invited, sendFailed: Bool)
        {
            var request = PortalV1.InviteRequest()
            if kind == .member { request.memberID = id } else { request.unitID = id }
            let response: PortalV1.InviteResponse
            do {
                response = try await portal.call(PortalV1.Accounts.invite, request)
            } catch {
                // Said here with the portal's address: the notifier's client around this call
                // would otherwise name its own.
                throw GatewayFailure(error, endpoint: connection.endpoint(.portal))
            }
            let notifier: RPCClient
            switch sender {
            case .unsent(let why): return (Invited(invitation: response, sent: why), false)
            case .notifier(let client): notifier = client
            }
            let a = response.account ?? .init()
            var announce = NotificationV1.AnnounceRequest()
            var recipient = NotificationV1.Recipient()
            recipient.kind = kind == .member ? .member : .unit
            recipient.id = id
            announce.recipient = recipient
            announce.title = "委员履职服务平台邀请"
            let code = codeApart ? "邀请码：办公室将以电话或短信另行告知，请勿转告他人。" : "邀请码：\(response.code)"
            announce.body = """
                \(a.name)：办公室邀请您使用委员履职服务平台。请在 \(CommitteeClock.minute(response.expiresAtMs)) 前打开下面的链接，输入邀请码并设置密码，之后用登录名 \(a.login) 登录。
                链接：\(response.link)
                \(code)
                """
            do {
                let announced = try await notifier.call(NotificationV1.Deliveries.announce, announce)
                let what = codeApart ? "链接已通过通知服务发给本人（消息，以及开通时的邮件）；邀请码未发送，请另行告知本人" : "已通过通知服务发给本人（消息，以及开通时的邮件）"
                let sent = announced.recipients > 0 ? what : "通知服务未发送（已发过同样的通知）"
                return (Invited(invitation: response, sent: sent), false)
            } catch {
                // The invitation stands; staff pass it on themselves.
                return (Invited(invitation: response, sent: Self.notSent("\(error)")), true)
            }
        }
    }
}
