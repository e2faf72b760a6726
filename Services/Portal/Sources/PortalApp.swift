import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// A page request's context: Hummingbird's core, and the address the request came from
/// (what sign-in attempts are counted by, with the login).
public struct PortalContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let address: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        address = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// How the portal answers people: settings that do not come from the services.
public struct PortalSettings: Sendable {
    /// Cookies get `Secure` (set when a reverse proxy terminates HTTPS in front).
    public var secureCookies = false
    /// Failed sign-ins allowed in `failureWindowMs`: per login from browsers that never signed
    /// in as it (a guesser's), per browser that did (each on its own), per address (untrusted
    /// browsers; an IPv6 address by its /64).
    public var failuresPerLogin = 5
    public var failuresPerAddress = 20
    public var failureWindowMs: Int64 = AccountStore.failureWindowMs
    /// A reverse proxy on this machine passes the person's address in `X-Forwarded-For`
    /// (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`): sign-in
    /// failures are counted by the address it appended, not by the proxy's.
    public var behindProxy = false
    /// Pages one person (an account signed in, an address not signed in) may ask for at once,
    /// and more each second (`PageBudget`); above nginx's sample limit, so that in front of
    /// it nginx refuses an address's flood first.
    public var pageBurst = 60
    public var pagesPerSecond = 10.0

    public init() {}
}

/// The web portal: sign-in, and a member's or unit's own pages, each call to the services
/// made on behalf of the person signed in.
public struct PortalApp: Sendable {
    let database: ServiceDatabase
    let suite: SuiteLink
    let settings: PortalSettings
    let logger: Logger
    let metrics: PortalMetrics
    let pages: PageBudget

    public init(database: ServiceDatabase, suite: SuiteLink, settings: PortalSettings, logger: Logger, metrics: PortalMetrics = PortalMetrics()) {
        pages = PageBudget(burst: settings.pageBurst, perSecond: settings.pagesPerSecond)
        self.database = database
        self.suite = suite
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
    }

    static let sessionCookie = "xs_session"
    static let formCookie = "xs_form"
    /// A browser that signed in as a login: the guessers' lock on that login does not hold it.
    static let deviceCookie = "xs_device"

    public func router() -> Router<PortalContext> {
        let router = Router(context: PortalContext.self)
        router.add(middleware: PageMetrics(metrics: metrics))
        router.add(middleware: SecurityHeaders())
        router.add(middleware: PageBudgetMiddleware(app: self))
        router.get("/portal.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Pages.stylesheet)))
        }
        router.get("/") { request, _ -> Response in
            try await session(request) == nil ? Response.redirect(to: "/login") : Response.redirect(to: "/inbox")
        }
        router.get("/login") { request, _ in
            form("login", title: "登录", values: Self.returnTo(request.uri.queryParameters["next"].map(String.init)).map { ["next": $0] } ?? [:])
        }
        router.post("/login") { request, context in try await signIn(request, context) }
        router.get("/invite") { request, _ in try await invitation(request) }
        router.post("/invite") { request, _ in try await acceptInvitation(request) }
        router.post("/logout") { request, _ in try await signOut(request, everywhere: false) }
        router.post("/logout-everywhere") { request, _ in try await signOut(request, everywhere: true) }
        router.get("/inbox") { request, _ in try await signedIn(request) { try await inbox($0) } }
        router.post("/inbox/read") { request, context in try await posted(request, context) { s, f in try await markRead(s, f) } }
        router.get("/meetings") { request, _ in try await signedIn(request, members: true) { try await meetings($0) } }
        router.get("/meetings/:id") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await signedIn(request, members: true) { try await meeting($0, id, notice: request.uri.queryParameters["done"].map(String.init)) }
        }
        router.post("/meetings/:id/leave") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await posted(request, context, members: true, labels: ["reason": "事由"]) { s, f in try await requestLeave(s, id, f) }
        }
        router.get("/proposals") { request, _ in try await signedIn(request) { try await proposals($0) } }
        router.get("/proposals/new") { request, _ in try await signedIn(request, members: true) { newProposal($0) } }
        router.post("/proposals") { request, context in try await posted(request, context, members: true) { s, f in try await createProposal(s, f) } }
        router.get("/proposals/:id") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await signedIn(request) { try await proposal($0, id, notice: request.uri.queryParameters["done"].map(String.init)) }
        }
        router.post("/proposals/:id/act") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await posted(request, context, labelsOf: Self.actLabels) { s, f in try await act(s, id, f) }
        }
        router.get("/public") { request, _ in try await publicHome(request) }
        router.get("/public/rooms/:id") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await publicRoom(request, id)
        }
        router.get("/public/topics/:id") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await publicTopic(request, id)
        }
        router.get("/public/meetings/:id") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await publicMeeting(request, id)
        }
        router.get("/rooms") { request, _ in try await signedIn(request, members: true) { try await rooms($0) } }
        router.get("/rooms/:id") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await signedIn(request, members: true) { try await room($0, id, notice: request.uri.queryParameters["done"].map(String.init)) }
        }
        router.post("/rooms/:id/topics") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await posted(request, context, members: true) { s, f in try await createTopic(s, room: id, f) }
        }
        router.post("/rooms/:id/activities") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await posted(request, context, members: true) { s, f in try await scheduleActivity(s, room: id, f) }
        }
        router.get("/activities/:id") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await signedIn(request, members: true) { try await activity($0, id, notice: request.uri.queryParameters["done"].map(String.init)) }
        }
        router.post("/activities/:id/:step") { request, context in
            guard let id = number(context, "id"), let step = context.parameters.get("step") else { return try await notFound(request) }
            return try await posted(request, context, members: true, labels: ["reason": "原因"]) { s, f in try await activityStep(s, id, step, f) }
        }
        router.get("/topics/:id") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await signedIn(request, members: true) { try await topic($0, id, notice: request.uri.queryParameters["done"].map(String.init)) }
        }
        router.post("/topics/:id/advance") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await posted(request, context, members: true) { s, f in try await advanceTopic(s, id, f) }
        }
        router.get("/account") { request, _ in
            try await signedIn(request) { await account($0, notice: request.uri.queryParameters["done"].map(String.init)) }
        }
        router.post("/account/notifications") { request, context in
            try await posted(request, context) { s, f in try await saveNotifications(s, f) }
        }
        router.post("/account/password") { request, context in
            try await posted(request, context) { s, f in try await changePassword(request, context, s, f) }
        }
        router.get("/duty") { request, _ in
            let year = request.uri.queryParameters["year"].flatMap { Int32($0) }
            let done = request.uri.queryParameters["done"].map(String.init)
            return try await signedIn(request, members: true) { try await duty($0, year: year, notice: done) }
        }
        router.post("/duty") { request, context in
            try await posted(request, context, members: true, labels: ["title": "事项"]) { s, f in try await recordDuty(s, f) }
        }
        router.post("/duty/entries/:id/dispute") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await posted(request, context, members: true, labels: ["reason": "哪里不对"]) { s, f in try await disputeDuty(s, id, f) }
        }
        router.get("/opinions") { request, _ in
            try await signedIn(request, members: true) { try await opinions($0, notice: request.uri.queryParameters["done"].map(String.init)) }
        }
        router.post("/opinions") { request, context in try await posted(request, context, members: true) { s, f in try await submitOpinion(s, f) } }
        router.get("/calendar.ics") { request, _ in try await signedIn(request, members: true) { try await calendar($0) } }
        router.post("/meetings/:id/enroll") { request, context in
            guard let id = number(context, "id") else { return try await notFound(request) }
            return try await posted(request, context, members: true) { s, f in try await enroll(s, id, withdraw: f["withdraw"] == "1") }
        }
        return router
    }

    // MARK: - Sessions and forms

    var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    func session(_ request: Request) async throws -> PortalSession? {
        guard let token = request.cookies[Self.sessionCookie]?.value, !token.isEmpty, token.count < 100 else { return nil }
        let now = self.now
        return try await database.readSession { db in try AccountStore.session(db, token: token, now: now) }
    }

    func sessionCookie(_ token: String) -> Cookie {
        cookie(Self.sessionCookie, token, maxAge: Int(AccountStore.sessionLifetimeMs / 1000))
    }

    func deviceCookie(_ token: String) -> Cookie {
        cookie(Self.deviceCookie, token, maxAge: Int(AccountStore.deviceLifetimeMs / 1000))
    }

    /// A try at `login`'s password from this browser, taken (and counted as a failure until
    /// it succeeds) when the browser has one left (`AccountStore.takeTry`); `device` is the
    /// browser's token hash when it is trusted for the login.
    func takeTry(_ request: Request, login: String, address: String, now: Int64) async throws -> (device: Data?, taken: Bool) {
        let token = request.cookies[Self.deviceCookie]?.value
        let since = now - settings.failureWindowMs
        return try await database.writeSession { db in
            let device = try AccountStore.trustedDevice(db, token: token, login: login, now: now)
            let taken = try AccountStore.takeTry(db, login: login, address: address, device: device, since: since, now: now,
                                                 perClient: settings.failuresPerLogin, perAddress: settings.failuresPerAddress)
            return (device, taken)
        }
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// A page of a form used before signing in: its CSRF token is a cookie the form repeats.
    func form(_ template: String, title: String, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let token = Secrets.token()
        var values = values
        values["csrf"] = token
        var response = html(Pages.render(template, title: title, values: values), status: status)
        response.setCookie(cookie(Self.formCookie, token, maxAge: 3600))
        return response
    }

    func formFields(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            fields[key] = FormText.cleaned(value, field: key)
        }
        return fields
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func message(_ title: String, _ text: String, status: HTTPResponse.Status, session: PortalSession? = nil,
                         link: (href: String, label: String)? = nil, detail: String? = nil, problems: [String] = []) -> Response {
        var values: [String: Any] = ["text": text, "kind": status == .ok ? "ok" : "error"]
        if let detail, !detail.isEmpty { values["detail"] = detail }
        if !problems.isEmpty { values["problems"] = ["lines": problems] }
        if let link { values["link"] = ["href": link.href, "label": link.label] }
        return html(Pages.render("message", title: title, values: values, signedIn: session.map(signedInFacts)), status: status)
    }

    func signedInFacts(_ s: PortalSession) -> (name: String, csrf: String, isMember: Bool) {
        (s.account.name, s.csrf, s.account.isMember)
    }

    /// A page for the person signed in (a member's page refuses a unit).
    func signedIn(_ request: Request, members: Bool = false, _ page: (PortalSession) async throws -> Response) async throws -> Response {
        guard let s = try await session(request) else {
            // A link opened from an e-mail arrives without the session (SameSite=Strict):
            // after signing in, the person lands where the link pointed.
            let next = Self.returnTo(request.uri.description)
            return .redirect(to: next.map { "/login?next=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "/login")
        }
        if members, !s.account.isMember { return message("找不到页面", "此页面仅供委员使用。", status: .notFound, session: s) }
        do {
            return try await page(s)
        } catch let error as RPCError {
            return failure(error, session: s)
        }
    }

    /// A form posted by the person signed in: its CSRF token must be the session's.
    /// `labels`: the form's own words for the wire fields it fills, where they are not the
    /// general ones (`Refusals.labels`), for a refusal that names them; `labelsOf`, where one
    /// route takes several forms, those words by what the form posted.
    func posted(_ request: Request, _ context: PortalContext, members: Bool = false, labels: [String: String] = [:],
                labelsOf: ([String: String]) -> [String: String] = { _ in [:] },
                _ action: (PortalSession, [String: String]) async throws -> Response) async throws -> Response {
        guard let s = try await session(request) else { return .redirect(to: "/login") }
        let fields = try await formFields(request)
        guard let csrf = fields["csrf"], Secrets.same(csrf, s.csrf) else {
            logger.warning("form without its CSRF token refused", metadata: ["portal.login": "\(s.account.login)", "path": "\(request.uri.path)"])
            return message("请求无效", "页面已过期或请求来源不明，请返回重新操作。", status: .forbidden, session: s, link: ("/", "返回首页"))
        }
        if members, !s.account.isMember { return message("找不到页面", "此页面仅供委员使用。", status: .notFound, session: s) }
        do {
            return try await action(s, fields)
        } catch let error as RPCError {
            return failure(error, session: s, labels: labels.merging(labelsOf(fields)) { $1 }, from: request.uri.path)
        }
    }

    /// What a person reads when a service refused: whatever they may not see is simply not
    /// found, so a changed id in the address tells nothing.
    /// `from`: the path a form posted to; where the refusal is of the matter's state, the page
    /// offers a link back to the matter's page, which shows it as it is now. (A form whose
    /// text was refused gets no link: the browser's back keeps what was typed, a fresh page
    /// would not.)
    func failure(_ error: RPCError, session s: PortalSession, labels: [String: String] = [:], from path: String? = nil) -> Response {
        logger.info("a service refused", metadata: ["portal.login": "\(s.account.login)", "rpc.code": "\(error.code)", "error": "\(error.message)"])
        switch error.code {
        case .notFound, .permissionDenied:
            return message("找不到", "找不到该内容，或您无权查看。", status: .notFound, session: s, link: ("/", "返回首页"))
        case .invalidArgument, .failedPrecondition, .alreadyExists, .resourceExhausted, .outOfRange:
            // What kind of refusal, in the person's words; then why: each field the portal
            // can explain, else the service's own words in Chinese where it gave them, else
            // its English text (which names the field or the state).
            let lead = switch error.code {
            case .failedPrecondition: error.localizedMessage.isEmpty ? "现在不能这样办理：它的状态已经变化（可能已有人办理），请返回刷新页面后再看。"
                : "现在不能这样办理（原因见下）；若是刚有人办理过，请返回刷新页面后再看。"
            case .alreadyExists: "这件事已经办理过了，请返回刷新页面后再看。"
            case .resourceExhausted: "已达到上限，请稍后再试；若是待办公室处理的事项太多，请等办公室处理后再提交。"
            default: "填写的内容未通过检查，请返回修改后再提交。"
            }
            if error.code == .invalidArgument, let problems = Refusals.explain(error, labels: labels) {
                return message("未能完成", lead, status: .badRequest, session: s, problems: problems)
            }
            let back = [.failedPrecondition, .alreadyExists].contains(error.code) ? path.flatMap(Self.pageOf) : nil
            return message("未能完成", lead, status: .badRequest, session: s, link: back.map { ($0, "返回查看现在的情况") },
                           detail: error.localizedMessage.isEmpty ? error.message : error.localizedMessage)
        case .unavailable, .deadlineExceeded:
            return message("暂时无法访问", "服务暂时不可用，请稍后再试。", status: .serviceUnavailable, session: s)
        default:
            logger.error("a service failed a portal call", metadata: ["error": "\(error)"])
            return message("出错了", "系统出错，请稍后再试。", status: .internalServerError, session: s)
        }
    }

    /// The page whose form posts to `path` (`/proposals/5/act` → `/proposals/5`), or nil.
    static func pageOf(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        guard path.hasPrefix("/"), let noun = parts.first, !parts.contains(where: \.isEmpty) else { return nil }
        if parts.count >= 2, Int64(parts[1]) != nil, ["meetings", "proposals", "activities", "topics", "rooms"].contains(noun) {
            return "/\(noun)/\(parts[1])"
        }
        if noun == "duty" || noun == "opinions" { return "/\(noun)" }
        return nil
    }

    /// Where to go after signing in: a path of this site only (`/meetings/5`), never another
    /// site (`//example.com`, `https://…`, a backslash), never the login itself; nil otherwise.
    static func returnTo(_ path: String?) -> String? {
        guard let path, path.count <= 200, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"),
              !path.hasPrefix("/login"), !path.hasPrefix("/logout"), path != "/",
              path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return nil }
        return path
    }

    /// The address a request came from. Behind the proxy (a loopback peer, and only when
    /// the portal is told it stands behind one), the last address of `X-Forwarded-For`: the
    /// one the proxy appended; addresses before it are whatever the client wrote, and a
    /// client reaching the portal directly cannot name an address at all.
    func clientAddress(_ request: Request, _ context: PortalContext) -> String {
        let peer = context.address
        guard settings.behindProxy, peer.hasPrefix("127.") || peer == "::1",
              let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!],
              let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
              !last.isEmpty, last.count <= 45, last.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else { return peer }
        return last
    }

    /// What sign-in failures are counted by for an address: an IPv4 address as it is, an
    /// IPv6 address by its /64 (one subscriber's network, whose 2^64 addresses a guesser
    /// could otherwise take turns with), an IPv4-mapped IPv6 address as the IPv4 address.
    static func counted(_ address: String) -> String {
        var v6 = in6_addr()
        guard address.contains(":"), inet_pton(AF_INET6, address, &v6) == 1 else { return address }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    /// A numeric id from the path; anything else is a page that does not exist.
    func number(_ context: PortalContext, _ name: String) -> Int64? {
        guard let value = context.parameters.get(name, as: Int64.self), value > 0 else { return nil }
        return value
    }

    func notFound(_ request: Request) async throws -> Response {
        message("找不到", "找不到该内容，或您无权查看。", status: .notFound, session: try await session(request), link: ("/", "返回首页"))
    }

    // MARK: - Signing in and out

    func signIn(_ request: Request, _ context: PortalContext) async throws -> Response {
        let fields = try await formFields(request)
        guard let csrf = fields["csrf"], let expected = request.cookies[Self.formCookie]?.value, Secrets.same(csrf, expected) else {
            return form("login", title: "登录", values: ["error": "页面已过期，请重新登录。"], status: .forbidden)
        }
        // A login is at most 32 characters (m13, u4): anything longer is cut before it is
        // looked up or counted, so a guesser cannot make the failures table store kilobytes.
        let login = String((fields["login"] ?? "").trimmingCharacters(in: .whitespaces).lowercased().prefix(32))
        let password = fields["password"] ?? ""
        let next: [String: String] = Self.returnTo(fields["next"]).map { ["next": $0] } ?? [:]
        let address = Self.counted(clientAddress(request, context))
        let now = self.now
        let attempt = try await takeTry(request, login: login, address: address, now: now)
        if !attempt.taken {
            logger.warning("sign-in refused: too many failures", metadata: ["portal.login": "\(login)", "portal.address": "\(address)"])
            return form("login", title: "登录", values: ["error": "登录失败次数过多，请 15 分钟后再试。", "login": login].merging(next) { a, _ in a }, status: .tooManyRequests)
        }
        let account = try await database.readSession { db in try AccountStore.account(db, login: login) }
        // The same bcrypt work whether or not the login exists.
        let matches = Passwords.verify(password.utf8.count <= 200 ? password : "", account?.passwordHash ?? Passwords.decoy)
        guard let account, account.passwordHash != nil, matches, !account.disabled else {
            // The try was counted as a failure when it was taken.
            let why = account?.disabled == true && matches ? "此账户已停用，请联系办公室。" : "登录名或密码不正确。"
            return form("login", title: "登录", values: ["error": why, "login": login].merging(next) { a, _ in a }, status: .unauthorized)
        }
        let started = try await database.writeSession { db in try AccountStore.startSession(db, account: account, device: attempt.device, now: now) }
        logger.info("signed in", metadata: ["portal.login": "\(login)", "portal.trusted_browser": "\(attempt.device != nil)"])
        var response = Response.redirect(to: Self.returnTo(fields["next"]) ?? "/inbox", type: .normal)
        response.setCookie(sessionCookie(started.token))
        // A new device token, or the trusted one again for its renewed lifetime.
        if let device = started.device ?? request.cookies[Self.deviceCookie]?.value { response.setCookie(deviceCookie(device)) }
        return response
    }

    func signOut(_ request: Request, everywhere: Bool) async throws -> Response {
        let fields = try await formFields(request)
        guard let token = request.cookies[Self.sessionCookie]?.value, let s = try await session(request) else { return .redirect(to: "/login") }
        guard let csrf = fields["csrf"], Secrets.same(csrf, s.csrf) else {
            return message("请求无效", "页面已过期或请求来源不明，请返回重新操作。", status: .forbidden, session: s)
        }
        try await database.writeSession { db in
            if everywhere { try AccountStore.endAllSessions(db, account: s.account.id) } else { try AccountStore.endSession(db, token: token) }
        }
        var response = Response.redirect(to: "/login", type: .normal)
        response.setCookie(cookie(Self.sessionCookie, "", maxAge: 0))
        return response
    }

    func invitation(_ request: Request) async throws -> Response {
        let token = request.uri.queryParameters["t"].map(String.init) ?? ""
        let now = self.now
        guard token.count < 100, let account = try await database.readSession({ db in try AccountStore.invitation(db, token: token, now: now) }) else {
            return message("邀请无效", "此邀请链接无效、已使用或已过期。请联系办公室重新邀请。", status: .notFound)
        }
        return form("invite", title: "设置密码", values: ["name": account.name, "login": account.login, "token": token])
    }

    func acceptInvitation(_ request: Request) async throws -> Response {
        let fields = try await formFields(request)
        let token = fields["t"] ?? ""
        let now = self.now
        guard token.count < 100, let account = try await database.readSession({ db in try AccountStore.invitation(db, token: token, now: now) }) else {
            return message("邀请无效", "此邀请链接无效、已使用或已过期。请联系办公室重新邀请。", status: .notFound)
        }
        var values: [String: Any] = ["name": account.name, "login": account.login, "token": token]
        guard let csrf = fields["csrf"], let expected = request.cookies[Self.formCookie]?.value, Secrets.same(csrf, expected) else {
            values["error"] = "页面已过期，请重新提交。"
            return form("invite", title: "设置密码", values: values, status: .forbidden)
        }
        let password = fields["password"] ?? ""
        if password != fields["confirm"] {
            values["error"] = "两次输入的密码不一致。"
            return form("invite", title: "设置密码", values: values, status: .badRequest)
        }
        if let problem = Passwords.problem(password, login: account.login) {
            values["error"] = problem
            return form("invite", title: "设置密码", values: values, status: .badRequest)
        }
        let hash = Passwords.hash(password)
        let code = fields["code"] ?? ""
        let outcome = try await database.writeSession { db in try AccountStore.accept(db, token: token, code: code, passwordHash: hash, now: now) }
        switch outcome {
        case .accepted(let account):
            logger.info("invitation accepted", metadata: ["portal.login": "\(account.login)"])
            return message("密码已设置", "密码已设置。请用登录名 \(account.login) 和新密码登录。", status: .ok, link: ("/login", "去登录"))
        case .wrongCode(let left):
            values["error"] = "邀请码不正确，还可尝试 \(left) 次。"
            return form("invite", title: "设置密码", values: values, status: .badRequest)
        case .gone:
            return message("邀请无效", "邀请码错误次数过多，此邀请已作废。请联系办公室重新邀请。", status: .notFound)
        }
    }
}

/// Headers every page carries: no framing, no scripts, no sniffing, no referrer (an
/// invitation's token is in its address).
/// The service's metrics, once its host exists (the web application is made first).
public final class PortalMetrics: Sendable {
    private let value = Mutex<ServiceMetrics?>(nil)
    public init() {}
    public func set(_ metrics: ServiceMetrics) { value.withLock { $0 = metrics } }
    var current: ServiceMetrics? { value.withLock { $0 } }
}

/// Counts every page answered, by its route pattern and status, with its time
/// (`xieshang_http_requests_total`, `xieshang_http_request_duration_seconds`).
struct PageMetrics: RouterMiddleware {
    typealias Context = PortalContext
    let metrics: PortalMetrics
    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = context.endpointPath ?? "unmatched"
        // Any token is a method to HTTP: a label of every one sent would be a series each.
        let method = [.get, .post, .head].contains(request.method) ? request.method.rawValue : "other"
        do {
            let response = try await next(request, context)
            metrics.current?.servedPage(route: route, method: method, status: Int(response.status.code), latency: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.current?.servedPage(route: route, method: method, status: Int(status), latency: ContinuousClock.now - start)
            throw error
        }
    }
}

struct SecurityHeaders: RouterMiddleware {
    typealias Context = PortalContext
    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
