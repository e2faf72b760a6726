import Foundation
import Testing
import XieshangRPC
import XieshangService
import XieshangTestSupport
import XieshangWire
@testable import Portal

/// Guessing a member's password at the portal must not let anyone lock the member out: logins
/// are predictable (`m13`), so a lock on the login alone would be anyone's to pull. A browser
/// that signed in as a login (its device cookie, as OWASP's "device cookies") is counted and
/// locked on its own; every other browser shares the guessers' lock.
@Suite("signing in at the portal: a guesser locks out only browsers that never signed in")
struct PortalSignInTests {
    static let day: Int64 = 86_400_000

    @Test("a browser trusted for a login is counted on its own, not by a guesser's failures or its address's; a new password, signing out everywhere or disabling forgets it")
    func trustedBrowsers() async throws {
        let database = try ServiceDatabase.inMemory(migrations: PortalSchema.migrations)
        let t0: Int64 = 1_796_000_000_000
        let window: Int64 = 15 * 60_000
        let accepted = try await database.writeSession { db in
            try [13, 14].map { subject in
                let made = try AccountStore.invite(db, kind: .member, subject: Int64(subject), name: "委员\(subject)", now: t0)
                return try AccountStore.accept(db, token: made.token, code: made.code, passwordHash: "hash", now: t0)
            }
        }
        guard case .accepted(let m13) = accepted[0], case .accepted(let m14) = accepted[1] else {
            Issue.record("the invitations were not accepted: \(accepted)")
            return
        }
        // Member 13 signs in from a browser never used before: it is trusted from now on.
        let first = try await database.writeSession { db in try AccountStore.startSession(db, account: m13, device: nil, now: t0) }
        let token = try #require(first.device)
        func trusted(_ token: String?, _ login: String, at now: Int64) async throws -> Data? {
            try await database.readSession { db in try AccountStore.trustedDevice(db, token: token, login: login, now: now) }
        }
        func failures(_ login: String, _ address: String, _ device: Data?, at now: Int64) async throws -> (client: Int, address: Int) {
            try await database.readSession { db in try AccountStore.failures(db, login: login, address: address, device: device, since: now - window) }
        }
        func fail(_ login: String, _ address: String, _ device: Data?, at now: Int64) async throws {
            let taken = try await database.writeSession { db in
                try AccountStore.takeTry(db, login: login, address: address, device: device, since: now - window, now: now, perClient: 99, perAddress: 99)
            }
            #expect(taken)
        }
        let device = try #require(try await trusted(token, "m13", at: t0 + 1))
        #expect(try await trusted(token, "m14", at: t0 + 1) == nil, "trusted for its own login only")
        #expect(try await trusted("not-a-device-token", "m13", at: t0 + 1) == nil)
        #expect(try await trusted(nil, "m13", at: t0 + 1) == nil)

        // A guesser fails five times at m13 from five addresses: untrusted browsers are held.
        for n in 1...5 { try await fail("m13", "203.0.113.\(n)", nil, at: t0 + 10) }
        #expect(try await failures("m13", "198.51.100.7", nil, at: t0 + 20) == (5, 0))
        // A sixth try from an untrusted browser is refused, and nothing is recorded for it.
        let sixth = try await database.writeSession { db in
            try AccountStore.takeTry(db, login: "m13", address: "198.51.100.7", device: nil, since: t0 + 20 - window, now: t0 + 20, perClient: 5, perAddress: 20)
        }
        #expect(!sixth)
        #expect(try await failures("m13", "198.51.100.7", nil, at: t0 + 20) == (5, 0))
        // The office sees them, and the member's one trusted browser.
        func listed(at now: Int64) async throws -> [String: (failures: Int32, browsers: Int32)] {
            let accounts = try await database.readSession { db in try AccountStore.accounts(db, kind: .member, state: .unspecified, now: now) }
            return Dictionary(uniqueKeysWithValues: accounts.map { ($0.login, ($0.failedSignIns, $0.trustedBrowsers)) })
        }
        #expect(try await listed(at: t0 + 20)["m13"]! == (5, 1))
        #expect(try await listed(at: t0 + 20)["m14"]! == (0, 0))
        #expect(try await listed(at: t0 + 10 + window + 1)["m13"]! == (0, 1), "counted for the window only")
        // The member's own browser is not, even from an address a guesser used.
        #expect(try await failures("m13", "203.0.113.1", device, at: t0 + 20) == (0, 0))
        // Its own mistakes count for it alone: not for the login's untrusted browsers, nor
        // for its address, which other people may share.
        for _ in 1...3 { try await fail("m13", "198.51.100.7", device, at: t0 + 30) }
        #expect(try await failures("m13", "198.51.100.7", device, at: t0 + 40) == (3, 0))
        #expect(try await failures("m13", "198.51.100.7", nil, at: t0 + 40) == (5, 0))
        // Signing in from it forgets its failures and renews its trust; the guesser's lock stays.
        let again = try await database.writeSession { db in try AccountStore.startSession(db, account: m13, device: device, now: t0 + 50) }
        #expect(again.device == nil, "a trusted browser keeps its token")
        #expect(try await failures("m13", "198.51.100.7", device, at: t0 + 60) == (0, 0))
        #expect(try await failures("m13", "198.51.100.7", nil, at: t0 + 60) == (5, 0))
        #expect(try await trusted(token, "m13", at: t0 + 50 + 179 * Self.day) != nil)
        #expect(try await trusted(token, "m13", at: t0 + 50 + 181 * Self.day) == nil, "trusted for 180 days after its last sign-in")
        // The window passes: the guesser's failures no longer hold anyone.
        #expect(try await failures("m13", "198.51.100.7", nil, at: t0 + 10 + window + 1) == (0, 0))

        // Twenty more fresh browsers: the first is trusted no more, the latest twenty are.
        var fresh: [String] = []
        for n in 1...20 {
            let started = try await database.writeSession { db in try AccountStore.startSession(db, account: m13, device: nil, now: t0 + 60 + Int64(n)) }
            fresh.append(try #require(started.device))
        }
        #expect(try await trusted(token, "m13", at: t0 + 100) == nil, "only the latest \(AccountStore.devicesKept) browsers stay trusted")
        for made in fresh { #expect(try await trusted(made, "m13", at: t0 + 100) != nil) }
        // Of the twenty-two sessions those sign-ins opened, the latest twenty are open.
        let open = try await database.readSession { db in try db.value("SELECT COUNT(*) FROM sessions WHERE account_id = ?", [m13.id], as: Int.self) }
        #expect(open == AccountStore.sessionsKept)
        #expect(try await database.readSession { db in try AccountStore.session(db, token: first.token, now: t0 + 100) } == nil, "the first session is signed out")

        // A new password, signing out everywhere and disabling each forget the trusted browsers.
        let other = try await database.writeSession { db in try AccountStore.startSession(db, account: m14, device: nil, now: t0) }
        let m14Token = try #require(other.device)
        try await database.writeSession { db in try AccountStore.setPassword(db, account: m13.id, hash: "new-hash") }
        #expect(try await trusted(fresh[19], "m13", at: t0 + 100) == nil)
        let renewed = try await database.writeSession { db in try AccountStore.startSession(db, account: m13, device: nil, now: t0 + 100) }
        let renewedToken = try #require(renewed.device)
        #expect(renewedToken != token)
        try await database.writeSession { db in try AccountStore.endAllSessions(db, account: m13.id) }
        #expect(try await trusted(renewedToken, "m13", at: t0 + 200) == nil)
        #expect(try await trusted(m14Token, "m14", at: t0 + 200) != nil, "another member's browser is untouched")
        _ = try await database.writeSession { db in try AccountStore.setDisabled(db, login: "m14", disabled: true) }
        #expect(try await trusted(m14Token, "m14", at: t0 + 300) == nil)
    }

    @Test("failures are counted by an IPv6 address's /64 (one subscriber's network), an IPv4-mapped one as IPv4")
    func countedAddresses() {
        #expect(PortalApp.counted("203.0.113.5") == "203.0.113.5")
        #expect(PortalApp.counted("2001:db8:0:1::5") == "2001:db8:0:1::/64")
        #expect(PortalApp.counted("2001:DB8:0:1:ffff:ffff:ffff:9") == "2001:db8:0:1::/64")
        #expect(PortalApp.counted("2001:db8::1") == "2001:db8:0:0::/64")
        #expect(PortalApp.counted("2001:db8:0:2::1") != PortalApp.counted("2001:db8:0:1::1"))
        #expect(PortalApp.counted("::ffff:203.0.113.5") == "203.0.113.5")
        #expect(PortalApp.counted("::1") == "0:0:0:0::/64")
        #expect(PortalApp.counted("unknown") == "unknown")
        #expect(PortalApp.counted("2001:db8::zz") == "2001:db8::zz", "not an address: kept as it is")
    }

    /// Members' accounts with `password` set (`m13`, …), made in the portal's own database
    /// file in `dataDir` before the portal starts.
    static func members(_ subjects: [Int64], password: String, in dataDir: String) async throws {
        let database = try ServiceDatabase.open(dataDir: dataDir, name: "portal", migrations: PortalSchema.migrations)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await database.writeSession { db in
            for subject in subjects {
                let made = try AccountStore.invite(db, kind: .member, subject: subject, name: "委员\(subject)", now: now)
                _ = try AccountStore.accept(db, token: made.token, code: made.code, passwordHash: Passwords.hash(password), now: now)
            }
        }
    }

    /// Signs in as m13 from three browsers: the member's (which signed in before), a
    /// guesser's, and one sending a device cookie it made up. Prints each answer's status.
    static let browsers = """
        import json, re, sys, urllib.error, urllib.parse, urllib.request, http.cookiejar
        base, password = sys.argv[1], sys.argv[2]
        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        def browser(cookie=None):
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)
            if cookie:
                jar.set_cookie(http.cookiejar.Cookie(0, "xs_device", cookie, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}))
            return opener, jar
        def sign_in(opener, secret):
            csrf = re.search(r'name="csrf" value="([^"]+)"', opener.open(base + "/login").read().decode()).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "login": "m13", "password": secret}).encode()
            try:
                return opener.open(base + "/login", data=body).status
            except urllib.error.HTTPError as error:
                return error.code
        member, jar = browser()
        first = sign_in(member, password)
        device = [c.value for c in jar if c.name == "xs_device"]
        guesser, _ = browser()
        guesses = [sign_in(guesser, f"guess-{n}-password") for n in range(6)]
        guesser_right = sign_in(guesser, password)
        member_right = sign_in(member, password)
        forged, _ = browser("made-up-device-token")
        forged_right = sign_in(forged, password)
        mistakes = [sign_in(member, f"typo-{n}-password") for n in range(5)]
        member_locked = sign_in(member, password)
        # Twenty guesses at once, at a login of their own: the tries are taken one at a time.
        import threading
        ready = threading.Barrier(20)
        burst = [None] * 20
        def at_once(n):
            o, _ = browser()
            csrf = re.search(r'name="csrf" value="([^"]+)"', o.open(base + "/login").read().decode()).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "login": "m99", "password": f"burst-{n}-password"}).encode()
            ready.wait()
            try:
                burst[n] = o.open(base + "/login", data=body).status
            except urllib.error.HTTPError as error:
                burst[n] = error.code
        threads = [threading.Thread(target=at_once, args=(n,)) for n in range(20)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(json.dumps({"first": first, "device": len(device), "guesses": guesses, "guesser_right": guesser_right,
                          "member_right": member_right, "forged_right": forged_right, "mistakes": mistakes,
                          "member_locked": member_locked, "burst": sorted(burst)}))
        """

    @Test("against the portal as a process: a guesser's six failures lock out the guesser and a made-up device cookie, not the member's browser, which is then locked by its own five")
    func guesserAgainstProcess() async throws {
        let directory = try temporaryDirectory("portal-sign-in")
        let password = "a-long-enough-password-9"
        try await Self.members([13], password: password, in: directory + "/portal")
        let portal = try await ServiceProcess("portal", dataDir: directory + "/portal", arguments: ["--http-address", "127.0.0.1:0"])
        let web = String(try await portal.outputLine(startingWith: "portal web=").dropFirst("portal web=".count))
        let result = try await runCommand("/usr/bin/python3", ["-c", Self.browsers, web, password], timeout: .seconds(300))
        // The office's list: the guesser's five recorded failures (refused tries are not
        // failures), not the member's own five, and the member's one trusted browser.
        let client = try testClient([portal.rpcEndpoint], attempts: 1)
        let listed = try await client.call(PortalV1.Accounts.list, PortalV1.ListAccountsRequest()).accounts
        await client.close()
        #expect(listed.map(\.login) == ["m13"] && listed.first?.failedSignIns == 5 && listed.first?.trustedBrowsers == 1, "\(listed)")
        #expect(await portal.stop() == 0)
        #expect(result.status == 0, "\(result.stderr)")
        let statuses = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(statuses["first"] as? Int == 303 && statuses["device"] as? Int == 1, "the first sign-in trusts the browser: \(statuses)")
        #expect(statuses["guesses"] as? [Int] == [401, 401, 401, 401, 401, 429], "\(statuses)")
        #expect(statuses["guesser_right"] as? Int == 429, "the guesser's browser waits, right password or not: \(statuses)")
        #expect(statuses["member_right"] as? Int == 303, "the member's own browser still signs in: \(statuses)")
        #expect(statuses["forged_right"] as? Int == 429, "a device cookie the portal never gave counts for nothing: \(statuses)")
        #expect(statuses["mistakes"] as? [Int] == [401, 401, 401, 401, 401], "\(statuses)")
        #expect(statuses["member_locked"] as? Int == 429, "the member's browser is locked by its own failures: \(statuses)")
        #expect(statuses["burst"] as? [Int] == Array(repeating: 401, count: 5) + Array(repeating: 429, count: 15),
                "twenty guesses sent at once get five tries, not one each: \(statuses)")
    }
}
