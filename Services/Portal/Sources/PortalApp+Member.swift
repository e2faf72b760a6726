import Foundation
import Hummingbird
import Logging
import NIOCore
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// The rest of a member's own pages: their account, their 履职 record, their 社情民意, the
/// calendar file, and registering for open activities.
extension PortalApp {
    // MARK: - Account

    func account(_ s: PortalSession, notice: String?) async -> Response {
        var values = await accountValues(s)
        switch notice {
        case "password": values["notice"] = "密码已修改，其他设备上的登录已退出。"
        case "notifications": values["notice"] = "通知方式已保存。"
        default: break
        }
        return page("account", "账户", s, values)
    }

    /// The account page's facts, with the person's notification preferences from the
    /// notifier when it answers (the password can be changed while it does not).
    func accountValues(_ s: PortalSession) async -> [String: Any] {
        var values: [String: Any] = ["login": s.account.login, "name": s.account.name]
        var request = NotificationV1.GetPreferencesRequest()
        request.recipient = recipient(s)
        do {
            // Briefly: the page is also where a password is changed, which needs no notifier.
            let p = try await suite.call(NotificationV1.Deliveries.getPreferences, request, for: s.account.principal, read: true,
                                         timeout: .seconds(1)).preferences ?? .init()
            values["prefs"] = ["email": p.email, "digest": p.digest, "webhook": p.webhook]
        } catch {
            logger.info("notification preferences not read", metadata: ["portal.login": "\(s.account.login)", "error": "\(error.message)"])
            values["prefsUnavailable"] = true
        }
        return values
    }

    /// How the person is told besides the inbox: e-mail (at once or in a daily digest) and
    /// the committee's message platform (the notifier's webhook).
    func saveNotifications(_ s: PortalSession, _ fields: [String: String]) async throws -> Response {
        var p = NotificationV1.Preferences()
        p.recipient = recipient(s)
        p.email = fields["email"] == "on"
        p.digest = fields["digest"] == "on"
        p.webhook = fields["webhook"] == "on"
        var request = NotificationV1.SetPreferencesRequest()
        request.preferences = p
        _ = try await suite.call(NotificationV1.Deliveries.setPreferences, request, for: s.account.principal)
        return .redirect(to: "/account?done=notifications", type: .normal)
    }

    func changePassword(_ request: Request, _ context: PortalContext, _ s: PortalSession, _ fields: [String: String]) async throws -> Response {
        let now = self.now
        let login = s.account.login, address = Self.counted(clientAddress(request, context))
        func refuse(_ text: String, _ status: HTTPResponse.Status) async -> Response {
            var values = await accountValues(s)
            values["error"] = text
            var response = page("account", "账户", s, values)
            response.status = status
            return response
        }
        // The new password's own faults first: they tell nothing of the current one, and a
        // try taken for them would count against the person.
        let password = fields["password"] ?? ""
        guard password == fields["confirm"] else { return await refuse("两次输入的新密码不一致。", .badRequest) }
        if let problem = Passwords.problem(password, login: login) { return await refuse(problem, .badRequest) }
        // A session's holder guessing the password counts as a sign-in would from this browser.
        guard try await takeTry(request, login: login, address: address, now: now).taken else {
            return await refuse("失败次数过多，请 15 分钟后再试。", .tooManyRequests)
        }
        let current = try await database.readSession { db in try AccountStore.account(db, login: login) }
        guard let hash = current?.passwordHash, Passwords.verify(fields["current"] ?? "", hash) else {
            // The try was counted as a failure when it was taken.
            return await refuse("当前密码不正确。", .unauthorized)
        }
        let newHash = Passwords.hash(password)
        // The new password forgets every trusted browser; this one is trusted anew.
        let started = try await database.writeSession { db in
            try AccountStore.setPassword(db, account: s.account.id, hash: newHash)
            return try AccountStore.startSession(db, account: s.account, device: nil, now: now)
        }
        var response = Response.redirect(to: "/account?done=password", type: .normal)
        response.setCookie(sessionCookie(started.token))
        if let device = started.device { response.setCookie(deviceCookie(device)) }
        return response
    }

    // MARK: - 履职

    func duty(_ s: PortalSession, year requested: Int32?, notice: String?) async throws -> Response {
        let thisYear = CommitteeClock.thisYear
        let year = requested.flatMap { (2000...thisYear).contains($0) ? $0 : nil } ?? thisYear
        var request = DutyV1.ShowRequest()
        request.memberID = s.account.subjectID
        request.year = year
        let shown = try await suite.call(DutyV1.Duty.show, request, for: s.account.principal, read: true)
        let summary = shown.year ?? .init()
        let entries: [[String: Any]] = shown.entries.reversed().map { e in
            var entry: [String: Any] = ["id": e.id, "date": e.date, "kind": e.kind.label, "title": e.title, "points": Int(e.points),
                                        "status": e.status.label, "csrf": s.csrf]
            if e.disputed {
                entry["disputed"] = e.disputeReason
            } else if !shown.closed, e.status == .counted || e.status == .rejected {
                entry["canDispute"] = true
            }
            return entry
        }
        // Mustache shows a section for any value present, 0 included: leave out what is not there.
        var values: [String: Any] = [
            "year": Int(year), "previous": Int(year - 1),
            "points": Int(summary.points), "counted": Int(summary.entries), "entries": entries, "closed": shown.closed,
        ]
        if year < thisYear { values["next"] = Int(year + 1) }
        if summary.pending > 0 { values["pending"] = Int(summary.pending) }
        if !shown.closed {
            // What the member may record of their own (staff confirm it), dated within the year shown.
            values["canRecord"] = true
            values["kinds"] = DutyV1.DutyKind.allCases.filter(\.isRecorded).map { ["value": $0.identifier, "label": $0.label] }
            values["first"] = "\(year)-01-01"
            values["last"] = year == thisYear ? CommitteeClock.day(now) : "\(year)-12-31"
        }
        switch notice {
        case "recorded": values["notice"] = "已登记，办公室确认后计入积分。"
        case "disputed": values["notice"] = "异议已提交，办公室将核实处理。"
        default: break
        }
        return page("duty", "\(year)年履职记录", s, values)
    }

    /// The member records an activity of their own; it waits for staff to confirm it.
    func recordDuty(_ s: PortalSession, _ fields: [String: String]) async throws -> Response {
        var request = DutyV1.RecordRequest()
        request.memberID = s.account.subjectID
        request.kind = DutyV1.DutyKind(parsing: fields["kind"] ?? "") ?? .unspecified
        request.date = (fields["date"] ?? "").trimmingCharacters(in: .whitespaces)
        request.title = (fields["title"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        request.evidence = (fields["evidence"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let recorded = try await suite.call(DutyV1.Duty.record, request, for: s.account.principal)
        return .redirect(to: "/duty?year=\(recorded.entry?.year ?? 0)&done=recorded", type: .normal)
    }

    /// The member disputes an entry of their own record: staff then uphold, amend or void it.
    func disputeDuty(_ s: PortalSession, _ id: Int64, _ fields: [String: String]) async throws -> Response {
        var request = DutyV1.DisputeRequest()
        request.entryID = id
        request.reason = (fields["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let disputed = try await suite.call(DutyV1.Duty.dispute, request, for: s.account.principal)
        return .redirect(to: "/duty?year=\(disputed.entry?.year ?? 0)&done=disputed", type: .normal)
    }

    // MARK: - 社情民意

    func opinions(_ s: PortalSession, notice: String?) async throws -> Response {
        var request = ProposalV1.ListOpinionsRequest()
        request.memberID = s.account.subjectID
        request.pageSize = 100
        let list = try await suite.call(ProposalV1.Opinions.list, request, for: s.account.principal, read: true)
        let rows: [[String: Any]] = list.opinions.map { o in
            ["title": o.title, "state": o.state.label, "time": o.submittedAtMs > 0 ? CommitteeClock.day(o.submittedAtMs) : ""]
        }
        var values: [String: Any] = ["opinions": rows]
        if notice == "submitted" { values["notice"] = "社情民意已报送，办公室将及时处理。" }
        return page("opinions", "社情民意", s, values)
    }

    func submitOpinion(_ s: PortalSession, _ fields: [String: String]) async throws -> Response {
        var request = ProposalV1.SubmitOpinionRequest()
        request.memberID = s.account.subjectID
        request.title = (fields["title"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        request.body = (fields["body"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await suite.call(ProposalV1.Opinions.submit, request, for: s.account.principal)
        return .redirect(to: "/opinions?done=submitted", type: .normal)
    }

    // MARK: - Calendar and registration

    /// The member's meetings as an iCalendar file, for their phone's calendar.
    func calendar(_ s: PortalSession) async throws -> Response {
        var request = MeetingV1.CalendarRequest()
        request.scope = .member
        request.id = s.account.subjectID
        request.fromMs = now - 30 * 86_400_000
        let ics = try await suite.call(MeetingV1.Meetings.calendar, request, for: s.account.principal, read: true).ics
        return Response(status: .ok, headers: [.contentType: "text/calendar; charset=utf-8", .contentDisposition: "attachment; filename=\"meetings.ics\"",
                                               .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: ics)))
    }

    func enroll(_ s: PortalSession, _ id: Int64, withdraw: Bool) async throws -> Response {
        var request = MeetingV1.EnrollRequest()
        request.meetingID = id
        request.memberID = s.account.subjectID
        request.withdraw = withdraw
        _ = try await suite.call(MeetingV1.Meetings.enroll, request, for: s.account.principal)
        return .redirect(to: "/meetings/\(id)?done=\(withdraw ? "withdrawn" : "enrolled")", type: .normal)
    }
}
