import Foundation
import Testing
import XieshangRPC
import XieshangService
import XieshangTestSupport

/// Each service's `GET /metrics`, checked with Prometheus's own tools: `promtool check
/// metrics` on every endpoint, and a real Prometheus (Debian's `prometheus`) scraping the
/// suite on loopback.
@Suite("metrics for Prometheus, as processes", .serialized)
struct MetricsTests {
    /// An HTTP GET through Python's standard library: the status and the body.
    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let fetched = try await runCommand("/usr/bin/python3", ["-c", """
            import sys, urllib.request, urllib.error
            try:
                r = urllib.request.urlopen(sys.argv[1], timeout=5); print(r.status); sys.stdout.write(r.read().decode())
            except urllib.error.HTTPError as e:
                print(e.code); sys.stdout.write(e.read().decode())
            """, url])
        guard fetched.status == 0, let newline = fetched.stdout.firstIndex(of: "\n"), let status = Int(fetched.stdout[..<newline]) else {
            throw ProcessFailure(description: "GET \(url): \(fetched.stderr)")
        }
        return (status, String(fetched.stdout[fetched.stdout.index(after: newline)...]))
    }

    static func promtool() -> String? {
        ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("every service's /metrics passes promtool check metrics and counts requests by method and code, refusals, latency, storage, outbox and consumer lag")
    func exposition() async throws {
        let promtool = try #require(Self.promtool(), "promtool is not installed (make bootstrap installs Debian's prometheus)")
        let d = try await Deployment.start("metrics", .all, seed: [
            ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
            ["member", "add", "--number", "9001", "--name", "委员一", "--sector", "经济界"],
        ])
        // Made-up method names from a caller are counted together, not each as a series.
        let client = try RPCClient(configuration: RPCClientConfiguration(endpoints: [d.registry.rpcEndpoint], caller: "metrics-test"),
                                   context: testContext, logger: quietLogger())
        for index in 0..<30 {
            _ = try? await client.call(method: "bogus.v1.Nothing/Call\(index)", body: [], options: CallOptions(timeout: .seconds(3)))
        }
        await client.close()
        // A refusal: a bad phone number.
        #expect(try await d.gateway("member", "add", "--number", "9002", "--name", "委员二", "--sector", "经济界", "--phone", "12").status == 2)
        for service in [d.registry, d.scheduler, d.tracker!, d.notifier!] {
            #expect(service.metricsURL.hasPrefix("http://127.0.0.1:"), "\(service.name): \(service.metricsURL)")
            let (status, body) = try await Self.get(service.metricsURL)
            #expect(status == 200)
            let file = d.directory + "/\(service.name).metrics"
            try body.write(toFile: file, atomically: true, encoding: .utf8)
            let check = try await runCommand("/bin/sh", ["-c", "\"$0\" check metrics < \"$1\"", promtool, file])
            #expect(check.status == 0, "\(service.name): promtool: \(check.stdout) \(check.stderr)")
            #expect(body.contains("xieshang_storage_healthy_bool{service=\"\(service.name)\"} 1"), "\(service.name)")
            #expect(body.contains("xieshang_rpc_in_flight_requests{service=\"\(service.name)\"}"))
        }
        let registry = try await Self.get(d.registry.metricsURL).body
        #expect(registry.contains(#"xieshang_rpc_requests_total{service="member-registry",method="member.v1.Members/Create",code="OK"} 1"#), "\(registry)")
        #expect(registry.contains(#"xieshang_rpc_requests_total{service="member-registry",method="member.v1.Members/Create",code="INVALID_ARGUMENT"} 1"#))
        // Its two managed lists (told once when the registry's database is made), the term, the member.
        #expect(registry.contains(#"xieshang_outbox_newest_sequence{service="member-registry"} 4"#), "\(registry)")
        #expect(registry.contains(#"method="(unregistered)",code="UNIMPLEMENTED"} 30"#), "\(registry)")
        #expect(!registry.contains("bogus"))
        // The term, the member and the refused member, one after the other: a transaction each.
        #expect(registry.contains(#"xieshang_storage_write_transactions_total{service="member-registry"} 3"#), "\(registry)")
        #expect(registry.contains(#"xieshang_storage_writes_total{service="member-registry"} 3"#))
        // The SQL its code ran (migrations, the three calls, the scrape's own reads): some, and counted.
        let statements = registry.split(separator: "\n").first { $0.hasPrefix(#"xieshang_sql_statements_total{service="member-registry"} "#) }
        #expect((statements?.split(separator: " ").last.flatMap { Int($0) } ?? 0) > 10, "\(String(describing: statements))")
        // Nothing this small reads a whole table past the threshold; the counter is there from the start.
        #expect(registry.contains(#"xieshang_sql_full_scans_total{service="member-registry"} 0"#), "\(registry)")
        #expect(registry.contains("# TYPE xieshang_rpc_request_duration_seconds histogram"))
        #expect(registry.contains(#"xieshang_rpc_request_duration_seconds_count{service="member-registry",method="member.v1.Members/Create"} 2"#))
        // The notifier follows three sources.
        let notifier = try await Self.get(d.notifier!.metricsURL).body
        for source in ["member-registry", "meeting-scheduler", "proposal-tracker"] {
            #expect(notifier.contains(#"xieshang_consumer_lag_events{service="notifier",source="\#(source)"}"#), "\(source)")
            #expect(notifier.contains(#"xieshang_consumer_failing_bool{service="notifier",source="\#(source)"} 0"#), "\(source)")
        }
        // Only GET /metrics.
        #expect(try await Self.get(d.registry.metricsURL.replacingOccurrences(of: "/metrics", with: "/other")).status == 404)
        await d.stop()
    }

    @Test("a real Prometheus scraping the suite on loopback sees the request counters move")
    func scrapedByPrometheus() async throws {
        let prometheus = try #require(["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                      "prometheus is not installed (make bootstrap)")
        let d = try await Deployment.start("metrics-scrape", .all, seed: [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]])
        let targets = [d.registry, d.scheduler, d.tracker!, d.notifier!].map { "'\(URL(string: $0.metricsURL)!.host!):\(URL(string: $0.metricsURL)!.port!)'" }
        let config = d.directory + "/prometheus.yml"
        try """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: xieshang
                static_configs:
                  - targets: [\(targets.joined(separator: ", "))]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let port = try freeLoopbackPort()
        let server = try ChildProcess(prometheus, ["--config.file=\(config)", "--storage.tsdb.path=\(d.directory)/tsdb",
                                                   "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"],
                                      environment: ProcessInfo.processInfo.environment,
                                      stdout: d.directory + "/prometheus.out", stderr: d.directory + "/prometheus.err")
        defer { server.signal(SIGKILL); _ = server.reapIfEnded() }
        let query = "http://127.0.0.1:\(port)/api/v1/query?query=" +
            "sum(xieshang_rpc_requests_total%7Bservice%3D%22member-registry%22%2Cmethod%3D%22member.v1.Members%2FCreate%22%7D)"
        func created() async throws -> Int? {
            guard let (status, body) = try? await Self.get(query), status == 200,
                  let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                  let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]], let value = result.first?["value"] as? [Any],
                  let text = value.last as? String else { return nil }
            return Int(Double(text) ?? -1)
        }
        func waitFor(_ wanted: (Int) -> Bool) async throws -> Int? {
            var seen: Int?
            for _ in 0..<150 {
                seen = try await created()
                if let seen, wanted(seen) { return seen }
                try await Task.sleep(for: .milliseconds(200))
            }
            return seen
        }
        #expect(try await d.gateway("member", "add", "--number", "9001", "--name", "委员一", "--sector", "经济界").status == 0)
        let first = try await waitFor { $0 >= 1 }
        #expect(first == 1, "Prometheus scraped the registry's counter: \(String(describing: first)); \((try? String(contentsOfFile: d.directory + "/prometheus.err", encoding: .utf8))?.suffix(500) ?? "")")
        for number in 9002...9004 {
            #expect(try await d.gateway("member", "add", "--number", "\(number)", "--name", "委员\(number)", "--sector", "经济界").status == 0)
        }
        let moved = try await waitFor { $0 >= 4 }
        #expect(moved == 4, "the counter moved to 4 in Prometheus: \(String(describing: moved))")
        // Every target is up.
        let up = try await Self.get("http://127.0.0.1:\(port)/api/v1/query?query=sum(up)")
        #expect(up.body.contains("\"4\""), "\(up.body)")
        await d.stop()
    }
}
