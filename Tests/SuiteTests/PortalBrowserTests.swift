import Foundation
import Testing
import XieshangTestSupport

/// The portal in a real browser: the five services and the portal as processes with CURVE
/// keys, headless Chromium driven by Selenium (`portal_browser.py`) through what a member
/// does and what an attacker tries. Screenshots at phone and desktop width are left in
/// `.build/portal-screenshots`.
@Suite("the web portal in headless Chromium", .serialized)
struct PortalBrowserTests {
    static let python = "/usr/bin/python3"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("portal_browser.py").path
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/portal-screenshots").path

    @Test("a member's invitation, first sign-in, inbox, leave, check-in code, a proposal from draft to feedback with a co-signer and a unit's reply; another's meeting and draft, a form without its token, script and escapes in texts, 20 guesses, disabling")
    func memberJourney() async throws {
        let directory = try temporaryDirectory("portal-browser")
        let suite = try await SuiteProcesses.startWithKeys(in: directory)
        let keys = try #require(suite.keys)
        let portal = try await ServiceProcess("portal", dataDir: directory + "/portal", keys: keys, arguments: [
            "--http-address", "127.0.0.1:0",
            "--registry", suite.registry.rpcEndpoint, "--scheduler", suite.scheduler.rpcEndpoint,
            "--tracker", suite.tracker.rpcEndpoint, "--notifier", suite.notifier.rpcEndpoint, "--duty", suite.duty.rpcEndpoint,
        ])
        let web = String(try await portal.outputLine(startingWith: "portal web=").dropFirst("portal web=".count))
        let staff = suite.gateway(identity: "admin").with("XIESHANG_PORTAL_ENDPOINT", portal.rpcEndpoint)

        for arguments in [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd], ["member", "import", demoMembersCSV],
                          ["unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门"],
                          ["station", "add", "--name", "新华街道委员工作站", "--address", "新华路1号", "--district", "雄关区"],
                          ["room", "add", "--name", "新华社区协商议事室", "--station", "1", "--capacity", "30", "--address", "新华路18号", "--has", "all"],
                          ["room", "add", "--name", "胜利社区协商议事室", "--station", "1", "--capacity", "20", "--has", "all"],
                          // Member 13 convenes the first room (召集人).
                          ["member", "update", "13", "--function", "召集人:1"],
                          // Members 14 and 20 are assigned to it (下沉): the room's members.
                          ["member", "assign", "14", "--room", "1"], ["member", "assign", "20", "--room", "1"]] {
            let result = try await staff.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        // Tomorrow's meeting for the leave request; one starting within the hour, whose
        // check-in is open; one member 13 is not invited to.
        func schedule(_ title: String, startingIn minutes: Int, members: [Int], publish: Bool = true, extra: [String] = []) async throws -> Int {
            let start = Date().addingTimeInterval(TimeInterval(minutes * 60))
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
            let meeting = try await staff.json(["meeting", "schedule", "--title", title, "--kind", "专委会会议",
                                                "--start", formatter.string(from: start), "--minutes", "60", "--venue", "市政协三楼会议室"] + extra)
            let id = (meeting["id"] as? NSNumber)?.intValue ?? 0
            #expect(try await staff.run(["meeting", "invite", "\(id)"] + members.flatMap { ["--member", "\($0)"] }).status == 0)
            if publish { #expect(try await staff.run(["meeting", "publish", "\(id)"]).status == 0) }
            return id
        }
        let tomorrow = try await schedule("提案工作专题座谈", startingIn: 24 * 60, members: [13, 14], publish: false)
        // Its agenda: an item with a document to decide, by a vote.
        #expect(try await staff.run(["meeting", "agenda", "\(tomorrow)", "--item", "关于提案办理情况的监督性调研报告|30|提案委员会",
                                     "--document", "1=监督性调研报告", "--vote", "1"]).status == 0)
        #expect(try await staff.run(["meeting", "publish", "\(tomorrow)"]).status == 0)
        let soon = try await schedule("界别小组活动", startingIn: 50, members: [13, 20])
        let others = try await schedule("文史资料征集座谈", startingIn: 26 * 60, members: [14, 20],
                                        extra: ["--mode", "hybrid", "--link", "https://meeting.example.cn/j/secret-link"])
        let draft = try await schedule("未发布的会议", startingIn: 30 * 60, members: [13], publish: false)
        let openActivity = try await schedule("委员读书活动", startingIn: 48 * 60, members: [20], extra: ["--open-registration", "--capacity", "20"])

        // For the public pages: a consultation in the room, a topic publicised after it (with
        // working notes that stay inside), and a topic only collected (not public yet).
        let consultation = try await schedule("新华社区加装电梯协商会", startingIn: 72 * 60, members: [20], extra: ["--room", "1"])
        for arguments in [
            ["topic", "create", "--title", "老旧小区加装电梯", "--room", "1", "--theme", "基层民主", "--source", "民情大走访", "--description", "居民多次反映上下楼难"],
            ["topic", "advance", "1", "decided", "--notes", "列入第四季度议题"],
            ["topic", "advance", "1", "researched", "--notes", "内部工作记录：走访住户120户"],
            ["topic", "advance", "1", "consulted", "--meeting", "\(consultation)", "--notes", "1+7+3协商，形成意见3条"],
            ["topic", "advance", "1", "publicised", "--notes", "内部工作记录：公示7天", "--notice", "老旧小区加装电梯按“业主自愿、政府补贴”推进，首批3部",
             "--posted-at", "新华社区居务公开栏", "--from", "2026-11-25", "--to", "2026-12-01"],
            ["topic", "create", "--title", "尚未公开的议题", "--room", "1", "--theme", "基层民主", "--source", "来信来访"],
            ["topic", "create", "--title", "另一个议事室的议题", "--room", "2", "--theme", "基层民主", "--source", "来信来访"],
        ] {
            let result = try await staff.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }

        let invited = try await staff.json(["portal", "invite", "--member", "13"])
        let invitation = try #require(invited["invitation"] as? [String: Any])
        let link = try #require(invitation["link"] as? String)
        let code = try #require(invitation["code"] as? String)
        #expect(link.hasPrefix(web + "/invite?t="))
        #expect(invited["sent"] as? String == "已通过通知服务发给本人（消息，以及开通时的邮件）", "\(invited)")
        // The notifier put the invitation in member 13's inbox.
        let inbox = try await staff.run(["inbox", "--member", "13"])
        #expect(inbox.stdout.contains("委员履职服务平台邀请"), "\(inbox.stdout)")
        let second = try #require(try await staff.json(["portal", "invite", "--member", "14", "--no-send"])["invitation"] as? [String: Any])
        // The portal's own key may not invite: its socket is the office's.
        let refused = try await staff.identity("portal").run(["portal", "invite", "--member", "20"])
        #expect(refused.status != 0)

        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        let browser = try await runCommand(Self.python, [
            Self.script, "--base", web, "--link", link, "--code", code,
            "--second-link", try #require(second["link"] as? String), "--second-code", try #require(second["code"] as? String),
            "--tomorrow", "\(tomorrow)", "--soon", "\(soon)", "--others", "\(others)", "--draft", "\(draft)", "--open", "\(openActivity)", "--consultation", "\(consultation)", "--shots", Self.screenshots,
            "--gateway", builtExecutable("gateway"),
        ], environment: staff.environment, timeout: .seconds(600))
        // Every check's line, kept beside the screenshots for whoever looks at a failure.
        try (browser.stdout + browser.stderr).write(toFile: Self.screenshots + "/browser.log", atomically: true, encoding: .utf8)
        #expect(browser.status == 0, "the browser steps failed:\n\(browser.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }.joined(separator: "\n"))\n\(browser.stderr.suffix(4000))\nportal log:\n\(portal.standardError.suffix(2000))")

        // What the browser did is in the services, as member 13's own doing.
        let meeting = try await staff.json(["meeting", "show", "\(tomorrow)"])
        let invitees = meeting["invitees"] as? [[String: Any]] ?? []
        let thirteen = invitees.first { ($0["memberID"] as? NSNumber)?.intValue == 13 }
        #expect(thirteen?["attendance"] as? String == "ATTENDANCE_LEAVE_REQUESTED", "\(thirteen ?? [:])")
        #expect(thirteen?["leaveReason"] as? String == "赴省里参加<script>alert(1)</script>培训", "the reason as typed, stored as text")
        let checked = try await staff.json(["meeting", "show", "\(soon)"])
        let mine = (checked["invitees"] as? [[String: Any]] ?? []).first { ($0["memberID"] as? NSNumber)?.intValue == 13 }
        #expect(mine?["attendance"] as? String == "ATTENDANCE_CHECKED_IN", "\(mine ?? [:])")
        // Disabled at once: no session left, and the account says so.
        let accounts = try await staff.json(["portal", "list"])
        let m13 = (accounts["accounts"] as? [[String: Any]] ?? []).first { $0["login"] as? String == "m13" }
        #expect(m13?["state"] as? String == "ACCOUNT_STATE_DISABLED")
        #expect((m13?["sessions"] as? NSNumber)?.intValue ?? 0 == 0)
        // The portal's password file holds no password and no invitation code in clear.
        let database = try Data(contentsOf: URL(fileURLWithPath: directory + "/portal/portal.sqlite"))
        #expect(database.range(of: Data("春风十里不如你2026".utf8)) == nil)
        #expect(database.range(of: Data(code.utf8)) == nil)
        // A 60,000-character login was counted cut to 32 characters.
        #expect(database.range(of: Data(String(repeating: "x", count: 33).utf8)) == nil)

        #expect(await portal.stop() == 0)
        await suite.stop()
    }
}
