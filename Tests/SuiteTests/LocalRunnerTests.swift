import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import XieshangTestSupport
import XieshangZMQ

/// `compose/xieshang-local`, the runner `make demo` and `make up` use, as operators run it.
@Suite("the local runner", .serialized)
struct LocalRunnerTests {
    static let runner = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("compose/xieshang-local").path

    /// Loopback ports free right now, outside the ephemeral range (see `freeLoopbackPort`).
    static func freePorts(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        while ports.count < count {
            let port = try freeLoopbackPort()
            if !ports.contains(port) { ports.append(port) }
        }
        return ports
    }

    @Test("start makes keys and starts the five services and the portal, status shows them serving, stop ends them; --insecure runs without keys")
    func upStatusDown() async throws {
        let run = try temporaryDirectory("runner")
        let ports = try Self.freePorts(9)
        var environment = ["XIESHANG_BIN": URL(fileURLWithPath: builtExecutable("gateway")).deletingLastPathComponent().path,
                           "XIESHANG_KEYS_DIR": "", "XIESHANG_IDENTITY": ""]
        for (index, (service, kind)) in [("MEMBER_REGISTRY", "RPC"), ("MEMBER_REGISTRY", "EVENTS"), ("MEETING_SCHEDULER", "RPC"),
                                         ("MEETING_SCHEDULER", "EVENTS"), ("PROPOSAL_TRACKER", "RPC"), ("PROPOSAL_TRACKER", "EVENTS"),
                                         ("NOTIFIER", "RPC"), ("DUTY_RECORD", "RPC"), ("PORTAL", "RPC")].enumerated() {
            environment["XIESHANG_\(service)_\(kind)"] = "tcp://127.0.0.1:\(ports[index])"
        }
        for service in ["MEMBER_REGISTRY", "MEETING_SCHEDULER", "PROPOSAL_TRACKER", "NOTIFIER", "DUTY_RECORD", "PORTAL"] {
            environment["XIESHANG_\(service)_METRICS"] = "127.0.0.1:0"
        }
        environment["XIESHANG_PORTAL_HTTP"] = "127.0.0.1:0"
        func runner(_ arguments: String...) async throws -> CommandResult {
            try await runCommand(Self.runner, arguments + ["--run-dir", run], environment: environment, timeout: .seconds(120))
        }
        func pids() -> [Int32] {
            ((try? FileManager.default.contentsOfDirectory(atPath: run)) ?? []).filter { $0.hasSuffix(".pid") }.compactMap {
                Int32(((try? String(contentsOfFile: run + "/" + $0, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }

        let started = try await runner("start")
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stdout.split(separator: "\n").filter { $0.hasPrefix("started ") }.count == 6, "\(started.stdout)")
        // The portal's web server answers at the address the runner printed.
        let web = try #require(started.stdout.split(separator: "\n").first { $0.hasPrefix("portal: http://") })
        let url = try #require(URL(string: String(web.dropFirst("portal: ".count).split(separator: " ")[0]) + "/login"))
        let (page, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200 && String(decoding: page, as: UTF8.self).contains("登录"))
        #expect(FileManager.default.fileExists(atPath: run + "/keys/admin.key"))
        #expect(FileManager.default.fileExists(atPath: run + "/keys/member-registry.allow"))
        let running = pids()
        #expect(running.count == 6 && running.allSatisfy { kill($0, 0) == 0 })

        let status = try await runner("status")
        #expect(status.stdout.components(separatedBy: " running (pid").count - 1 == 6, "\(status.stdout)")
        #expect(status.stdout.components(separatedBy: "serving").count - 1 == 5, "\(status.stdout) \(status.stderr)")
        #expect(try await runner("start").stdout.components(separatedBy: "already running").count - 1 == 6)
        let logs = try await runner("logs", "--service", "member-registry")
        #expect(logs.status == 0 && logs.stdout.contains("member-registry ready") && !logs.stdout.contains("notifier ready"), "\(logs.stdout)")

        // The suite is secure: the gateway needs the run's keys.
        let gateway = Gateway(registry: "tcp://127.0.0.1:\(ports[0])")
        #expect(try await gateway.run(["term", "list"]).status == 5)
        let withKeys = Gateway(registry: "tcp://127.0.0.1:\(ports[0])", keys: run + "/keys", identity: "admin")
        #expect(try await withKeys.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]).status == 0)

        let stopped = try await runner("stop")
        #expect(stopped.status == 0)
        #expect(stopped.stdout.split(separator: "\n").filter { $0.hasPrefix("stopped ") }.count == 6, "\(stopped.stdout)")
        #expect(running.allSatisfy { kill($0, 0) != 0 }, "every service process has ended")
        #expect(try await runner("status").stdout.components(separatedBy: "not running").count - 1 == 6)

        // Started again, on the same data: what was written is there.
        #expect(try await runner("start").status == 0)
        let terms = try await withKeys.run(["term", "list", "--json"])
        #expect(terms.stdout.contains("2022-01-15"), "\(terms.stdout) \(terms.stderr)")
        #expect(try await runner("stop").status == 0)

        // --insecure: no keys needed, and the runner says so.
        let open = try temporaryDirectory("runner-insecure")
        let insecure = try await runCommand(Self.runner, ["start", "--run-dir", open, "--insecure"], environment: environment, timeout: .seconds(120))
        #expect(insecure.status == 0 && insecure.stderr.contains("INSECURE"), "\(insecure.stderr)")
        #expect(!FileManager.default.fileExists(atPath: open + "/keys"))
        #expect(try await gateway.run(["term", "list"]).status == 0)
        #expect(try await runCommand(Self.runner, ["stop", "--run-dir", open], environment: environment).status == 0)
    }

    @Test("--replicas: a throwaway PostgreSQL cluster, every service in two processes on it, every caller given both; stop ends them all")
    func replicas() async throws {
        let run = try temporaryDirectory("runner-replicas")
        let ports = try Self.freePorts(18)
        var environment = ["XIESHANG_BIN": URL(fileURLWithPath: builtExecutable("gateway")).deletingLastPathComponent().path,
                           "XIESHANG_KEYS_DIR": "", "XIESHANG_IDENTITY": "", "XIESHANG_PORTAL_HTTP": "127.0.0.1:0",
                           "XIESHANG_PORTAL_2_HTTP": "127.0.0.1:0"]
        let publishing = ["MEMBER_REGISTRY", "MEETING_SCHEDULER", "PROPOSAL_TRACKER"].flatMap { [$0, $0 + "_2"] }
        for (index, service) in publishing.enumerated() {
            environment["XIESHANG_\(service)_RPC"] = "tcp://127.0.0.1:\(ports[2 * index])"
            environment["XIESHANG_\(service)_EVENTS"] = "tcp://127.0.0.1:\(ports[2 * index + 1])"
        }
        let others = ["NOTIFIER", "DUTY_RECORD", "PORTAL"].flatMap { [$0, $0 + "_2"] }
        for (index, service) in others.enumerated() {
            environment["XIESHANG_\(service)_RPC"] = "tcp://127.0.0.1:\(ports[12 + index])"
        }
        for service in publishing + others { environment["XIESHANG_\(service)_METRICS"] = "127.0.0.1:0" }
        func runner(_ arguments: String...) async throws -> CommandResult {
            try await runCommand(Self.runner, arguments + ["--run-dir", run], environment: environment, timeout: .seconds(180))
        }

        let started = try await runner("start", "--replicas", "--insecure")
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stdout.contains("started postgres"), "\(started.stdout)")
        #expect(started.stdout.split(separator: "\n").filter { $0.hasPrefix("started ") && $0.contains(" ready ") }.count == 12, "\(started.stdout)")
        #expect(started.stdout.split(separator: "\n").filter { $0.hasPrefix("portal: http://") }.count == 2, "\(started.stdout)")
        let status = try await runner("status")
        #expect(status.stdout.contains("postgres running"), "\(status.stdout)")
        #expect(status.stdout.components(separatedBy: "ok: postgres ").count - 1 == 5, "every service asked on PostgreSQL: \(status.stdout)")

        // Both replicas of the registry and of the scheduler serve one database each.
        let registry = "tcp://127.0.0.1:\(ports[0]),tcp://127.0.0.1:\(ports[2])"
        let scheduler = "tcp://127.0.0.1:\(ports[4]),tcp://127.0.0.1:\(ports[6])"
        let gateway = Gateway(registry: registry, scheduler: scheduler)
        for arguments in [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
                          ["station", "add", "--name", "雄关街道委员工作站"],
                          ["room", "add", "--name", "第一协商议事室", "--station", "1", "--capacity", "40"]] {
            let result = try await gateway.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        for (index, replica) in [ports[4], ports[6]].enumerated() {
            let one = Gateway(registry: "tcp://127.0.0.1:\(ports[2 * index])", scheduler: "tcp://127.0.0.1:\(replica)")
            let result = try await one.run(["meeting", "schedule", "--title", "议事\(index)", "--kind", "协商议事活动",
                                            "--start", "2026-12-2\(index) 09:00", "--minutes", "60", "--room", "1"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let listed = try await gateway.run(["meeting", "list", "--json"])
        #expect((try? listed.json() as? [Any])?.count == 2, "\(listed.stdout) \(listed.stderr)")

        let postgres = Int32(((try? String(contentsOfFile: run + "/postgres.pid", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let stopped = try await runner("stop")
        #expect(stopped.status == 0)
        #expect(stopped.stdout.split(separator: "\n").filter { $0.hasPrefix("stopped ") }.count == 13, "\(stopped.stdout)")
        #expect(postgres > 0 && kill(postgres, 0) != 0, "the cluster's server has ended")
        #expect(!FileManager.default.fileExists(atPath: run + "/replicas"))
    }
}
