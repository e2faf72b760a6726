import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// The five services as processes with CURVE keys made by `gateway keys setup`, as the
/// local runner and compose run them: who may do what is decided by the key, never by
/// what a request claims; the services call and subscribe to each other with their keys.
@Suite("the secure suite: keys, roles and permissions across the five services, as processes", .serialized)
struct SecureSuiteTests {
    @Test("no key, an unknown key, a member or a unit key each get exactly what their role allows")
    func rolesAcrossTheSuite() async throws {
        let directory = try temporaryDirectory("secure")
        let suite = try await SuiteProcesses.startWithKeys(in: directory)
        let keys = try #require(suite.keys)
        let (registry, scheduler, tracker, notifier) = (suite.registry, suite.scheduler, suite.tracker, suite.notifier)
        let admin = suite.gateway(identity: "admin")

        // Users: a staff member, two committee members, two handling units; one stranger.
        let generated = try await admin.run(["keys", "generate", "wang", "m12", "m20", "u1", "u2", "stranger", "--dir", keys])
        #expect(generated.status == 0, "\(generated.stderr)")
        for (name, role, principal) in [("wang", "staff", "wang"), ("m12", "member", "12"), ("m20", "member", "20"),
                                        ("u1", "unit", "1"), ("u2", "unit", "2")] {
            let allowed = try await admin.run(["keys", "allow", name, "--role", role, "--principal", principal, "--dir", keys])
            #expect(allowed.status == 0, "\(allowed.stderr)")
        }
        let badPrincipal = try await admin.run(["keys", "allow", "stranger", "--role", "member", "--dir", keys])
        #expect(badPrincipal.status == 2 && badPrincipal.stderr.contains("member's id"))
        // The services notice the changed allow-lists within a second.
        try await Task.sleep(for: .milliseconds(1500))

        let staff = admin.identity("wang")
        let member12 = admin.identity("m12")
        let member20 = admin.identity("m20")
        let unit1 = admin.identity("u1")
        let unit2 = admin.identity("u2")

        // Without keys, or with a key nobody allowed: refused before any handler (exit 5).
        let noKeys = try await Gateway(registry: registry.rpcEndpoint).run(["term", "list"])
        #expect(noKeys.status == 5 && noKeys.stderr.contains("not authenticated"), "\(noKeys.stderr)")
        let stranger = try await admin.identity("stranger").run(["term", "list"])
        #expect(stranger.status == 5 && stranger.stderr.contains("refused this client's key"), "\(stranger.stderr)")

        for arguments in [
            ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
            ["member", "import", demoMembersCSV],
            ["unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门"],
            ["unit", "add", "--name", "市教育局", "--kind", "政府部门"],
            ["station", "add", "--name", "雄关街道委员工作站"],
            ["room", "add", "--name", "第一议事室", "--station", "1", "--capacity", "40"],
        ] {
            let result = try await staff.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        // The registry's audit trail names the authenticated principal.
        let history = try await staff.run(["member", "history", "12", "--json"])
        #expect(history.stdout.contains("staff:wang"), "\(history.stdout)")

        // Meetings: staff schedule (the scheduler asks the registry with its service key) and
        // publish; to a member the office's draft does not exist, and a published meeting
        // that is not their room's activity is not theirs to run.
        let scheduled = try await staff.json(["meeting", "schedule", "--title", "委员视察", "--kind", "调研",
                                              "--start", "2026-12-08 09:00", "--minutes", "120", "--venue", "市政协"])
        let meeting = (scheduled["id"] as? NSNumber)?.intValue ?? 0
        #expect(try await member12.run(["meeting", "invite", "\(meeting)", "--member", "12"]).status == 3)
        let invited = try await staff.run(["meeting", "invite", "\(meeting)", "--member", "12"])
        #expect(invited.status == 0, "\(invited.stderr)")
        let memberPublishes = try await member12.run(["meeting", "publish", "\(meeting)"])
        #expect(memberPublishes.status == 3 && !memberPublishes.stderr.contains("draft"), "\(memberPublishes.stderr)")
        #expect(try await staff.run(["meeting", "publish", "\(meeting)"]).status == 0)
        #expect(try await member12.run(["meeting", "show", "\(meeting)"]).status == 0)
        let memberCloses = try await member12.run(["meeting", "close", "\(meeting)"])
        #expect(memberCloses.status == 5 && memberCloses.stderr.contains("permission denied"), "\(memberCloses.stderr)")

        // Proposals: a member submits as themselves only.
        let asOther = try await member12.run(["proposal", "create", "--member", "20", "--title", "代别人提交", "--body", "正文"])
        #expect(asOther.status == 5, "\(asOther.stderr)")
        let created = try await member12.json(["proposal", "create", "--member", "12", "--title", "关于加装电梯的建议", "--body", "正文"])
        let proposal = (created["id"] as? NSNumber)?.intValue ?? 0
        let claimsStaff = try await member12.run(["proposal", "act", "\(proposal)", "submit", "--as", "staff"])
        #expect(claimsStaff.status == 5, "a member's key cannot claim to be staff: \(claimsStaff.stderr)")
        // What the page may offer: to the proposer, the proposer's steps; to staff, the state's.
        func allowed(_ gateway: Gateway) async throws -> Set<String> {
            Set((try await gateway.json(["proposal", "show", "\(proposal)"]))["allowed"] as? [String] ?? [])
        }
        let offered = try await allowed(member12)
        #expect(offered.contains("ACTION_SUBMIT") && offered.contains("ACTION_INVITE_COSIGNERS") && !offered.contains("ACTION_FILE"), "\(offered)")
        let toStaff = try await allowed(staff)
        #expect(!toStaff.contains("ACTION_FILE"), "a draft is not filed: \(toStaff)")
        #expect(try await member12.run(["proposal", "act", "\(proposal)", "submit"]).status == 0)
        let waiting = try await allowed(member12)
        #expect(waiting == ["ACTION_WITHDRAW"], "while it waits to be filed the proposer may only withdraw it: \(waiting)")
        #expect(try await allowed(staff).contains("ACTION_FILE"))
        #expect(try await member12.run(["proposal", "act", "\(proposal)", "file"]).status == 5)
        #expect(try await staff.run(["proposal", "act", "\(proposal)", "file"]).status == 0)
        #expect(try await staff.run(["proposal", "act", "\(proposal)", "assign", "--lead-unit", "1"]).status == 0)

        // A unit replies only to the proposals assigned to it, whatever it claims.
        #expect(try await unit2.run(["proposal", "act", "\(proposal)", "sign-for"]).status == 5)
        #expect(try await unit2.run(["proposal", "act", "\(proposal)", "sign-for", "--as", "unit:1"]).status == 5)
        #expect(try await allowed(unit1).contains("ACTION_SIGN_FOR"))
        #expect(try await unit1.run(["proposal", "act", "\(proposal)", "sign-for"]).status == 0)
        let toUnit = try await allowed(unit1)
        #expect(toUnit.contains("ACTION_REPLY") && !toUnit.contains("ACTION_SIGN_FOR") && !toUnit.contains("ACTION_FEEDBACK"), "\(toUnit)")
        let foreignReply = try await unit2.run(["proposal", "act", "\(proposal)", "reply", "--class", "A", "--contact", "面谈", "--text", "x"])
        #expect(foreignReply.status == 5, "\(foreignReply.stderr)")
        #expect(try await unit1.run(["proposal", "act", "\(proposal)", "reply", "--class", "A", "--contact", "面谈", "--text", "已列入计划"]).status == 0)
        let trail = try await staff.run(["proposal", "history", "\(proposal)", "--json"])
        #expect(trail.stdout.contains("unit:1") && trail.stdout.contains("member:12") && trail.stdout.contains("staff:wang"), "\(trail.stdout)")

        // Inboxes: the notifier subscribed with its service key, so the events arrived; a
        // member reads their own inbox and not another's.
        var titles: [String] = []
        for _ in 0..<100 {
            let inbox = try await member12.run(["inbox", "--member", "12", "--json"])
            if inbox.status == 0, let object = try? inbox.json() as? [String: Any] {
                titles = (object["notifications"] as? [[String: Any]])?.compactMap { $0["title"] as? String } ?? []
                if titles.contains(where: { $0.hasPrefix("提案答复") }) { break }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(titles.contains { $0.hasPrefix("会议通知") }, "\(titles)")
        #expect(titles.contains { $0.hasPrefix("提案答复") }, "\(titles)")
        let othersInbox = try await member12.run(["inbox", "--member", "20", "--json"])
        #expect(othersInbox.status == 5, "\(othersInbox.stderr)")
        #expect(try await member20.run(["inbox", "--member", "20"]).status == 0)
        #expect(try await unit2.run(["inbox", "--unit", "1"]).status == 5)

        // The tracker's events (non-public proposals among them) are for the notifier, not
        // for every service key: the scheduler's key is refused, the notifier's is not.
        func events(as service: String) async throws -> StatusCode {
            var configuration = RPCClientConfiguration(endpoints: [tracker.rpcEndpoint], caller: "secure-test")
            configuration.security = try KeyFolder(keys).clientSecurity(as: service, calling: "proposal-tracker")
            configuration.retry.maxAttempts = 1
            let client = try RPCClient(configuration: configuration, context: testContext, logger: quietLogger())
            defer { Task { await client.close() } }
            do throws(RPCError) {
                _ = try await client.call(EventV1.Events.since, EventV1.SinceRequest(), options: CallOptions(timeout: .seconds(10)))
                return .ok
            } catch {
                return error.code
            }
        }
        #expect(try await events(as: "meeting-scheduler") == .permissionDenied)
        #expect(try await events(as: "notifier") == .ok)

        // Revoked: member 20's key stops working.
        #expect(try await admin.run(["keys", "revoke", "m20", "--dir", keys]).status == 0)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await member20.run(["inbox", "--member", "20"]).status == 5)

        await notifier.stop()
        await tracker.stop()
        await scheduler.stop()
        await registry.stop()
    }

    @Test("a service without its key, without an allow-list, or with neither --keys nor --insecure refuses to start")
    func startupRefusals() async throws {
        let directory = try temporaryDirectory("secure-start")
        let registry = builtExecutable("member-registry")
        let neither = try await runCommand(registry, ["--data-dir", directory + "/a", "--rpc-endpoint", "tcp://127.0.0.1:*", "--event-endpoint", "tcp://127.0.0.1:*"])
        #expect(neither.status != 0 && neither.stderr.contains("needs CURVE keys"), "\(neither.stderr)")
        let empty = directory + "/empty-keys"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let noKey = try await runCommand(registry, ["--keys", empty, "--data-dir", directory + "/b", "--rpc-endpoint", "tcp://127.0.0.1:*", "--event-endpoint", "tcp://127.0.0.1:*"])
        #expect(noKey.status != 0 && noKey.stderr.contains("member-registry.key"), "\(noKey.stderr)")
        #expect(try await runCommand(builtExecutable("gateway"), ["keys", "generate", "member-registry", "--dir", empty]).status == 0)
        let noAllowList = try await runCommand(registry, ["--keys", empty, "--data-dir", directory + "/c", "--rpc-endpoint", "tcp://127.0.0.1:*", "--event-endpoint", "tcp://127.0.0.1:*"])
        #expect(noAllowList.status != 0 && noAllowList.stderr.contains("no allow-list"), "\(noAllowList.stderr)")
    }

    @Test("SIGHUP reloads the allow-list at once, even an edit the file watch cannot see")
    func hangupReloads() async throws {
        let directory = try temporaryDirectory("secure-hangup")
        let keys = directory + "/keys"
        #expect(try await runCommand(builtExecutable("gateway"), ["keys", "setup", "--dir", keys]).status == 0)
        #expect(try await runCommand(builtExecutable("gateway"), ["keys", "generate", "deputy", "--dir", keys]).status == 0)
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry", keys: keys)
        let admin = Gateway(registry: registry.rpcEndpoint, keys: keys, identity: "admin")
        let deputy = admin.identity("deputy")
        #expect(try await admin.run(["term", "list"]).status == 0)
        #expect(try await deputy.run(["term", "list"]).status == 5, "not on the list yet")

        // The admin line now carries the deputy's key: written in place, same length, same
        // inode, and the old modification time put back, so the once-a-second watch of
        // the file's time, size and inode sees no change.
        let allow = keys + "/member-registry.allow"
        func publicKey(_ name: String) throws -> String {
            // The line `public-key = "<40 characters of Z85>"`.
            let text = try String(contentsOfFile: keys + "/\(name).pub", encoding: .utf8)
            let line = text.split(separator: "\n").first { $0.hasPrefix("public-key") } ?? ""
            return line.split(separator: "\"").dropFirst().first.map(String.init) ?? ""
        }
        let adminKey = try publicKey("admin")
        let deputyKey = try publicKey("deputy")
        #expect(adminKey.count == 40 && deputyKey.count == 40)
        var before = stat()
        #expect(stat(allow, &before) == 0)
        let text = try String(contentsOfFile: allow, encoding: .utf8)
        #expect(text.contains(adminKey))
        let handle = try #require(FileHandle(forWritingAtPath: allow))
        try handle.write(contentsOf: Data(text.replacingOccurrences(of: adminKey, with: deputyKey).utf8))
        try handle.close()
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, allow, &times, 0) == 0)
        var after = stat()
        #expect(stat(allow, &after) == 0)
        #expect(after.st_ino == before.st_ino && after.st_size == before.st_size
                && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        try await Task.sleep(for: .milliseconds(2500))
        #expect(try await admin.run(["term", "list"]).status == 0, "the watch did not reload it")

        let pid = try #require(registry.pid)
        kill(pid, SIGHUP)
        var refused = false
        for _ in 0..<50 where !refused {
            refused = try await admin.run(["term", "list"]).status == 5
            if !refused { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(refused, "after SIGHUP the admin key is no longer allowed")
        #expect(try await deputy.run(["term", "list"]).status == 0, "and the deputy's is, as admin")
        #expect(await registry.stop() == 0, "SIGHUP did not end it")
    }
}
