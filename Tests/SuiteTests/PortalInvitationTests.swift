import Foundation
import Testing
import XieshangRPC
import XieshangService
import XieshangTestSupport
import XieshangWire
@testable import Portal

/// Inviting a committee to the portal: the accounts listed by kind and state with their open
/// invitations (the portal's store), and `gateway portal invite --all-members` / `--all-units`
/// against the services and the portal as processes.
@Suite("inviting everyone to the portal")
struct PortalInvitationTests {
    static let day: Int64 = 86_400_000

    @Test("an invitation is open for seven days, then listed as none; a password, five wrong codes or disabling change the state the listing filters by")
    func openInvitations() async throws {
        let database = try ServiceDatabase.inMemory(migrations: PortalSchema.migrations)
        let t0: Int64 = 1_796_000_000_000
        let made = try await database.writeSession { db in
            (try AccountStore.invite(db, kind: .member, subject: 13, name: "梁晓东", now: t0),
             try AccountStore.invite(db, kind: .member, subject: 14, name: "王芳", now: t0),
             try AccountStore.invite(db, kind: .unit, subject: 4, name: "市住房和城乡建设局", now: t0))
        }
        func list(_ kind: PortalV1.AccountKind = .unspecified, _ state: PortalV1.AccountState = .unspecified, at now: Int64) async throws -> [String: Int64] {
            let accounts = try await database.readSession { db in try AccountStore.accounts(db, kind: kind, state: state, now: now) }
            return Dictionary(uniqueKeysWithValues: accounts.map { ($0.login, $0.invitationExpiresAtMs) })
        }
        #expect(try await list(at: t0 + 1) == ["m13": t0 + 7 * Self.day, "m14": t0 + 7 * Self.day, "u4": t0 + 7 * Self.day])
        #expect(try await list(.unit, at: t0 + 1) == ["u4": t0 + 7 * Self.day])
        #expect(try await list(.member, .invited, at: t0 + 1).keys.sorted() == ["m13", "m14"])
        // A week later the invitations have lapsed: still invited, none open.
        #expect(try await list(.member, .invited, at: t0 + 7 * Self.day + 1) == ["m13": 0, "m14": 0])

        // Member 13 sets a password; five wrong codes void member 14's invitation; the unit is disabled.
        let accepted = try await database.writeSession { db in
            try AccountStore.accept(db, token: made.0.token, code: made.0.code, passwordHash: "hash", now: t0 + Self.day)
        }
        guard case .accepted = accepted else { Issue.record("not accepted: \(accepted)"); return }
        for _ in 1...5 {
            _ = try await database.writeSession { db in
                try AccountStore.accept(db, token: made.1.token, code: "WRONG-CODE", passwordHash: "hash", now: t0 + Self.day)
            }
        }
        _ = try await database.writeSession { db in try AccountStore.setDisabled(db, login: "u4", disabled: true) }
        let now = t0 + Self.day + 1
        #expect(try await list(.member, .active, at: now) == ["m13": 0])
        #expect(try await list(.member, .invited, at: now) == ["m14": 0])
        #expect(try await list(.unspecified, .disabled, at: now) == ["u4": t0 + 7 * Self.day])
        #expect(try await list(.unit, .active, at: now).isEmpty)
    }

    @Test("--all-members invites each active member not signed up, once; --all-units likewise; the list filters by kind and state")
    func everyone() async throws {
        let directory = try temporaryDirectory("portal-invitations")
        let suite = try await SuiteProcesses.start(in: directory)
        let portal = try await ServiceProcess("portal", dataDir: directory + "/portal", arguments: [
            "--http-address", "127.0.0.1:0",
            "--registry", suite.registry.rpcEndpoint, "--scheduler", suite.scheduler.rpcEndpoint,
            "--tracker", suite.tracker.rpcEndpoint, "--notifier", suite.notifier.rpcEndpoint, "--duty", suite.duty.rpcEndpoint,
        ])
        let staff = suite.gateway().with("XIESHANG_PORTAL_ENDPOINT", portal.rpcEndpoint)
        let csv = directory + "/members.csv"
        try "member_number,name,sector,work_unit\n5001,梁晓东,经济界,市律师协会\n5002,王芳,教育界,市第一中学\n5003,张伟,农业界,市农科院\n5004,李娜,医药卫生界,市人民医院\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        for arguments in [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd], ["member", "import", csv],
                          ["member", "deceased", "4", "--reason", "病逝", "--date", "2026-03-01"],
                          ["unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门"],
                          ["unit", "add", "--name", "市教育局", "--kind", "政府部门"],
                          ["unit", "add", "--name", "已撤并的单位", "--kind", "政府部门"], ["unit", "update", "3", "--no-active"],
                          ["portal", "invite", "--member", "1", "--no-send"]] {
            let result = try await staff.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }

        // Members 2 and 3 are invited and sent their links; 1 holds an open invitation, 4 is not active.
        let first = try await staff.json(["portal", "invite", "--all-members"])
        let invited = try #require(first["invited"] as? [[String: Any]])
        let logins = invited.compactMap { (($0["invitation"] as? [String: Any])?["account"] as? [String: Any])?["login"] as? String }
        #expect(logins.sorted() == ["m2", "m3"], "\(first)")
        for one in invited {
            let invitation = try #require(one["invitation"] as? [String: Any])
            #expect((invitation["code"] as? String)?.count ?? 0 >= 8)
            #expect((invitation["link"] as? String)?.contains("/invite?t=") == true)
            #expect(one["sent"] as? String == "已通过通知服务发给本人（消息，以及开通时的邮件）", "\(one)")
        }
        let leftAlone = try #require(first["leftAlone"] as? [String: Any])
        #expect(leftAlone["invitationOpen"] as? Int == 1 && leftAlone["signedUp"] as? Int == 0 && leftAlone["disabled"] as? Int == 0, "\(leftAlone)")
        let inbox = try await staff.run(["inbox", "--member", "2"])
        #expect(inbox.stdout.contains("委员履职服务平台邀请"), "\(inbox.stdout)")

        // --code-apart: the notice carries the link and not the code, which staff pass on
        // another way (one invitation is always renewed: member 1's open one is voided).
        let apart = try await staff.json(["portal", "invite", "--member", "1", "--code-apart"])
        let apartInvitation = try #require(apart["invitation"] as? [String: Any])
        let apartCode = try #require(apartInvitation["code"] as? String), apartLink = try #require(apartInvitation["link"] as? String)
        #expect((apart["sent"] as? String)?.contains("邀请码未发送") == true, "\(apart)")
        let notices = try #require(try await staff.json(["inbox", "--member", "1"])["notifications"] as? [[String: Any]])
        let notice = try #require(notices.first { ($0["title"] as? String)?.hasSuffix("委员履职服务平台邀请") == true }?["body"] as? String, "\(notices)")
        #expect(notice.contains(apartLink) && !notice.contains(apartCode) && notice.contains("另行告知"), "\(notice)")
        let apartUnsent = try await staff.run(["portal", "invite", "--member", "1", "--code-apart", "--no-send"])
        #expect(apartUnsent.status != 0 && apartUnsent.stderr.contains("--code-apart"), "\(apartUnsent.stderr)")

        // Run again: nobody is invited twice.
        let again = try await staff.json(["portal", "invite", "--all-members", "--no-send"])
        #expect((again["invited"] as? [Any])?.isEmpty == true, "\(again)")
        #expect((again["leftAlone"] as? [String: Any])?["invitationOpen"] as? Int == 3, "\(again)")

        // A disabled account is left alone too.
        #expect(try await staff.run(["portal", "disable", "m3"]).status == 0)
        let third = try await staff.json(["portal", "invite", "--all-members", "--no-send"])
        #expect((third["leftAlone"] as? [String: Any])?["disabled"] as? Int == 1, "\(third)")

        // The active units, with the notifier stopped: invited all the same and printed for staff
        // to pass on (the first tried, the second not); the inactive one is not invited.
        #expect(await suite.notifier.stop() == 0)
        let units = try await staff.json(["portal", "invite", "--all-units", "--timeout", "2"])
        let unitInvitations = try #require(units["invited"] as? [[String: Any]])
        let unitLogins = unitInvitations.compactMap { (($0["invitation"] as? [String: Any])?["account"] as? [String: Any])?["login"] as? String }
        #expect(unitLogins.sorted() == ["u1", "u2"], "\(units)")
        let sent = unitInvitations.compactMap { $0["sent"] as? String }
        #expect(sent.count == 2 && sent.allSatisfy { $0.hasPrefix("未能通过通知服务发送") } && sent.contains { $0.contains("见上一条") }, "\(sent)")
        let unitsText = try await staff.run(["portal", "list", "--kind", "unit", "--state", "invited"])
        #expect(unitsText.stdout.contains("u1") && unitsText.stdout.contains("u2") && !unitsText.stdout.contains("u3"), "\(unitsText.stdout)")
        // No client of the notifier can be made at all (an address libzmq refuses): the new
        // member is invited and printed all the same, saying why it was not sent.
        #expect(try await staff.run(["member", "add", "--number", "5005", "--name", "赵磊", "--sector", "经济界"]).status == 0)
        let unreachable = try await staff.json(["portal", "invite", "--all-members", "--notifier", "no-such-transport://x"])
        let late = try #require((unreachable["invited"] as? [[String: Any]])?.first)
        #expect(((late["invitation"] as? [String: Any])?["account"] as? [String: Any])?["login"] as? String == "m5", "\(unreachable)")
        #expect((late["sent"] as? String)?.hasPrefix("未能通过通知服务发送") == true, "\(late)")
        let noneLeft = try await staff.run(["portal", "invite", "--all-units", "--no-send"])
        #expect(noneLeft.stdout.contains("邀请单位 0 个；未邀请：已启用 0 个，邀请未过期 2 个，已停用 0 个"), "\(noneLeft.stdout)")
        // A run cut off before it printed is made good with --renew: the open ones get new codes.
        let renewed = try #require(try await staff.json(["portal", "invite", "--all-units", "--no-send", "--renew"])["invited"] as? [[String: Any]])
        let newCodes = renewed.compactMap { ($0["invitation"] as? [String: Any])?["code"] as? String }
        let oldCodes = unitInvitations.compactMap { ($0["invitation"] as? [String: Any])?["code"] as? String }
        #expect(newCodes.count == 2 && Set(newCodes).isDisjoint(with: oldCodes), "\(newCodes) \(oldCodes)")
        let renewOne = try await staff.run(["portal", "invite", "--member", "2", "--renew"])
        #expect(renewOne.status != 0 && renewOne.stderr.contains("--renew goes with"), "\(renewOne.stderr)")

        // The list, by kind and state.
        func listed(_ arguments: [String]) async throws -> [String] {
            let result = try await staff.json(["portal", "list"] + arguments)
            return (result["accounts"] as? [[String: Any]] ?? []).compactMap { $0["login"] as? String }
        }
        #expect(try await listed(["--kind", "member", "--state", "invited"]) == ["m1", "m2", "m5"])
        #expect(try await listed(["--state", "已停用"]) == ["m3"])
        #expect(try await listed(["--kind", "单位"]) == ["u1", "u2"])
        let table = try await staff.run(["portal", "list", "--kind", "unit"])
        #expect(table.stdout.contains("邀请有效至 invitation until") && table.stdout.contains("常用浏览器 browsers")
                && table.stdout.contains("近15分钟失败 failures") && table.stdout.contains("单位 1"), "\(table.stdout)")
        let wrong = try await staff.run(["portal", "list", "--state", "asleep"])
        #expect(wrong.status != 0 && wrong.stderr.contains("--state"), "\(wrong.stderr)")
        // A kind or a state the portal does not know is refused by name, not taken as "all".
        let client = try testClient([portal.rpcEndpoint], attempts: 1)
        var unknown = PortalV1.ListAccountsRequest()
        unknown.state = .unrecognized(9)
        do {
            _ = try await client.call(PortalV1.Accounts.list, unknown)
            Issue.record("an unknown state was listed")
        } catch {
            #expect(error.code == .invalidArgument && error.violations.first?.field == "state", "\(error)")
        }
        await client.close()
        let both = try await staff.run(["portal", "invite", "--all-members", "--member", "2"])
        #expect(both.status != 0 && both.stderr.contains("name one of"), "\(both.stderr)")

        // A portal whose registry does not answer cannot check whom it invites: the command stops
        // at the first, says why (here and in its JSON) and exits as for an outage.
        let cutOff = try await ServiceProcess("portal", dataDir: directory + "/portal-2", arguments: [
            "--http-address", "127.0.0.1:0", "--registry", "tcp://127.0.0.1:\(try freeLoopbackPort())",
            "--scheduler", suite.scheduler.rpcEndpoint, "--tracker", suite.tracker.rpcEndpoint,
            "--notifier", suite.notifier.rpcEndpoint, "--duty", suite.duty.rpcEndpoint,
        ])
        let stopped = try await staff.with("XIESHANG_PORTAL_ENDPOINT", cutOff.rpcEndpoint).run(["portal", "invite", "--all-members", "--no-send", "--json", "--timeout", "2"])
        #expect(stopped.status == 4, "\(stopped.stdout) \(stopped.stderr)")
        let stoppedJSON = try #require(try stopped.json() as? [String: Any])
        #expect((stoppedJSON["invited"] as? [Any])?.isEmpty == true, "\(stoppedJSON)")
        #expect((stoppedJSON["stopped"] as? String)?.contains("member-registry") == true, "\(stoppedJSON) \(stopped.stderr)")
        #expect(await cutOff.stop() == 0)

        #expect(await portal.stop() == 0)
        await suite.stop()
    }
}
