import Foundation
import Testing
import XieshangTestSupport

/// Storage that runs out: the database's size cap (`--max-database-mb`, SQLite's
/// max_page_count) fails a write exactly as a full disk does.
@Suite("storage faults, as processes", .serialized)
struct StorageFaultTests {
    @Test("a full database refuses an import with RESOURCE_EXHAUSTED, writes none of it, keeps serving reads, and stays intact")
    func fullDatabase() async throws {
        let directory = try temporaryDirectory("storage-full")
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry", arguments: ["--max-database-mb", "1"])
        let gateway = Gateway(registry: registry.rpcEndpoint)
        #expect(try await gateway.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", "2027-01-14"]).status == 0)
        let csv = try CrashTests.membersCSV(count: 3_000, in: directory)

        let refused = try await gateway.run(["member", "import", csv])
        #expect(refused.status == 4, "RESOURCE_EXHAUSTED is exit code 4: \(refused.stderr)")
        #expect(refused.stderr.contains("storage is full"), "\(refused.stderr)")
        // Nothing of the import was written; the service still answers and reports healthy.
        let listed = try await gateway.json(["member", "list", "--page-size", "1"])
        #expect((listed["total"] as? NSNumber)?.intValue == 0)
        let health = try await gateway.run(["health", "--service", "member-registry"])
        #expect(health.status == 0 && health.stdout.contains("serving"), "\(health.stdout)")
        // A small change still fits.
        #expect(try await gateway.run(["station", "add", "--name", "雄关街道委员工作站"]).status == 0)
        await registry.stop()
        let check = try await runCommand("/usr/bin/sqlite3", [directory + "/registry/member-registry.sqlite", "PRAGMA integrity_check"])
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(check.stdout) \(check.stderr)")

        // With room to grow, on the same data, the same import goes through whole.
        let roomy = try await ServiceProcess("member-registry", dataDir: directory + "/registry", arguments: ["--max-database-mb", "64"])
        let again = Gateway(registry: roomy.rpcEndpoint)
        #expect(try await again.run(["member", "import", csv]).status == 0)
        #expect(((try await again.json(["member", "list", "--page-size", "1"]))["total"] as? NSNumber)?.intValue == 3_000)
        #expect(try await again.run(["station", "list"]).stdout.contains("雄关街道委员工作站"), "the small change made while full survived")
        await roomy.stop()
    }
}
