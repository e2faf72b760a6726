import Foundation
import Testing
import XieshangTestSupport

/// Behind a reverse proxy every request comes from the proxy's address: counted by it, twenty
/// wrong passwords from one person would lock everyone out. With `--behind-proxy` the portal
/// counts by the address the proxy appended to `X-Forwarded-For`; without it, the header is
/// nobody's to set.
@Suite("the portal behind a reverse proxy: sign-in failures by the person's address")
struct PortalProxyTests {
    /// Signs in wrongly as a new login each time (the per-login limit is not the one under
    /// test) with `X-Forwarded-For` set; prints each answer's status.
    static let attempts = """
        import json, re, sys, urllib.error, urllib.parse, urllib.request, http.cookiejar
        base = sys.argv[1]
        def attempt(n, forwarded):
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            csrf = re.search(r'name="csrf" value="([^"]+)"', opener.open(base + "/login").read().decode()).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "login": f"x{n}", "password": "not-the-password"}).encode()
            try:
                return opener.open(urllib.request.Request(base + "/login", data=body, headers={"X-Forwarded-For": forwarded})).status
            except urllib.error.HTTPError as error:
                return error.code
        one = [attempt(n, "203.0.113.5") for n in range(21)]
        other = attempt(99, "203.0.113.9")
        spoofed = attempt(98, "203.0.113.9, 203.0.113.5")
        # One IPv6 subscriber's /64, a new address for each try; then another /64.
        v6 = [attempt(200 + n, f"2001:db8:0:1::{n + 1:x}") for n in range(21)]
        v6other = attempt(300, "2001:db8:0:2::1")
        # Methods nobody uses: each could have been a metrics series of its own.
        import http.client
        host = urllib.parse.urlparse(base)
        for n in range(5):
            connection = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
            connection.request(f"PROBE{n}", "/login")
            connection.getresponse().read()
            connection.close()
        print(json.dumps({"one": one, "other": other, "spoofed": spoofed, "v6": v6, "v6other": v6other}))
        """

    func run(behindProxy: Bool) async throws -> [String: Any] {
        let directory = try temporaryDirectory("portal-proxy")
        let portal = try await ServiceProcess("portal", dataDir: directory + "/portal", arguments: [
            "--http-address", "127.0.0.1:0",
        ] + (behindProxy ? ["--behind-proxy"] : []))
        let web = String(try await portal.outputLine(startingWith: "portal web=").dropFirst("portal web=".count))
        // Forty-five sign-ins, each a deliberately slow password hash: minutes on a loaded machine.
        let result = try await runCommand("/usr/bin/python3", ["-c", Self.attempts, web], timeout: .seconds(400))
        // The pages answered are counted by route pattern and status (and promtool takes them).
        let metrics = try String(contentsOf: URL(string: portal.metricsURL)!, encoding: .utf8)
        #expect(metrics.contains(#"xieshang_http_requests_total{service="portal",route="/login",method="POST",status="401"}"#), "\(metrics.prefix(3000))")
        #expect(metrics.contains(#"xieshang_http_requests_total{service="portal",route="/login",method="GET",status="200"} 45"#), "\(metrics.prefix(3000))")
        #expect(metrics.contains("xieshang_http_request_duration_seconds_bucket"))
        #expect(!metrics.contains("PROBE"), "a method nobody uses makes no series of its own")
        let promtool = try #require(MetricsTests.promtool(), "promtool is not installed (make bootstrap installs Debian's prometheus)")
        let file = directory + "/metrics.txt"
        try metrics.write(toFile: file, atomically: true, encoding: .utf8)
        let checked = try await runCommand("/bin/sh", ["-c", "\(promtool) check metrics < \(file)"])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(await portal.stop() == 0)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test("behind the proxy: one address (an IPv6 address by its /64) is locked after 20 failures, another is not, and a client cannot name its own")
    func behind() async throws {
        let statuses = try await run(behindProxy: true)
        let one = statuses["one"] as? [Int] ?? []
        #expect(one.prefix(20).allSatisfy { $0 == 401 } && one.last == 429, "\(one)")
        #expect(statuses["other"] as? Int == 401, "another person still signs in (wrongly, here): \(statuses)")
        #expect(statuses["spoofed"] as? Int == 429, "the proxy's appended address counts, not one the client wrote: \(statuses)")
        let v6 = statuses["v6"] as? [Int] ?? []
        #expect(v6.prefix(20).allSatisfy { $0 == 401 } && v6.last == 429, "an IPv6 network is one address, whichever of its own it uses: \(v6)")
        #expect(statuses["v6other"] as? Int == 401, "another network is not held: \(statuses)")
    }

    @Test("not told of a proxy: the header is ignored, the connection's address counts")
    func direct() async throws {
        let statuses = try await run(behindProxy: false)
        #expect(statuses["other"] as? Int == 429, "a client may not pick its address: \(statuses)")
    }
}
