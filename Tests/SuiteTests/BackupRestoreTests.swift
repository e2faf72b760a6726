import Foundation
import Testing
import XieshangTestSupport

/// Online backups and restores, as an operator runs them: `gateway backup` against running
/// services, `gateway restore` into a data folder, the services started on what was restored.
@Suite("backup and restore, as processes", .serialized)
struct BackupRestoreTests {
    static func meetingIDs(_ gateway: Gateway) async throws -> Set<Int64> {
        let listed = try await gateway.run(["meeting", "list", "--all", "--json"], timeout: .seconds(120))
        guard listed.status == 0, let meetings = try listed.json() as? [[String: Any]] else {
            throw ProcessFailure(description: "meeting list exited \(listed.status): \(listed.stderr)")
        }
        return Set(meetings.compactMap { ($0["id"] as? NSNumber)?.int64Value })
    }

    @Test("a backup taken under loadtest holds every meeting acknowledged before it; restored into a new folder, the scheduler serves it")
    func backupUnderLoad() async throws {
        let d = try await Deployment.start("backup-load", .scheduling)
        let loadtest = builtExecutable("loadtest")
        let common = ["--scheduler", d.scheduler.rpcEndpoint, "--registry", d.registry.rpcEndpoint, "--quiet", "--json", "--max-error-rate", "0"]
        let load = Task {
            try await runCommand(loadtest, ["run", "--rate", "40", "--rooms", "5", "--members", "20", "--duration", "20", "--warmup", "0.5"] + common,
                                 timeout: .seconds(120))
        }
        // Once meetings are flowing, note what was acknowledged, then back up while the load goes on.
        var before: Set<Int64> = []
        for _ in 0..<100 where before.count < 50 {
            try await Task.sleep(for: .milliseconds(100))
            before = try await Self.meetingIDs(d.gatewayCLI())
        }
        #expect(before.count >= 50, "loadtest scheduled meetings before the backup")
        let file = d.directory + "/scheduler-backup.sqlite"
        let backup = try await d.gateway(["backup", "--service", "meeting-scheduler", "--output", file, "--json"])
        #expect(backup.status == 0, "\(backup.stderr)")
        let info = (try backup.json() as? [[String: Any]])?.first ?? [:]
        #expect(info["service"] as? String == "meeting-scheduler")
        #expect((info["schemaVersion"] as? String)?.hasPrefix("scheduler-") == true, "\(info)")
        #expect(((info["outboxSequence"] as? NSNumber)?.intValue ?? 0) >= before.count, "the outbox position is recorded: \(info)")
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        #expect(size == (info["sizeBytes"] as? NSNumber)?.intValue)
        // The load goes on after the backup (it runs 20 s), and ran through it without an error.
        var after = try await Self.meetingIDs(d.gatewayCLI())
        for _ in 0..<100 where after.count <= before.count {
            try await Task.sleep(for: .milliseconds(100))
            after = try await Self.meetingIDs(d.gatewayCLI())
        }
        #expect(after.count > before.count, "meetings were scheduled after the backup too")
        let ran = try await load.value
        #expect(ran.status == 0, "\(ran.stderr.suffix(600))")
        let total = try await Self.meetingIDs(d.gatewayCLI())

        // Restored into a new folder: a scheduler started there has every meeting acknowledged
        // before the backup (and none invented), and serves.
        let restoredDir = d.directory + "/scheduler-restored"
        let restore = try await d.gateway(["restore", "--service", "meeting-scheduler", "--input", file, "--data-dir", restoredDir])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(restore.stdout.contains("new identity"), "\(restore.stdout)")
        let restored = try await ServiceProcess("meeting-scheduler", dataDir: restoredDir, arguments: ["--registry", d.registry.rpcEndpoint, "--registry-events", d.registry.eventEndpoint])
        let there = try await Self.meetingIDs(Gateway(registry: d.registry.rpcEndpoint, scheduler: restored.rpcEndpoint))
        #expect(before.isSubset(of: there), "missing after restore: \(before.subtracting(there).sorted().prefix(10))")
        #expect(there.isSubset(of: total))
        let again = try await runCommand(loadtest, ["run", "--concurrency", "2", "--duration", "1", "--warmup", "0", "--use-existing",
                                                   "--scheduler", restored.rpcEndpoint, "--registry", d.registry.rpcEndpoint, "--quiet", "--json",
                                                   "--max-error-rate", "0"], timeout: .seconds(60))
        #expect(again.status == 0, "the restored scheduler serves: \(again.stderr.suffix(600))")

        // The service removed its copy once it was read; restoring over a database is refused
        // without --replace, a backup of another service is refused, and so is a damaged file.
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: d.scheduler.dataDir + "/backups")) ?? []).isEmpty)
        #expect(await restored.stop() == 0)
        let over = try await d.gateway(["restore", "--service", "meeting-scheduler", "--input", file, "--data-dir", restoredDir])
        #expect(over.status == 2 && over.stderr.contains("--replace"), "\(over.stderr)")
        let other = try await d.gateway(["restore", "--service", "member-registry", "--input", file, "--data-dir", d.directory + "/other"])
        #expect(other.status == 2 && other.stderr.contains("not of member-registry"), "\(other.stderr)")
        let damaged = d.directory + "/damaged.sqlite"
        try Data(try Data(contentsOf: URL(fileURLWithPath: file)).prefix(20_000)).write(to: URL(fileURLWithPath: damaged))
        let refused = try await d.gateway(["restore", "--service", "meeting-scheduler", "--input", damaged, "--data-dir", d.directory + "/damaged"])
        #expect(refused.status == 2 && refused.stderr.contains("nothing was restored"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: d.directory + "/damaged/meeting-scheduler.sqlite"))
        // A running service's folder is refused.
        let live = try await d.gateway(["restore", "--service", "meeting-scheduler", "--input", file, "--data-dir", d.scheduler.dataDir, "--replace"])
        #expect(live.status == 2 && live.stderr.contains("is using"), "\(live.stderr)")
        await d.stop()
    }

    @Test("a registry restored behind the notifier: its next events are not taken for ones already applied; the notifier says so until told to accept it")
    func restoreBehindConsumer() async throws {
        let d = try await Deployment.start("backup-behind", .all, seed: [
            ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
            ["member", "add", "--number", "9001", "--name", "委员一", "--sector", "经济界"],
            ["member", "add", "--number", "9002", "--name", "委员二", "--sector", "经济界"],
        ])
        func notifierHealth(until done: (CommandResult) -> Bool) async throws -> CommandResult {
            var health = try await d.gateway("health", "--service", "notifier")
            for _ in 0..<150 where !done(health) {
                try await Task.sleep(for: .milliseconds(100))
                health = try await d.gateway("health", "--service", "notifier")
            }
            return health
        }
        let first = try await notifierHealth { $0.stdout.contains("member-registry 5/5") }
        #expect(first.stdout.contains("member-registry 5/5"), "\(first.stdout)")
        let file = d.directory + "/registry-backup.sqlite"
        #expect(try await d.gateway("backup", "--service", "member-registry", "--output", file).status == 0)
        // The notifier goes on past the backup.
        #expect(try await d.gateway("member", "add", "--number", "9003", "--name", "委员三", "--sector", "经济界").status == 0)
        #expect(try await d.gateway("member", "add", "--number", "9004", "--name", "委员四", "--sector", "经济界").status == 0)
        let past = try await notifierHealth { $0.stdout.contains("member-registry 7/7") }
        #expect(past.stdout.contains("member-registry 7/7"), "\(past.stdout)")

        // The registry's disk dies; it is restored from the backup and started again.
        #expect(await d.registry.stop() == 0)
        let restore = try await d.gateway(["restore", "--service", "member-registry", "--input", file, "--data-dir", d.registry.dataDir, "--replace"])
        #expect(restore.status == 0 && restore.stdout.contains("moved aside"), "\(restore.stdout) \(restore.stderr)")
        try await d.registry.start()
        let listed = try await d.gateway("member", "list", "--json")
        let numbers = ((try listed.json() as? [String: Any])?["members"] as? [[String: Any]] ?? []).compactMap { $0["memberNumber"] as? String }
        #expect(numbers.sorted() == ["9001", "9002"], "the registry is as it was at the backup: \(numbers)")
        // Its next event reuses sequence 6, which the notifier applied from the old history (the
        // registry's first three are its managed lists and the term).
        #expect(try await d.gateway("member", "add", "--number", "9005", "--name", "委员五", "--sector", "经济界").status == 0)
        let noticed = try await notifierHealth { $0.status != 0 }
        #expect(noticed.status != 0 && noticed.stdout.contains("restored from a backup"), "\(noticed.stdout)")
        #expect(noticed.stdout.contains("--accept-source member-registry"), "\(noticed.stdout)")

        // Told to accept the registry as it now is, it follows it again.
        #expect(await d.notifier!.stop() == 0)
        try await d.notifier!.start(extra: ["--accept-source", "member-registry"])
        #expect(try await d.gateway("member", "add", "--number", "9006", "--name", "委员六", "--sector", "经济界").status == 0)
        // It took the registry as it was when restarted (its newest event, 6) and applied 7.
        let following = try await notifierHealth { $0.status == 0 && $0.stdout.contains("member-registry 7/7") }
        #expect(following.status == 0 && following.stdout.contains("member-registry 7/7"), "\(following.stdout)")
        await d.stop()
    }

    @Test("only administrators take backups")
    func administratorsOnly() async throws {
        let c = try await HostileMemberTests.Committee.start("backup-roles")
        for (name, gateway) in [("m12", c.member(12)), ("wang", c.staff)] {
            let refused = try await gateway.run(["backup", "--service", "member-registry", "--output", c.directory + "/\(name).sqlite"])
            #expect(refused.status == 5 && refused.stderr.contains("permission denied"), "\(name): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: c.directory + "/\(name).sqlite"))
        }
        let taken = try await c.admin.run(["backup", "--all", "--output-dir", c.directory + "/all"])
        #expect(taken.status == 0, "\(taken.stderr)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: c.directory + "/all")) ?? []
        for service in ["member-registry-", "meeting-scheduler-", "proposal-tracker-", "notifier-"] {
            #expect(files.contains { $0.hasPrefix(service) && $0.hasSuffix(".sqlite") }, "\(service): \(files)")
        }
        #expect(!files.contains { $0.hasSuffix(".partial") })
        await c.suite.stop()
    }
}
