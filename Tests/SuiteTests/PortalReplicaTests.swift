import Foundation
import Testing
import XieshangTestSupport

/// Two portals behind one address, on one PostgreSQL database (a throwaway server): what one
/// counts and keeps, the other sees.
@Suite("the portal in two replicas on PostgreSQL")
struct PortalReplicaTests {
    /// Wrong passwords for one login, alternately at each portal; prints each answer's status.
    static let attempts = """
        import json, re, sys, urllib.error, urllib.parse, urllib.request, http.cookiejar
        bases = sys.argv[1:]
        def attempt(base):
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            csrf = re.search(r'name="csrf" value="([^"]+)"', opener.open(base + "/login").read().decode()).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "login": "m99", "password": "not-the-password"}).encode()
            try:
                return opener.open(urllib.request.Request(base + "/login", data=body)).status
            except urllib.error.HTTPError as error:
                return error.code
        print(json.dumps([attempt(bases[n % 2]) for n in range(7)]))
        """

    @Test("sign-in failures for a login counted at either portal lock it at both after five")
    func failuresShared() async throws {
        try await PostgresServer.with { server in
            let directory = try temporaryDirectory("portal-replicas")
            let url = try await server.createDatabase("portal")
            var webs: [String] = []
            var portals: [ServiceProcess] = []
            for name in ["a", "b"] {
                let portal = try await ServiceProcess("portal", dataDir: directory + "/" + name, arguments: [
                    "--http-address", "127.0.0.1:0", "--database", url,
                ])
                portals.append(portal)
                webs.append(String(try await portal.outputLine(startingWith: "portal web=").dropFirst("portal web=".count)))
            }
            let result = try await runCommand("/usr/bin/python3", ["-c", Self.attempts] + webs, timeout: .seconds(300))
            #expect(result.status == 0, "\(result.stderr)")
            let statuses = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [Int] ?? []
            #expect(statuses == [401, 401, 401, 401, 401, 429, 429], "five failures, then refused at both: \(statuses)")
            #expect(try await server.query("portal", "SELECT count(*) FROM sign_in_failures WHERE login = 'm99'") == "5")
            for portal in portals { #expect(await portal.stop() == 0) }
        }
    }
}
