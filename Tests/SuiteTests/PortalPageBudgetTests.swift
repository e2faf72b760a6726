import Foundation
import Testing
import XieshangRPC
import XieshangService
import XieshangTestSupport
import XieshangWire
@testable import Portal

/// One person's flood of pages must not take the portal's share of the services from
/// everyone else: pages are budgeted per account signed in, and per address otherwise.
@Suite("the portal's page budget: per account, per address")
struct PortalPageBudgetTests {
    @Test("a bucket: the burst, then refusals (the first of a run marked), refilled with time; keys apart; the remembered keys bounded")
    func buckets() {
        let budget = PageBudget(burst: 3, perSecond: 2, keysKept: 10)
        let t0: Int64 = 1_000_000
        #expect((0..<3).map { _ in budget.take("account 1", now: t0) } == [.served, .served, .served])
        #expect(budget.take("account 1", now: t0) == .refused(first: true))
        #expect(budget.take("account 1", now: t0 + 100) == .refused(first: false), "one refusal logged for a run, not each")
        #expect(budget.take("account 2", now: t0 + 100) == .served, "another account has its own budget")
        #expect(budget.take("account 1", now: t0 + 500) == .served, "half a second at two a second: one more page")
        #expect(budget.take("account 1", now: t0 + 500) == .refused(first: true), "a new run of refusals is logged again")
        #expect((0..<3).map { _ in budget.take("account 1", now: t0 + 60_000) } == [.served, .served, .served],
                "a minute later the burst is whole again, and no more")
        #expect(budget.take("account 1", now: t0 + 60_000) == .refused(first: true))
        #expect(budget.take("account 1", now: t0 - 5_000) == .refused(first: false), "a clock that steps back gives nothing")
        // Thousands of addresses: only so many kept; full buckets forgotten first.
        for n in 0..<1_000 { _ = budget.take("address 10.0.\(n / 256).\(n % 256)", now: t0 + 120_000 + Int64(n)) }
        #expect(budget.remembered <= 11, "\(budget.remembered) keys remembered")
        #expect(budget.retryAfter == 1)
        #expect(PageBudget(burst: 5, perSecond: 0.1).retryAfter == 10)
    }

    @Test("against the portal as a process: a member's flood gets 429 with Retry-After, another member and the first member's own later page do not; a flood not signed in is refused by its address")
    func floodAgainstProcess() async throws {
        let directory = try temporaryDirectory("portal-page-budget")
        let password = "a-long-enough-password-9"
        try await PortalSignInTests.members([13, 14], password: password, in: directory + "/portal")
        // Eight pages at once, one more every two seconds: the test's pages come faster.
        let portal = try await ServiceProcess("portal", dataDir: directory + "/portal",
                                              arguments: ["--http-address", "127.0.0.1:0", "--page-burst", "8", "--page-rate", "0.5"])
        let web = String(try await portal.outputLine(startingWith: "portal web=").dropFirst("portal web=".count))
        let result = try await runCommand("/usr/bin/python3", ["-c", Self.flood, web, password], timeout: .seconds(120))
        let log = portal.standardError
        #expect(await portal.stop() == 0)
        #expect(result.status == 0, "\(result.stderr)")
        let answers = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let flood = answers["flood"] as? [Int] ?? []
        // m13 signed in has all eight (the sign-in's own pages came from the address's budget),
        // then 429 (a slow machine may see one page more, refilled meanwhile).
        #expect(flood.count == 20 && flood.prefix(8).allSatisfy { $0 == 200 } && flood.filter { $0 == 429 }.count >= 10
                && flood.allSatisfy { $0 == 200 || $0 == 429 }, "\(flood)")
        #expect(answers["retry_after"] as? String == "2" && (answers["refused_page"] as? String ?? "").contains("请求过于频繁"), "\(answers)")
        #expect(answers["other_member"] as? Int == 200, "member 14 is not held by member 13's flood: \(answers)")
        #expect(answers["after_wait"] as? Int == 200, "two seconds later member 13 has a page again: \(answers)")
        let anonymous = answers["anonymous"] as? [Int] ?? []
        #expect(anonymous.contains(429) && anonymous.last == 429, "a flood not signed in is refused by its address: \(anonymous)")
        #expect(answers["css"] as? Int == 200, "the stylesheet is not counted: \(answers)")
        let accountPage = answers["account_page"] as? String ?? ""
        #expect(answers["account"] as? Int == 200 && accountPage.contains("暂时无法读取通知方式") && accountPage.contains("/account/password")
                && (answers["account_seconds"] as? Double ?? 99) < 3,
                "with the notifier away the account page serves within a second or so, the password form on it: \(answers["account_seconds"] ?? "")")
        // Logged once for a run of refusals (the member's, the address's), not once a page.
        let logged = log.components(separatedBy: "pages refused: over the budget").count - 1
        #expect((2...5).contains(logged), "\(logged) log lines for \(flood.filter { $0 == 429 }.count + anonymous.filter { $0 == 429 }.count) refusals")
    }

    @Test("the portal refuses to start on a misspelt switch or a budget that is not a number, naming the variable, and writes nothing")
    func badSettingsRefused() async throws {
        let directory = try temporaryDirectory("portal-bad-settings")
        let portal = builtExecutable("portal")
        let arguments = ["--insecure", "--data-dir", directory + "/portal", "--http-address", "127.0.0.1:0"]
        for (variable, value, says) in [
            ("XIESHANG_PORTAL_SECURE_COOKIES", "ture", "XIESHANG_PORTAL_SECURE_COOKIES=\"ture\" is neither on"),
            ("XIESHANG_PORTAL_BEHIND_PROXY", "2", "XIESHANG_PORTAL_BEHIND_PROXY=\"2\" is neither on"),
            ("XIESHANG_PORTAL_PAGE_BURST", "lots", "XIESHANG_PORTAL_PAGE_BURST=\"lots\" is not a whole number"),
        ] {
            let answer = try await runCommand(portal, arguments, environment: [variable: value])
            #expect(answer.status == 64 && answer.stderr.contains(says), "\(variable)=\(value): \(answer.status) \(answer.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/portal"), "refused before its data folder was made")
    }

    /// Signs in m13 and m14, floods a page that calls no service (a new proposal's form) as m13, then asks as m14, waits, asks as m13 again,
    /// and floods /login not signed in. Prints each answer's status.
    static let flood = """
        import json, re, sys, time, urllib.error, urllib.parse, urllib.request, http.cookiejar
        base, password = sys.argv[1], sys.argv[2]
        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        def browser():
            return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), Stay)
        def get(opener, path):
            try:
                with opener.open(base + path) as response:
                    return response.status, response.headers.get("Retry-After"), response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.headers.get("Retry-After"), error.read().decode()
        def sign_in(opener, login):
            csrf = re.search(r'name="csrf" value="([^"]+)"', get(opener, "/login")[2]).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "login": login, "password": password}).encode()
            try:
                return opener.open(base + "/login", data=body).status
            except urllib.error.HTTPError as error:
                return error.code
        m13, m14 = browser(), browser()
        assert sign_in(m13, "m13") == 303 and sign_in(m14, "m14") == 303
        answers = [get(m13, "/proposals/new") for _ in range(20)]
        refused = next((a for a in answers if a[0] == 429), (0, None, ""))
        other = get(m14, "/proposals/new")[0]
        time.sleep(2.2)
        after = get(m13, "/proposals/new")[0]
        css = get(browser(), "/portal.css")[0]
        # No notifier here: the account page still serves, soon, without the preferences.
        started = time.monotonic()
        account = get(m14, "/account")
        account_seconds = time.monotonic() - started
        anonymous = [get(browser(), "/login")[0] for _ in range(12)]
        print(json.dumps({"flood": [a[0] for a in answers], "retry_after": refused[1], "refused_page": refused[2],
                          "other_member": other, "after_wait": after, "anonymous": anonymous, "css": css,
                          "account": account[0], "account_page": account[2], "account_seconds": account_seconds}))
        """
}
