import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

/// The review's findings about bytes and files, played through real processes and keys:
/// oversized ids and texts, escape sequences, huge lists, files larger than a message, a
/// database deleted under a running service, two processes on one folder.
@Suite("hostile input: sizes, characters, lists, large files, deleted databases", .serialized)
struct HostileInputTests {
    /// member-registry alone, insecure, with the fifth term.
    static func registryAlone(_ name: String) async throws -> (String, ServiceProcess, Gateway) {
        let directory = try temporaryDirectory(name)
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
        let gateway = Gateway(registry: registry.rpcEndpoint)
        #expect(try await gateway.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]).status == 0)
        return (directory, registry, gateway)
    }

    /// A member file's lines (header first) with `count` members of about 170 bytes each.
    static func members(_ count: Int) -> [String] {
        ["member_number,name,sector,work_unit,position,phone,ethnicity,party,birth_date"] + (0..<count).map { index in
            "\(100_000 + index),委员\(index),经济界,嘉峪关市某某区某某街道某某有限责任公司第\(index % 97)分公司,总经理助理兼办公室主任,\(13_900_000_000 + index),汉族,中国民主同盟,1970-01-01"
        }
    }

    static func folderBytes(_ path: String) -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return files.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + file)[.size] as? Int) ?? 0)
        }
    }

    @Test("huge request ids, texts, control characters and id lists are refused up front; long lists and catch-ups page in bytes")
    func oversizedAndForbidden() async throws {
        let c = try await HostileMemberTests.Committee.start("hostile-bytes")
        let context = try ZMQContext()
        defer { context.terminate() }

        // Item 4: 1 MiB request ids from a member's key, through a raw DEALER socket.
        let dealer = try context.socket(.dealer)
        defer { dealer.close(linger: 0) }
        try dealer.applyHygiene(maxMessageBytes: 8 << 20, lingerMs: 0)
        try KeyFolder(c.keys).clientSecurity(as: "m12", calling: "notifier").apply(to: dealer)
        try dealer.connect(c.suite.notifier.rpcEndpoint)
        let before = Self.folderBytes(c.suite.notifier.dataDir)
        var mark = NotificationV1.MarkReadRequest()
        var recipient = NotificationV1.Recipient()
        recipient.kind = .member
        recipient.id = 12
        mark.recipient = recipient
        var poller = ZMQPoller([.socket(dealer)])
        var refusals: [String] = []
        for index in 0..<25 {
            var request = RpcV1.Request()
            request.method = NotificationV1.Inbox.markRead.name
            request.requestID = String(repeating: "\(index % 10)", count: 1 << 20)
            request.deadlineMs = 5000
            request.body = try mark.encode()
            try dealer.send([try request.encode()])
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline, try !poller.poll(timeoutMs: 100)[0] {}
            guard let frames = try dealer.receive(), let reply = try? RpcV1.Response(decoding: frames.last ?? [], limits: WireLimits(maxBytes: 8 << 20)) else {
                Issue.record("no reply to a huge request id")
                break
            }
            refusals.append("\(reply.status?.code ?? .ok): \(reply.status?.message ?? "")")
        }
        #expect(refusals.count == 25 && refusals.allSatisfy { $0.hasPrefix("\(StatusCode.invalidArgument)") && $0.contains("over its limit of 128 bytes") }, "\(refusals.prefix(1))")
        let grown = Self.folderBytes(c.suite.notifier.dataDir) - before
        #expect(grown < 1 << 20, "25 huge ids grew the notifier's data by \(grown) bytes")

        // Item 5: a 2.2 MB proposal body is refused, naming the field and the limit.
        let tracker = try keyedClient(c.keys, as: "m12", calling: "proposal-tracker", at: c.suite.tracker.rpcEndpoint)
        func proposal(_ title: String, _ body: String) -> ProposalV1.CreateProposalRequest {
            var p = ProposalV1.Proposal()
            p.title = title
            p.body = body
            p.proposerMemberID = 12
            p.`public` = true
            var request = ProposalV1.CreateProposalRequest()
            request.proposal = p
            return request
        }
        do {
            _ = try await tracker.call(ProposalV1.Proposals.create, proposal("超长正文", String(repeating: "长", count: 750_000)))
            Issue.record("a 2.2 MB body was accepted")
        } catch {
            #expect(error.code == .invalidArgument && error.violations.first?.field == "proposal.body" && error.message.contains("65536"), "\(error)")
            #expect(error.violations.first?.reason == "TEXT_TOO_LONG", "\(error)")
        }
        // Item 9: an escape sequence in a title, a right-to-left override, a zero-width space.
        for (title, what) in [("标题\u{1B}]0;pwned\u{07}", "U+001B"), ("关于\u{202E}txt.exe的建议", "U+202E"), ("张\u{200B}伟的建议", "U+200B"), ("第一行\n第二行", "line break")] {
            do {
                _ = try await tracker.call(ProposalV1.Proposals.create, proposal(title, "正文"))
                Issue.record("the title \(title.debugDescription) was accepted")
            } catch {
                #expect(error.code == .invalidArgument && error.violations.first?.field == "proposal.title" && error.message.contains(what), "\(error)")
                #expect(error.violations.first?.reason == "FORBIDDEN_CHARACTER", "\(error)")
            }
        }
        // Paragraphs keep their line breaks.
        _ = try await tracker.call(ProposalV1.Proposals.create, proposal("关于分段正文的建议", "第一段。\n\n第二段。"))

        // 24 proposals of 60 KB (under the limit): staff list them all, in pages of at most 1 MiB.
        for index in 0..<24 {
            _ = try await tracker.call(ProposalV1.Proposals.create, proposal("关于第\(index)件事的建议", String(repeating: "议", count: 20_000)))
        }
        let staffTracker = try keyedClient(c.keys, as: "wang", calling: "proposal-tracker", at: c.suite.tracker.rpcEndpoint)
        var list = ProposalV1.ListProposalsRequest()
        list.pageSize = 500
        let first = try await staffTracker.call(ProposalV1.Proposals.list, list, options: .read)
        #expect(first.proposals.count < 25 && !first.nextPageToken.isEmpty, "a page stops at 1 MiB: \(first.proposals.count)")
        #expect(try first.encode().count < (1 << 20) + (64 << 10))
        let listed = try await c.staff.run(["proposal", "list", "--all", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(((try? listed.json()) as? [Any])?.count == 25 || listed.stdout.components(separatedBy: "关于第").count - 1 == 24, "every proposal listed")

        // The tracker's catch-up batches stop at 1 MiB; the notifier's key pages through them all.
        let events = try keyedClient(c.keys, as: "notifier", calling: "proposal-tracker", at: c.suite.tracker.rpcEndpoint)
        var since = EventV1.SinceRequest()
        var batches = 0
        var seen = 0
        repeat {
            let batch = try await events.call(EventV1.Events.since, since, options: .read)
            #expect(try batch.encode().count < (1 << 20) + (64 << 10))
            if batch.events.isEmpty { break }
            seen += batch.events.count
            since.afterSequence = batch.events.last!.sequence
            batches += 1
            if since.afterSequence >= batch.lastSequence { break }
        } while batches < 100
        #expect(seen == 25 && batches > 1, "\(seen) events in \(batches) batches")
        #expect(!(try await events.call(EventV1.Events.since, EventV1.SinceRequest(), options: .read)).sourceIdentity.isEmpty)

        // Item 11: 400,000 ids are refused as too many, not as an INTERNAL "too many SQL variables".
        let inbox = try keyedClient(c.keys, as: "m12", calling: "notifier", at: c.suite.notifier.rpcEndpoint)
        mark.ids = (1...400_000).map(Int64.init)
        do {
            _ = try await inbox.call(NotificationV1.Inbox.markRead, mark)
            Issue.record("400,000 ids were taken")
        } catch {
            #expect(error.code == .invalidArgument && error.message.contains("more than 10000"), "\(error)")
        }
        // Item 8: a request over the message limit is refused by the client, naming it.
        let registry = try keyedClient(c.keys, as: "wang", calling: "member-registry", at: c.suite.registry.rpcEndpoint)
        var big = MemberV1.ImportMembersRequest()
        big.csv = Array(repeating: 0x41, count: 5 << 20)
        do {
            _ = try await registry.call(MemberV1.Members.import, big)
            Issue.record("a 5 MiB request was sent")
        } catch {
            #expect(error.code == .resourceExhausted && error.message.contains("bytes one message may carry"), "\(error)")
        }
        for client in [tracker, staffTracker, events, inbox, registry] { await client.close() }
        #expect(try await c.staff.run(["health", "--service", "notifier"]).status == 0)
        await c.suite.stop()
    }

    /// How long a command over a 32,000-member file may take, as the gateway's call
    /// deadline and as the test's wait for the gateway.
    static let largeFileSeconds = 300

    @Test("a member file of 5.5 MB and 32,000 members imports in parts, exports in pages and re-imports unchanged; formulas are neutralised")
    func largeFilesAndFormulas() async throws {
        let (directory, registry, gateway) = try await Self.registryAlone("hostile-files")
        var lines = Self.members(32_000)
        // Two cells a spreadsheet would run as formulas.
        lines.append("200001,公式甲,经济界,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"点此\"\")\",@SUM(A1:A9),13800000001,汉族,中共,1970-01-01")
        lines.append("200002,公式乙,经济界,+1+2,-3,13800000002,汉族,中共,1970-01-01")
        let file = directory + "/large.csv"
        try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: file, atomically: true, encoding: .utf8)
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        #expect(size > 5_000_000, "\(size) bytes")

        let imported = try await gateway.run(["member", "import", file, "--timeout", "\(Self.largeFileSeconds)"], timeout: .seconds(Self.largeFileSeconds))
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("created: 32002"), "\(imported.stdout)")
        let exported = directory + "/export.csv"
        let export = try await gateway.run(["member", "export", "--output", exported, "--timeout", "120"], timeout: .seconds(120))
        #expect(export.status == 0, "\(export.stderr)")
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        #expect(text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 32_003, "a header and every member")
        #expect(text.contains("\"'=HYPERLINK(") && text.contains(",'@SUM(A1:A9),") && text.contains(",'+1+2,'-3,"), "formulas are written as text")
        #expect(!text.contains(",=HYPERLINK") && !text.contains(",@SUM"))
        let again = try await gateway.run(["member", "import", exported, "--dry-run", "--timeout", "\(Self.largeFileSeconds)"], timeout: .seconds(Self.largeFileSeconds))
        #expect(again.status == 0 && again.stdout.contains("unchanged: 32002"), "\(again.stdout) \(again.stderr)")
        let formula = try await gateway.run(["member", "search", "公式甲", "--json"])
        #expect(formula.stdout.contains("=HYPERLINK") && !formula.stdout.contains("'=HYPERLINK"), "stored as written: \(formula.stdout)")

        // A file saved as GB18030 (Excel's plain "CSV" on a Chinese Windows) gets the hint.
        let gbk = directory + "/gbk.csv"
        // 张伟 and 经济界 in GB18030.
        let gbkBytes = Array("member_number,name,sector\n300001,".utf8) + [0xD5, 0xC5, 0xCE, 0xB0, 0x2C, 0xBE, 0xAD, 0xBC, 0xC3, 0xBD, 0xE7, 0x0A]
        try Data(gbkBytes).write(to: URL(fileURLWithPath: gbk))
        let refused = try await gateway.run(["member", "import", gbk])
        #expect(refused.status == 2 && refused.stderr.contains("CSV UTF-8"), "\(refused.stderr)")
        // A dry run of a file with bad rows is not a success.
        let bad = directory + "/bad.csv"
        try "member_number,name,sector\n300002,,经济界\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(try await gateway.run(["member", "import", bad, "--dry-run"]).status == 2)
        #expect(await registry.stop() == 0)
    }

    @Test("a database deleted under a running service: writes refused, health failing, no empty restart; its consumer notices; one process per folder")
    func deletedDatabase() async throws {
        let directory = try temporaryDirectory("hostile-deleted")
        let suite = try await SuiteProcesses.start(in: directory)
        let gateway = suite.gateway()
        #expect(try await gateway.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]).status == 0)
        for number in 1...3 {
            #expect(try await gateway.run(["member", "add", "--number", "900\(number)", "--name", "委员\(number)", "--sector", "经济界"]).status == 0)
        }
        // The notifier applied the registry's events (and learnt its identity): its two
        // managed lists, the term and the three members.
        var applied = false
        for _ in 0..<100 where !applied {
            applied = try await gateway.run(["health", "--service", "notifier"]).stdout.contains("member-registry 6/6")
            if !applied { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(applied)

        // A second registry on the same folder is refused, naming the holder.
        let second = try await runCommand(builtExecutable("member-registry"), ["--insecure", "--data-dir", suite.registry.dataDir,
                                                                               "--rpc-endpoint", "tcp://127.0.0.1:*", "--event-endpoint", "tcp://127.0.0.1:*", "--metrics-address", "127.0.0.1:0"])
        #expect(second.status != 0 && second.stderr.contains("another member-registry process"), "\(second.stderr)")

        let database = suite.registry.dataDir + "/member-registry.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        let refused = try await gateway.run(["member", "add", "--number", "9004", "--name", "委员4", "--sector", "经济界"])
        #expect(refused.status != 0 && refused.stderr.contains("deleted") && refused.stderr.contains("nothing was written"), "\(refused.stderr)")
        let health = try await gateway.run(["health", "--service", "member-registry"])
        #expect(health.status != 0 && health.stdout.contains("deleted"), "\(health.stdout)")

        // Restarted, it refuses to start empty where it had data.
        #expect(await suite.registry.stop() == 0)
        do {
            try await suite.registry.start()
            Issue.record("the registry started empty")
        } catch {
            #expect(suite.registry.standardError.contains("the database is missing"), "\(suite.registry.standardError.suffix(400))")
        }
        // The operator says so: it starts anew, with a new identity.
        try await suite.registry.start(extra: ["--allow-empty-database"])
        #expect(try await gateway.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]).status == 0)
        #expect(try await gateway.run(["member", "add", "--number", "9101", "--name", "新委员", "--sector", "经济界"]).status == 0)
        // The notifier notices the source is not the one it followed, and says so.
        var noticed = ""
        for _ in 0..<100 {
            let health = try await gateway.run(["health", "--service", "notifier"])
            if health.status != 0 && health.stdout.contains("FAILING") { noticed = health.stdout; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(noticed.contains("member-registry") && (noticed.contains("replaced") || noticed.contains("backwards")), "\(noticed)")
        #expect(noticed.contains("--accept-source member-registry"), "\(noticed)")

        // Restarted with --accept-source, it takes the new registry as it is and follows it.
        #expect(await suite.notifier.stop() == 0)
        try await suite.notifier.start(extra: ["--accept-source", "member-registry"])
        #expect(try await gateway.run(["member", "add", "--number", "9102", "--name", "又一位委员", "--sector", "经济界"]).status == 0)
        var following = false
        for _ in 0..<100 where !following {
            let health = try await gateway.run(["health", "--service", "notifier"])
            // The new registry's lists, term and first member (taken as it was), then the next member.
            following = health.status == 0 && health.stdout.contains("member-registry 5/5")
            if !following { try await Task.sleep(for: .milliseconds(100)) }
        }
        let last = try await gateway.run(["health", "--service", "notifier"]).stdout
        #expect(following, "\(last)")
        await suite.stop()
    }

    @Test("addresses that are options, look-alike member numbers, escape sequences already stored, and the small holes (overflows, out-of-term meetings, terms, windows, texts, time zones)")
    func smallerHoles() async throws {
        let directory = try temporaryDirectory("hostile-small")
        let suite = try await SuiteProcesses.start(in: directory)
        let gateway = suite.gateway()
        #expect(try await gateway.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", "2027-01-14"]).status == 0)

        // Item 7: e-mail addresses that a mail command would read as options are refused.
        for address in ["--passwordeval=touch${IFS}pwned@x.cn", "-oQ/tmp/x@x.cn", "a b@x.cn", "a@x.cn --logfile=/tmp/pwn", "a@-x.cn"] {
            let refused = try await gateway.run(["member", "add", "--number", "8001", "--name", "甲", "--sector", "经济界", "--email=\(address)"])
            #expect(refused.status == 2 && refused.stderr.contains("email"), "\(address): \(refused.stderr)")
        }
        #expect(try await gateway.run(["unit", "add", "--name", "某局", "--kind", "政府部门", "--email=--logfile=/tmp/x@x.cn"]).status == 2)
        #expect(try await gateway.run(["member", "add", "--number", "8001", "--name", "甲", "--sector", "经济界", "--email", "zhang.wei+zx@政协.cn"]).status == 0)

        // Item 9: a fullwidth member number is the same number.
        let twin = try await gateway.run(["member", "add", "--number", "８００１", "--name", "乙", "--sector", "经济界"])
        #expect(twin.status == 2 && twin.stderr.contains("8001"), "５００１ and 5001 are one number: \(twin.stderr)")
        for name in ["张\u{200B}伟", "\u{202E}伟张", "张\u{1B}[2J伟"] {
            #expect(try await gateway.run(["member", "add", "--number", "8002", "--name", name, "--sector", "经济界"]).status == 2, "\(name.debugDescription)")
        }
        // Text written before these rules (straight into the database here) is shown, never
        // played: no escape reaches the terminal, no line break breaks a table.
        let database = suite.registry.dataDir + "/member-registry.sqlite"
        let legacy = try await runCommand("/usr/bin/sqlite3", [database, "UPDATE members SET name = '甲' || char(27) || ']0;pwned' || char(7) || char(10) || '乙', work_unit = char(27) || '[31m红' WHERE member_number = '8001'"])
        #expect(legacy.status == 0, "\(legacy.stderr)")
        for arguments in [["member", "get", "1"], ["member", "list"], ["member", "search", "甲"], ["member", "get", "1", "--json"], ["member", "export"]] {
            let shown = try await gateway.run(arguments)
            #expect(shown.status == 0, "\(arguments): \(shown.stderr)")
            #expect(!shown.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(arguments) printed a control character raw")
        }
        let table = try await gateway.run(["member", "get", "1"])
        #expect(table.stdout.contains("<U+001B>") || table.stdout.contains("\\u001b"), "\(table.stdout)")

        // Item 11: the smaller ones.
        let overflow = try await gateway.run(["meeting", "schedule", "--title", "x", "--kind", "调研", "--start", "2026-12-08 09:00",
                                              "--minutes", "9223372036854775807", "--venue", "市政协"])
        #expect(overflow.status == 64 && overflow.stderr.contains("--minutes"), "no crash: \(overflow.status) \(overflow.stderr)")
        for start in ["2020-06-01 09:00", "9999-12-31 09:00", "2027-03-01 09:00"] {
            let outside = try await gateway.run(["meeting", "schedule", "--title", "x", "--kind", "调研", "--start", start, "--minutes", "60", "--venue", "市政协"])
            #expect(outside.status == 2 && (outside.stderr.contains("outside term 5") || outside.stderr.contains("2000 to 2099")), "\(start): \(outside.stderr)")
        }
        let bigTerm = try await gateway.run(["term", "add", "--number", "2147483647", "--start", "2030-01-15", "--end", "2035-01-14"])
        #expect(bigTerm.status == 2 && bigTerm.stderr.contains("between 1 and 99"), "\(bigTerm.stderr)")
        let overlapping = try await gateway.run(["term", "add", "--number", "6", "--start", "2026-06-01", "--end", "2031-05-31"])
        #expect(overlapping.status == 2 && overlapping.stderr.contains("overlaps term 5"), "\(overlapping.stderr)")
        let farDate = try await gateway.run(["member", "add", "--number", "8003", "--name", "丙", "--sector", "经济界", "--birth-date", "9999-12-31"])
        #expect(farDate.status == 2 && farDate.stderr.contains("outside the years") && !farDate.stderr.contains("not a date"), "\(farDate.stderr)")
        let window = try await gateway.run(["meeting", "find-slot", "--from", "2026-12-01 08:00", "--to", "2026-12-31 18:00", "--minutes", "60", "--member", "1"])
        #expect(window.status == 0, "a 30-day window is a window, not a meeting: \(window.stderr)")
        #expect(try await gateway.run(["member", "list", "--page-size", "0"]).status == 64)
        let zeroTimeout = try await gateway.run(["term", "list", "--timeout", "0"])
        #expect(zeroTimeout.status == 64 && zeroTimeout.stderr.contains("more than 0"), "\(zeroTimeout.stderr)")
        let badZone = try await runCommand(builtExecutable("gateway"), ["term", "list"],
                                           environment: gateway.environment.merging(["XIESHANG_TIME_ZONE": "Asia/Shanghia"]) { $1 })
        #expect(badZone.status == 64 && badZone.stderr.contains("not a time zone"), "\(badZone.stderr)")
        let badZoneService = try await runCommand(builtExecutable("meeting-scheduler"), ["--insecure", "--data-dir", directory + "/tz"],
                                                  environment: ["XIESHANG_TIME_ZONE": "Asia/Shanghia"])
        #expect(badZoneService.status != 0 && badZoneService.stderr.contains("not a time zone"), "\(badZoneService.stderr)")
        // A second notifier on the same folder is refused.
        let second = try await runCommand(builtExecutable("notifier"), ["--insecure", "--data-dir", suite.notifier.dataDir,
                                                                         "--rpc-endpoint", "tcp://127.0.0.1:*", "--metrics-address", "127.0.0.1:0"])
        #expect(second.status != 0 && second.stderr.contains("another notifier process"), "\(second.stderr)")
        // "(N attempts)" is said once, even through a service that retried too.
        #expect(await suite.registry.stop() == 0)
        // (A room its copy of the registry does not know: the scheduler asks the registry.)
        let throughScheduler = try await gateway.run(["meeting", "schedule", "--title", "x", "--kind", "调研", "--start", "2026-12-08 09:00",
                                                      "--minutes", "60", "--room", "999", "--timeout", "3"])
        #expect(throughScheduler.status == 4, "\(throughScheduler.stderr)")
        #expect(throughScheduler.stderr.components(separatedBy: "attempts)").count <= 2, "\(throughScheduler.stderr)")
        await suite.stop()
    }

    @Test("twenty parallel imports of a large file: one at a time inside the registry, its memory bounded")
    func parallelImports() async throws {
        let (directory, registry, gateway) = try await Self.registryAlone("hostile-parallel")
        // The review's case: twenty files of 20,000 short rows (2.2 MB, one message each).
        let lines = ["member_number,name,sector,work_unit,position,phone"] + (0..<20_000).map { index in
            "\(100_000 + index),委员\(index),经济界,嘉峪关市某某有限责任公司,总经理助理,\(13_900_000_000 + index)"
        }
        let file = directory + "/20k.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let idle = registry.residentKiB ?? 0
        let pid = try #require(registry.pid)
        // Samples the registry's resident memory every 20 ms while the imports run.
        let sampler = Task.detached { () -> Int in
            var peak = 0
            while !Task.isCancelled {
                if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                   let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                   let kib = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) {
                    peak = max(peak, kib)
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return peak
        }
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<20 {
                group.addTask { try await gateway.run(["member", "import", file, "--dry-run", "--timeout", "\(Self.largeFileSeconds)"], timeout: .seconds(Self.largeFileSeconds)).status }
            }
            return try await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        sampler.cancel()
        let peak = await sampler.value
        #expect(statuses.count == 20 && statuses.allSatisfy { $0 == 0 }, "\(statuses)")
        // Without the gate, twenty at once took the registry to about 600 MB; with it, about
        // 175 MiB here (the requests in flight, each held until its turn).
        #expect(peak - idle < 250 * 1024, "idle \(idle / 1024) MiB, peak \(peak / 1024) MiB")
        #expect(await registry.stop() == 0)
    }
}
