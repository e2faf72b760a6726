import Foundation
import Testing
import XieshangTestSupport

/// A short run of the load-test tool against the real services: the tool works end to end
/// and the services answer every request (a smoke check of the tool, not of speed).
@Suite("loadtest smoke check", .serialized)
struct LoadTestSmokeTests {
    @Test("a short closed-loop and open-loop run complete with zero errors")
    func shortRuns() async throws {
        let directory = try temporaryDirectory("loadtest")
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler",
                                                 arguments: ["--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint])
        let common = ["--scheduler", scheduler.rpcEndpoint, "--registry", registry.rpcEndpoint, "--duration", "2", "--warmup", "0.5",
                      "--quiet", "--json", "--max-error-rate", "0"]
        let closed = try await runCommand(builtExecutable("loadtest"), ["run", "--concurrency", "4", "--rooms", "5", "--members", "20"] + common)
        #expect(closed.status == 0, "\(closed.stderr)")
        let closedReport = try closed.json() as? [String: Any]
        let operations = (closedReport?["operations"] as? [[String: Any]])?.compactMap { $0["operation"] as? String } ?? []
        #expect(Set(operations) == ["schedule", "query-room", "query-member", "find-slot"])
        #expect((closedReport?["errorRate"] as? NSNumber)?.doubleValue == 0)

        let open = try await runCommand(builtExecutable("loadtest"), ["run", "--rate", "50", "--use-existing"] + common)
        #expect(open.status == 0, "\(open.stderr)")
        let openReport = try open.json() as? [String: Any]
        let done = (openReport?["operations"] as? [[String: Any]])?.reduce(0) { $0 + (($1["completed"] as? NSNumber)?.intValue ?? 0) } ?? 0
        #expect(done > 50)

        // A gate that cannot be met makes the tool exit 3.
        let gated = try await runCommand(builtExecutable("loadtest"), ["run", "--concurrency", "2", "--use-existing", "--min-throughput", "1000000000"] + common)
        #expect(gated.status == 3)
        #expect(gated.stderr.contains("SLO violated"))
        await scheduler.stop()
        await registry.stop()
    }
}
