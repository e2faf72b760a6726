import Foundation
import Testing
import XieshangTestSupport

/// `--log-format json`, as a log collector reads it.
@Suite("logs as JSON lines, as processes")
struct LogFormatTests {
    static func lines(_ log: String) throws -> [[String: Any]] {
        try log.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ProcessFailure(description: "not a JSON object: \(line)")
            }
            return object
        }
    }

    @Test("every line is one JSON object with the service, level, message and time; a call's trace id is in every service it crossed")
    func jsonLines() async throws {
        let directory = try temporaryDirectory("log-json")
        let json = ["--log-format", "json", "--log-level", "debug"]
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry", arguments: json)
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler",
                                                 arguments: ["--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint,
                                                             // Its copy of the registry not used: every call asks the registry, and crosses.
                                                             "--registry-staleness-seconds", "0"] + json)
        let gateway = Gateway(registry: registry.rpcEndpoint, scheduler: scheduler.rpcEndpoint)
        #expect(try await gateway.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]).status == 0)
        #expect(try await gateway.run(["member", "add", "--number", "9001", "--name", "委员一", "--sector", "经济界"]).status == 0)
        let scheduled = try await gateway.json(["meeting", "schedule", "--title", "专题协商", "--kind", "专委会会议",
                                                "--start", "2026-12-03 09:00", "--minutes", "90", "--venue", "市政协三楼"])
        let meeting = (scheduled["id"] as? NSNumber)?.stringValue ?? "?"
        // Inviting a member makes the scheduler ask the registry about them.
        #expect(try await gateway.run(["meeting", "invite", meeting, "--member", "1"]).status == 0)
        await scheduler.stop()
        await registry.stop()

        let schedulerLines = try Self.lines(scheduler.standardError)
        let registryLines = try Self.lines(registry.standardError)
        for (service, lines) in [("meeting-scheduler", schedulerLines), ("member-registry", registryLines)] {
            #expect(lines.count > 3)
            for line in lines {
                #expect(line["service"] as? String == service && line["message"] is String && line["level"] is String
                        && (line["time"] as? String)?.hasSuffix("Z") == true, "\(line)")
            }
        }
        let invite = schedulerLines.first { $0["method"] as? String == "meeting.v1.Meetings/Invite" && $0["message"] as? String == "served" }
        let trace = invite?["trace_id"] as? String ?? ""
        #expect(!trace.isEmpty, "the scheduler logged the invitation with its trace id: \(invite ?? [:])")
        #expect(invite?["principal"] as? String != nil)
        let crossed = registryLines.filter { $0["trace_id"] as? String == trace }
        #expect(!crossed.isEmpty, "the registry logged the scheduler's call for trace \(trace)")
        #expect(crossed.allSatisfy { ($0["method"] as? String)?.hasPrefix("member.v1.") == true }, "\(crossed)")

        // A format that does not exist is refused at start.
        let refused = try await runCommand(builtExecutable("member-registry"), ["--insecure", "--data-dir", directory + "/other", "--log-format", "xml"])
        #expect(refused.status != 0 && refused.stderr.contains("not text or json"), "\(refused.stderr)")
    }
}
