import Foundation
import XieshangService
import Testing
import XieshangTestSupport

/// Storage that runs out or refuses writes: a real full disk (a small tmpfs), the
/// database's size cap (`--max-database-mb`), a read-only data directory (a read-only bind
/// mount, an immutable database file), and files that stop taking writes under a running
/// service. The mounts and `chattr` need root, as the tests run here and in CI.
@Suite("storage faults, as processes", .serialized)
struct StorageFaultTests {
    @Test("a full database refuses an import with RESOURCE_EXHAUSTED, writes none of it, keeps serving reads, and stays intact")
    func fullDatabase() async throws {
        let directory = try temporaryDirectory("storage-full")
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry", arguments: ["--max-database-mb", "1"])
        let gateway = Gateway(registry: registry.rpcEndpoint)
        let csv = try await refusedImport(gateway, in: directory)
        // Nothing of the import was written; the service still answers and reports healthy.
        let listed = try await gateway.json(["member", "list", "--page-size", "1"])
        #expect((listed["total"] as? NSNumber)?.intValue == 0)
        let health = try await gateway.run(["health", "--service", "member-registry"])
        #expect(health.status == 0 && health.stdout.contains("serving"), "\(health.stdout)")
        // A small change still fits.
        #expect(try await gateway.run(["station", "add", "--name", "雄关街道委员工作站"]).status == 0)
        await registry.stop()
        #expect(try await integrityCheck(directory + "/registry/member-registry.sqlite") == "ok")

        // With room to grow, on the same data, the same import goes through whole.
        let roomy = try await ServiceProcess("member-registry", dataDir: directory + "/registry", arguments: ["--max-database-mb", "64"])
        let again = Gateway(registry: roomy.rpcEndpoint)
        #expect(try await again.run(["member", "import", csv], timeout: Gateway.bulkTimeout).status == 0)
        #expect(((try await again.json(["member", "list", "--page-size", "1"]))["total"] as? NSNumber)?.intValue == 3_000)
        #expect(try await again.run(["station", "list"]).stdout.contains("雄关街道委员工作站"), "the small change made while full survived")
        await roomy.stop()
    }

    @Test("a full disk refuses an import with RESOURCE_EXHAUSTED, says so in health, and takes the same import once there is room, without a restart")
    func fullDisk() async throws {
        let directory = try temporaryDirectory("disk-full")
        let data = directory + "/registry"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        // 1.5 MiB: room for the empty database, not for a 3,000-row import's transaction.
        try privileged("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1536k", "tmpfs", data])
        defer { quietly("/usr/bin/umount", ["--lazy", data]) }
        let registry = try await ServiceProcess("member-registry", dataDir: data, logDir: directory + "/logs")
        let gateway = Gateway(registry: registry.rpcEndpoint)
        let csv = try await refusedImport(gateway, in: directory)
        #expect(((try await gateway.json(["member", "list", "--page-size", "1"]))["total"] as? NSNumber)?.intValue == 0)
        let full = try await gateway.run(["health", "--service", "member-registry"])
        #expect(full.status != 0 && full.stdout.contains("the disk is full"), "health must report it: \(full.stdout)")
        #expect(registry.standardError.contains("call refused") && registry.standardError.contains("storage is full"),
                "the operator's log says so too: \(registry.standardError)")
        // The rolled-back import's space is reused: a small change still fits.
        #expect(try await gateway.run(["station", "add", "--name", "雄关街道委员工作站"]).status == 0)

        // The operator makes room; the running service takes the same import whole.
        try privileged("/usr/bin/mount", ["-o", "remount,size=64m", data])
        let roomy = try await gateway.run(["health", "--service", "member-registry"])
        #expect(roomy.status == 0 && roomy.stdout.contains("ok: sqlite"), "\(roomy.stdout)")
        let imported = try await gateway.run(["member", "import", csv], timeout: Gateway.bulkTimeout)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(((try await gateway.json(["member", "list", "--page-size", "1"]))["total"] as? NSNumber)?.intValue == 3_000)
        #expect(try await gateway.run(["station", "list"]).stdout.contains("雄关街道委员工作站"))
        #expect(await registry.stop() == 0)
        #expect(try await integrityCheck(data + "/member-registry.sqlite") == "ok")
    }

    @Test("a read-only data directory or database file stops the service at start with the reason, and changes nothing")
    func readOnlyDataDirectory() async throws {
        let directory = try temporaryDirectory("storage-readonly")
        let data = directory + "/registry"
        let registry = try await ServiceProcess("member-registry", dataDir: data, logDir: directory + "/logs")
        let gateway = Gateway(registry: registry.rpcEndpoint)
        #expect(try await gateway.run(["station", "add", "--name", "雄关街道委员工作站"]).status == 0)
        #expect(await registry.stop() == 0)
        let database = data + "/member-registry.sqlite"
        let before = try snapshot(data)

        // The operator mounted the volume read-only: an existing database, and a new one.
        let readOnly = directory + "/read-only"
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: true)
        try privileged("/usr/bin/mount", ["--bind", data, readOnly])
        defer { quietly("/usr/bin/umount", ["--lazy", readOnly]) }
        try privileged("/usr/bin/mount", ["-o", "remount,bind,ro", readOnly])
        let existing = try await startRegistry(dataDir: readOnly)
        #expect(existing.status != 0)
        #expect(existing.stderr.contains("\(readOnly): the data directory is not writable: Read-only file system"), "\(existing.stderr)")
        let fresh = try await startRegistry(dataDir: readOnly + "/new")
        #expect(fresh.status != 0)
        #expect(fresh.stderr.contains("\(readOnly)/new: cannot create the data directory") && fresh.stderr.lowercased().contains("read only"), "\(fresh.stderr)")
        try privileged("/usr/bin/umount", [readOnly])

        // A database file that cannot be written, in a folder that can: SQLite would open it
        // for reading; the start-up write finds it out.
        try privileged("/usr/bin/chattr", ["+i", database])
        let immutable = try await startRegistry(dataDir: data)
        quietly("/usr/bin/chattr", ["-i", database])
        #expect(immutable.status != 0)
        #expect(immutable.stderr.contains("\(database): attempt to write a readonly database"), "\(immutable.stderr)")

        #expect(try snapshot(data)[database] == before[database], "refused starts leave the database as it was")
        #expect(try await integrityCheck(database) == "ok")
        // Writable again: it starts on the same data.
        try await registry.start()
        #expect(try await gateway.run(["station", "list"]).stdout.contains("雄关街道委员工作站"))
        #expect(await registry.stop() == 0)
    }

    @Test("storage that stops taking writes under a running service: writes get UNAVAILABLE, reads go on, health fails, and it recovers")
    func writesRefusedWhileRunning() async throws {
        let directory = try temporaryDirectory("storage-refusing")
        let data = directory + "/registry"
        let registry = try await ServiceProcess("member-registry", dataDir: data, logDir: directory + "/logs")
        let gateway = Gateway(registry: registry.rpcEndpoint)
        #expect(try await gateway.run(["station", "add", "--name", "雄关街道委员工作站"]).status == 0)
        // The database and its WAL refuse writes (EPERM, as an I/O error would). Not the
        // -shm file: SQLite maps it into memory, and a refused write there is a SIGBUS (see
        // the README's Reliability section).
        let files = [data + "/member-registry.sqlite", data + "/member-registry.sqlite-wal"]
        try privileged("/usr/bin/chattr", ["+i"] + files)
        defer { quietly("/usr/bin/chattr", ["-i"] + files) }

        let health = try await gateway.run(["health", "--service", "member-registry"])
        #expect(health.status != 0 && health.stdout.contains("cannot be written"), "\(health.stdout)")
        let refused = try await gateway.run(["station", "add", "--name", "宝山街道委员工作站", "--timeout", "5"])
        #expect(refused.status == 4, "\(refused.stderr)")
        #expect(refused.stderr.contains("cannot write its storage") && refused.stderr.contains("nothing was written"), "\(refused.stderr)")
        let listed = try await gateway.run(["station", "list"])
        #expect(listed.status == 0 && listed.stdout.contains("雄关街道委员工作站") && !listed.stdout.contains("宝山街道委员工作站"), "\(listed.stdout)")
        #expect(registry.standardError.contains("cannot write its storage"), "the operator's log says so: \(registry.standardError)")

        try privileged("/usr/bin/chattr", ["-i"] + files)
        #expect(try await gateway.run(["health", "--service", "member-registry"]).status == 0)
        #expect(try await gateway.run(["station", "add", "--name", "宝山街道委员工作站"]).status == 0)
        #expect(try await gateway.run(["station", "list"]).stdout.contains("宝山街道委员工作站"))
        #expect(await registry.stop() == 0)
        #expect(try await integrityCheck(data + "/member-registry.sqlite") == "ok")
    }

    @Test("the notifier's storage refuses writes during a burst: health shows it failing and behind, nothing is lost, it catches up once writable")
    func notifierFallsBehindAndCatchesUp() async throws {
        let directory = try temporaryDirectory("storage-notifier")
        let suite = try await SuiteProcesses.start(in: directory)
        let gateway = suite.gateway()
        for arguments in [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd], ["member", "import", demoMembersCSV]] {
            #expect(try await gateway.run(arguments).status == 0)
        }
        func publishForMember30(_ day: Int) async throws {
            let scheduled = try await gateway.json(["meeting", "schedule", "--title", "调研座谈 \(day)", "--kind", "research",
                                                    "--start", "2028-04-\(String(format: "%02d", day)) 14:30", "--minutes", "60", "--venue", "市政协"])
            let id = (scheduled["id"] as? NSNumber)?.intValue ?? 0
            #expect(try await gateway.run(["meeting", "invite", "\(id)", "--member", "30"]).status == 0)
            #expect(try await gateway.run(["meeting", "publish", "\(id)"]).status == 0)
        }
        func notices() async throws -> Int {
            let inbox = try await gateway.run(["inbox", "--member", "30", "--json"])
            return inbox.stdout.components(separatedBy: "会议通知").count - 1
        }
        func waitForNotices(_ expected: Int) async throws -> Int {
            var count = 0
            for _ in 0..<100 {
                count = try await notices()
                if count >= expected { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            return count
        }
        try await publishForMember30(1)
        #expect(try await waitForNotices(1) == 1)
        let caughtUp = try await gateway.run(["health", "--service", "notifier"])
        #expect(caughtUp.status == 0 && caughtUp.stdout.contains("events: member-registry") && !caughtUp.stdout.contains("behind"), "\(caughtUp.stdout)")

        let data = suite.notifier.dataDir
        let files = [data + "/notifier.sqlite", data + "/notifier.sqlite-wal"]
        try privileged("/usr/bin/chattr", ["+i"] + files)
        defer { quietly("/usr/bin/chattr", ["-i"] + files) }
        for day in 2...6 { try await publishForMember30(day) }
        var behind = try await gateway.run(["health", "--service", "notifier"])
        for _ in 0..<50 where !behind.stdout.contains("behind") {
            try await Task.sleep(for: .milliseconds(200))
            behind = try await gateway.run(["health", "--service", "notifier"])
        }
        #expect(behind.status == 4 && behind.stdout.contains("cannot be written") && behind.stdout.contains("behind"),
                "health says the notifier cannot write and is behind: \(behind.stdout)")
        #expect(try await notices() == 1, "reads go on meanwhile")

        try privileged("/usr/bin/chattr", ["-i"] + files)
        #expect(try await waitForNotices(6) == 6)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await notices() == 6, "each once")
        let after = try await gateway.run(["health", "--service", "notifier"])
        #expect(after.status == 0 && !after.stdout.contains("behind"), "\(after.stdout)")
        for (name, status) in await suite.stop() { #expect(status == 0, "\(name) exits cleanly") }
        #expect(try await integrityCheck(data + "/notifier.sqlite") == "ok")
    }

    // MARK: - Helpers

    /// Adds a term, then a 3,000-row import that does not fit: refused with
    /// RESOURCE_EXHAUSTED (exit 6, a limit: not an outage's 4) saying the storage is full.
    /// Returns the CSV's path.
    private func refusedImport(_ gateway: Gateway, in directory: String) async throws -> String {
        #expect(try await gateway.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]).status == 0)
        let csv = try CrashTests.membersCSV(count: 3_000, in: directory)
        let refused = try await gateway.run(["member", "import", csv], timeout: Gateway.bulkTimeout)
        #expect(refused.status == 6, "RESOURCE_EXHAUSTED is exit code 6: \(refused.stderr)")
        #expect(refused.stderr.contains("storage is full"), "\(refused.stderr)")
        return csv
    }

    private func startRegistry(dataDir: String) async throws -> CommandResult {
        try await runCommand(builtExecutable("member-registry"), [
            "--insecure", "--data-dir", dataDir,
            "--rpc-endpoint", "tcp://127.0.0.1:*", "--event-endpoint", "tcp://127.0.0.1:*", "--metrics-address", "127.0.0.1:0",
        ], timeout: .seconds(30))
    }

    private func integrityCheck(_ database: String) async throws -> String {
        let check = try await runCommand("/usr/bin/sqlite3", [database, "PRAGMA integrity_check"])
        return check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + check.stderr
    }

    /// The bytes of every file in `folder`, by path.
    private func snapshot(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            files[folder + "/" + name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return files
    }

    /// Runs a system tool that needs root (mount, chattr); fails the test with its output.
    private func privileged(_ tool: String, _ arguments: [String]) throws {
        let (status, output) = run(tool, arguments)
        guard status == 0 else {
            throw ProcessFailure(description: "\(tool) \(arguments.joined(separator: " ")) failed (\(status)): \(output) — these tests need root, as in CI")
        }
    }

    /// Cleans up after a test, whatever happened in it.
    private func quietly(_ tool: String, _ arguments: [String]) {
        _ = run(tool, arguments)
    }

    private func run(_ tool: String, _ arguments: [String]) -> (Int32, String) {
        // Output to a file, not a pipe: a child spawned at the same moment by a test running
        // in parallel could inherit a pipe's write end and keep a read open.
        let output = NSTemporaryDirectory() + "xieshang-tool-\(UUID().uuidString.prefix(8)).txt"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process: ChildProcess
        do {
            process = try ChildProcess(tool, arguments, environment: ProcessInfo.processInfo.environment, stdout: output, stderr: output, appendStderr: true)
        } catch {
            return (-1, "\(error)")
        }
        // A short system tool: wait for it here (waitpid, see reapIfEnded) rather than with
        // Foundation's waitUntilExit, which such a leaked descriptor can hold up too.
        while true {
            if let status = process.reapIfEnded() {
                return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
            }
            usleep(2_000)
        }
    }
}
