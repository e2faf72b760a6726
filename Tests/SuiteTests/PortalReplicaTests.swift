import Foundation
import Testing
import XieshangTestSupport
import XieshangWire
@testable import Portal
@testable import XieshangService

/// Two portals behind one address, on one PostgreSQL database (a throwaway server): what one
/// counts and keeps, the other sees.
@Suite("the portal in two replicas on PostgreSQL")
struct PortalReplicaTests {
    /// Wrong passwords for one login, alternately at each portal; then member 13 signs in at
    /// the first from their browser, a guesser locks m13 out at both, and the member's browser
    /// signs in at the second. Prints each answer's status.
    static let attempts = """
        import json, re, sys, urllib.error, urllib.parse, urllib.request, http.cookiejar
        password, bases = sys.argv[1], sys.argv[2:]
        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        def browser():
            return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), Stay)
        def attempt(base, login="m99", secret="not-the-password", opener=None):
            opener = opener or browser()
            csrf = re.search(r'name="csrf" value="([^"]+)"', opener.open(base + "/login").read().decode()).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "login": login, "password": secret}).encode()
            try:
                return opener.open(urllib.request.Request(base + "/login", data=body)).status
            except urllib.error.HTTPError as error:
                return error.code
        unknown = [attempt(bases[n % 2]) for n in range(7)]
        member = browser()
        first = attempt(bases[0], "m13", password, member)
        guesser = browser()
        guesses = [attempt(bases[n % 2], "m13", f"guess-{n}-password", guesser) for n in range(6)]
        member_at_second = attempt(bases[1], "m13", password, member)
        print(json.dumps({"unknown": unknown, "first": first, "guesses": guesses, "member_at_second": member_at_second}))
        """

    @Test("sign-in failures for a login counted at either portal lock it at both after five; a browser trusted at one is trusted at the other")
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
            // Member 13's account, in the database the two portals share.
            let password = "a-long-enough-password-9"
            let database = try ServiceDatabase.openPostgres(url: url, service: "portal", migrations: PortalSchema.migrations, countsAsStart: false)
            try await database.writeSession { db in
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let made = try AccountStore.invite(db, kind: .member, subject: 13, name: "梁晓东", now: now)
                _ = try AccountStore.accept(db, token: made.token, code: made.code, passwordHash: Passwords.hash(password), now: now)
            }
            let result = try await runCommand("/usr/bin/python3", ["-c", Self.attempts, password] + webs, timeout: .seconds(300))
            #expect(result.status == 0, "\(result.stderr)")
            let statuses = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            #expect(statuses["unknown"] as? [Int] == [401, 401, 401, 401, 401, 429, 429], "five failures, then refused at both: \(statuses)")
            #expect(statuses["first"] as? Int == 303, "\(statuses)")
            #expect(statuses["guesses"] as? [Int] == [401, 401, 401, 401, 401, 429], "\(statuses)")
            #expect(statuses["member_at_second"] as? Int == 303, "the browser trusted at one portal signs in at the other: \(statuses)")
            #expect(try await server.query("portal", "SELECT count(*) FROM sign_in_failures WHERE login = 'm99'") == "5")
            for portal in portals { #expect(await portal.stop() == 0) }
        }
    }
}
