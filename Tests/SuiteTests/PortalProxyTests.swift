import Foundation
import Testing
import XieshangService
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

    /// Through nginx, over HTTPS: 21 wrong sign-ins (the last with an address the client wrote
    /// itself), then a flood of 60 pages. Prints each answer's status, and whether a 429 came
    /// from the portal (its page) or from nginx.
    static let throughNginx = """
        import json, re, ssl, sys, urllib.error, urllib.parse, urllib.request, http.cookiejar
        base, authority = sys.argv[1], sys.argv[2]
        context = ssl.create_default_context(cafile=authority)
        def opener():
            return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                               urllib.request.HTTPSHandler(context=context))
        def answer(call):
            try:
                response = call()
                return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()
        def attempt(n, headers={}):
            o = opener()
            csrf = re.search(r'name="csrf" value="([^"]+)"', o.open(base + "/login").read().decode()).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "login": f"x{n}", "password": "not-the-password"}).encode()
            status, text = answer(lambda: o.open(urllib.request.Request(base + "/login", data=body, headers=headers)))
            return status if status != 429 else ("portal 429" if "登录失败次数过多" in text else "nginx 429")
        sign_ins = [attempt(n) for n in range(20)] + [attempt(20, {"X-Forwarded-For": "203.0.113.77"})]
        flood = []
        o = opener()
        for _ in range(60):
            status, text = answer(lambda: o.open(base + "/login"))
            flood.append(status if status != 429 else ("nginx 429" if "nginx" in text else "portal 429"))
        print(json.dumps({"sign_ins": sign_ins, "flood": flood}))
        """

    /// The README's nginx server block, as it is there, made to run here: its port, its
    /// certificate and the portal's address replaced, inside a minimal `http` block.
    static func readmeNginx(in directory: String, port: Int, portal: String) throws -> String {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "```nginx\n"), let end = readme.range(of: "\n```", range: start.upperBound..<readme.endIndex) else {
            throw ProcessFailure(description: "README.md has no nginx block")
        }
        var block = String(readme[start.upperBound..<end.lowerBound])
        for (from, to) in [("listen 443 ssl;", "listen 127.0.0.1:\(port) ssl;"),
                           ("/etc/ssl/xieshang.example.cn.pem", directory + "/portal.crt"),
                           ("/etc/ssl/xieshang.example.cn.key", directory + "/portal.key"),
                           ("proxy_pass http://127.0.0.1:8080;", "proxy_pass \(portal);")] {
            guard block.contains(from) else { throw ProcessFailure(description: "README.md's nginx block has no \"\(from)\"") }
            block = block.replacingOccurrences(of: from, with: to)
        }
        let temporary = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "    \($0)_temp_path \(directory)/\($0);" }
        return """
            daemon off;
            worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events {}
            http {
                access_log off;
            \(temporary.joined(separator: "\n"))
            \(block)
            }
            """
    }

    @Test("behind the README's nginx, over HTTPS: sign-in failures counted by the person's address (not one they wrote), and a flood of pages refused by nginx")
    func behindNginx() async throws {
        let nginx = "/usr/sbin/nginx"
        try #require(FileManager.default.isExecutableFile(atPath: nginx), "nginx is not installed (make bootstrap installs Debian's nginx)")
        let directory = try temporaryDirectory("portal-nginx")
        let made = try await runCommand("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=xieshang portal test", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", directory + "/portal.key", "-out", directory + "/portal.crt",
        ])
        #expect(made.status == 0, "\(made.stderr)")
        let portal = try await ServiceProcess("portal", dataDir: directory + "/portal", arguments: [
            "--http-address", "127.0.0.1:0", "--behind-proxy",
        ])
        let web = String(try await portal.outputLine(startingWith: "portal web=").dropFirst("portal web=".count))
        let port = try freeLoopbackPort()
        try Self.readmeNginx(in: directory, port: port, portal: web).write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        let checked = try await runCommand(nginx, ["-t", "-q", "-c", directory + "/nginx.conf", "-p", directory, "-e", directory + "/error.log"])
        #expect(checked.status == 0, "nginx -t: \(checked.stderr)")
        let server = try ChildProcess(nginx, ["-c", directory + "/nginx.conf", "-p", directory, "-e", directory + "/error.log"], environment: ProcessInfo.processInfo.environment,
                                      stdout: directory + "/nginx.out", stderr: directory + "/nginx.err")
        defer { server.signal(SIGKILL); _ = server.reapIfEnded() }
        var listening = false
        for _ in 0..<100 where !listening {
            listening = (try? await runCommand("/usr/bin/python3", ["-c", "import socket; socket.create_connection(('127.0.0.1', \(port)), 1)"]).status) == 0
            if !listening { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(listening, "nginx did not listen: \((try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "")")
        let result = try await runCommand("/usr/bin/python3", ["-c", Self.throughNginx, "https://127.0.0.1:\(port)", directory + "/portal.crt"], timeout: .seconds(400))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(await portal.stop() == 0)
        let statuses = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let signIns = (statuses["sign_ins"] as? [Any])?.map { "\($0)" } ?? []
        #expect(signIns.prefix(20).allSatisfy { $0 == "401" } && signIns.count == 21, "twenty failures from this address: \(signIns)")
        #expect(signIns.last == "portal 429", "the address nginx saw counts, not one the client wrote: \(signIns)")
        let flood = (statuses["flood"] as? [Any])?.map { "\($0)" } ?? []
        #expect(flood.prefix(30).allSatisfy { $0 == "200" }, "a person's pace is served: \(flood)")
        #expect(flood.filter { $0 == "nginx 429" }.count >= 10, "a flood is refused by nginx before the portal: \(flood)")
    }

    @Test("not told of a proxy: the header is ignored, the connection's address counts")
    func direct() async throws {
        let statuses = try await run(behindProxy: false)
        #expect(statuses["other"] as? Int == 429, "a client may not pick its address: \(statuses)")
    }
}
