import Foundation
import XieshangService
import Testing
import XieshangTestSupport

/// Deliveries beyond the inbox, against real peers on loopback: a local HTTP server
/// receiving signed webhooks, and an SMTP server (aiosmtpd) receiving e-mail through msmtp.
@Suite("notifier deliveries: webhooks, e-mail, reminders, dead letters, preferences, announcements", .serialized)
struct NotifierDeliveryTests {
    final class Background {
        let process: ChildProcess
        init(_ process: ChildProcess) { self.process = process }
        deinit {
            process.signal(SIGTERM)
            _ = process.reapIfEnded()
        }
    }

    /// Starts a helper program and waits for `ready` to hold.
    static func background(_ path: String, _ arguments: [String], until ready: () -> Bool) async throws -> Background {
        let helper = Background(try ChildProcess(path, arguments, environment: ProcessInfo.processInfo.environment,
                                                 stdout: "/dev/null", stderr: "/dev/null"))
        for _ in 0..<200 where !ready() { try await Task.sleep(for: .milliseconds(50)) }
        return helper
    }

    @Test("signed webhooks retried until accepted once, e-mail through msmtp, reminders, dead letters, digests, announcements")
    func deliveries() async throws {
        let directory = try temporaryDirectory("deliveries")
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let secret = "s3cret-钥匙"

        // The webhook receiver and the SMTP server.
        let webhook = try await Self.background("/usr/bin/env", ["python3", here.appendingPathComponent("webhook_server.py").path, directory, secret]) {
            FileManager.default.fileExists(atPath: directory + "/port")
        }
        let webhookPort = try String(contentsOfFile: directory + "/port", encoding: .utf8)
        let maildir = directory + "/maildir"
        let smtpPort = try freeLoopbackPort()
        let smtp = try await Self.background("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(smtpPort)", "-c", "aiosmtpd.handlers.Mailbox", maildir]) {
            FileManager.default.fileExists(atPath: maildir + "/new")
        }

        let (registry, scheduler, tracker) = try await SuiteProcesses.startCore(in: directory)
        var environment = ["XIESHANG_REGISTRY_ENDPOINT": registry.rpcEndpoint, "XIESHANG_SCHEDULER_ENDPOINT": scheduler.rpcEndpoint,
                           "XIESHANG_TRACKER_ENDPOINT": tracker.rpcEndpoint]
        @discardableResult
        func gateway(_ arguments: String...) async throws -> [String: Any] {
            let result = try await runCommand(builtExecutable("gateway"), arguments + ["--json"], environment: environment)
            guard result.status == 0 else {
                throw ProcessFailure(description: "gateway \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
            }
            return (try? result.json() as? [String: Any]) ?? [:]
        }
        let csv = here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("compose/demo/members.csv").path
        try await gateway("term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd)
        _ = try await runCommand(builtExecutable("gateway"), ["member", "import", csv], environment: environment)
        // The council: 6, 7, 8, 9, 10, 17, 19, 23. Addresses for three; 7 wants no e-mail;
        // 8 wants a digest; 23's webhook endpoint keeps failing.
        for id in [6, 7, 8] { try await gateway("member", "update", "\(id)", "--email", "member\(id)@xieshang.test") }

        // The notifier starts once the data is in place (it catches up on the events so far),
        // so the reminder's time below does not depend on how long the setup took.
        // A meeting starting two minutes past the next minute; its reminder falls 45 s from now.
        // A reminder whose time passed before its meeting's notice reached the notifier is
        // not sent (by design), so the setup below must end before then: with the whole suite
        // beside it on a slow VM it has taken over 20 s.
        let now = Date().timeIntervalSince1970
        let start = (floor(now / 60) + 3) * 60
        let reminderLead = Int(start - now) - 45
        let notifier = try await ServiceProcess("notifier", dataDir: directory + "/notifier", arguments: SuiteProcesses.notifierWiring(registry, scheduler, tracker) + [
            "--webhook-url", "http://127.0.0.1:\(webhookPort)/hook", "--webhook-secret", secret,
            "--sendmail", "msmtp --host=127.0.0.1 --port=\(smtpPort) --from=notifier@xieshang.test --auth=off --tls=off",
            "--meeting-reminders", "\(reminderLead)s", "--give-up-after", "12s", "--digest-every", "5s"])
        environment["XIESHANG_NOTIFIER_ENDPOINT"] = notifier.rpcEndpoint
        try await gateway("notify", "prefs", "--member", "7", "--email", "off")
        try await gateway("notify", "prefs", "--member", "8", "--digest", "on")
        try Data("23".utf8).write(to: URL(fileURLWithPath: directory + "/reject"))

        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let startText = formatter.string(from: Date(timeIntervalSince1970: start))
        let meeting = (try await gateway("meeting", "schedule", "--title", "研究年度协商计划", "--kind", "主席会议", "--start", startText,
                                         "--minutes", "60", "--venue", "市政协三楼", "--group", "chairpersons-council")["id"] as? NSNumber)?.intValue ?? 0
        try await gateway("meeting", "publish", "\(meeting)")
        // A second one, cancelled at once: its reminder must not fire.
        let dropped = (try await gateway("meeting", "schedule", "--title", "临时会议", "--kind", "主席会议", "--start", startText,
                                         "--minutes", "30", "--venue", "市政协二楼", "--group", "sector:经济界")["id"] as? NSNumber)?.intValue ?? 0
        try await gateway("meeting", "publish", "\(dropped)")
        try await gateway("meeting", "cancel", "\(dropped)", "--reason", "改期")
        let announced = try await gateway("notify", "send", "--group", "sector:教育界", "--title", "调研通知", "--body", "请于12月10日前提交调研报告")
        #expect((announced["recipients"] as? NSNumber)?.intValue == 13)

        // Wait for the reminder (about 45 s from the notifier's start) and for deliveries.
        func inbox(_ id: Int) async throws -> [String] {
            let result = try await runCommand(builtExecutable("gateway"), ["inbox", "--member", "\(id)", "--limit", "100", "--json"], environment: environment)
            let inbox = try result.json() as? [String: Any]
            return (inbox?["notifications"] as? [[String: Any]])?.compactMap { $0["title"] as? String } ?? []
        }
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline, try await !inbox(6).contains(where: { $0.hasPrefix("会议提醒") }) {
            try await Task.sleep(for: .seconds(1))
        }
        try await Task.sleep(for: .seconds(14))   // retries (1+2+4 s), the digest, the give-up window
        #expect(try await inbox(6) == ["会议提醒：五届一次主席会议", "会议通知：五届一次主席会议"])
        #expect(try await inbox(9).filter { $0.hasPrefix("会议提醒") }.count == 1)
        // The cancelled meeting's reminder was dropped: its sector members got notice and cancellation only.
        let economist = try await runCommand(builtExecutable("gateway"), ["member", "resolve", "sector", "经济界", "--json"], environment: environment)
        let firstEconomist = ((try economist.json()) as? [NSNumber])?.first?.intValue ?? 0
        #expect(try await inbox(firstEconomist) == ["会议取消：五届二次主席会议", "会议通知：五届二次主席会议"])

        // Webhooks: every notification accepted exactly once, after three refusals, signed
        // (on a loaded machine the fourth attempts may come after the wait above).
        for _ in 0..<30 where ((try? String(contentsOfFile: directory + "/accepted.jsonl", encoding: .utf8)) ?? "").isEmpty {
            try await Task.sleep(for: .seconds(1))
        }
        let lines = (try? String(contentsOfFile: directory + "/accepted.jsonl", encoding: .utf8))?.split(separator: "\n") ?? []
        let accepted = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let deliveries = accepted.compactMap { $0["delivery"] as? String }
        #expect(!accepted.isEmpty)
        #expect(Set(deliveries).count == deliveries.count)
        #expect(accepted.allSatisfy { ($0["attempts"] as? NSNumber)?.intValue == 4 })
        #expect(!accepted.contains { ($0["recipient_id"] as? NSNumber)?.intValue == 23 })

        // Member 23's deliveries are dead letters; once the endpoint accepts them, a retry delivers each once.
        var deadIDs: [Int] = []
        for _ in 0..<30 where deadIDs.count < 2 {
            let dead = try await runCommand(builtExecutable("gateway"), ["notify", "dead-letters", "--json"], environment: environment)
            let deadLetters = ((try dead.json()) as? [[String: Any]]) ?? []
            deadIDs = deadLetters.filter { (($0["notification"] as? [String: Any])?["recipient"] as? [String: Any])?["id"] as? NSNumber == 23 }
                .compactMap { ($0["id"] as? NSNumber)?.intValue }
            if deadIDs.count < 2 { try await Task.sleep(for: .seconds(1)) }
        }
        #expect(deadIDs.count == 2)   // the notice and the reminder
        try FileManager.default.removeItem(atPath: directory + "/reject")
        _ = try await runCommand(builtExecutable("gateway"), ["notify", "retry"] + deadIDs.map(String.init), environment: environment)
        func acceptedNow() -> [[String: Any]] {
            ((try? String(contentsOfFile: directory + "/accepted.jsonl", encoding: .utf8))?.split(separator: "\n") ?? [])
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        try await Task.sleep(for: .seconds(10))
        for _ in 0..<20 where acceptedNow().filter({ ($0["recipient_id"] as? NSNumber)?.intValue == 23 }).count < 2 {
            try await Task.sleep(for: .seconds(1))
        }
        let after = acceptedNow()
        #expect(after.filter { ($0["recipient_id"] as? NSNumber)?.intValue == 23 }.count == 2)

        // E-mail: members 6 (at once) and 8 (a digest) got mail; 7 turned e-mail off.
        let mail = try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").map {
            try String(contentsOfFile: maildir + "/new/" + $0, encoding: .utf8)
        }
        func decodedSubjects(_ to: String) -> [String] {
            mail.filter { $0.contains("To: \(to)") }.compactMap { message in
                guard let line = message.split(separator: "\n").first(where: { $0.hasPrefix("Subject: =?UTF-8?B?") }) else { return nil }
                let encoded = line.dropFirst("Subject: =?UTF-8?B?".count).dropLast(line.hasSuffix("\r") ? 3 : 2)
                return Data(base64Encoded: String(encoded)).map { String(decoding: $0, as: UTF8.self) }
            }
        }
        #expect(Set(decodedSubjects("member6@xieshang.test")) == ["会议通知：五届一次主席会议", "会议提醒：五届一次主席会议"])
        #expect(decodedSubjects("member7@xieshang.test").isEmpty)
        // The meeting notice carries the meeting's calendar entry.
        let notice = mail.first { $0.contains("To: member6@xieshang.test") && $0.contains("text/calendar") }
        #expect(notice?.contains("filename=\"meeting.ics\"") == true)
        #expect(decodedSubjects("member8@xieshang.test").allSatisfy { $0.hasPrefix("政协通知汇总") })
        #expect(!decodedSubjects("member8@xieshang.test").isEmpty)

        withExtendedLifetime((webhook, smtp)) {}
        await notifier.stop()
        await tracker.stop()
        await scheduler.stop()
        await registry.stop()
    }
}
