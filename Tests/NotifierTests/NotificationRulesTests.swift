import Foundation
import GRDB
import Testing
import XieshangService
import XieshangWire
@testable import Notifier

/// Every rule of the table, on an in-memory inbox: who is told, and what.
@Suite("Notification rules")
struct NotificationRulesTests {
    private func database() throws -> ServiceDatabase { try ServiceDatabase.inMemory(migrations: NotifierSchema.migrations) }
    private let now: Int64 = 1_796_000_000_000

    private func event(_ type: String, _ sequence: UInt64, _ payload: some WireMessage) throws -> EventV1.Event {
        var e = EventV1.Event()
        e.source = type.hasPrefix("proposal") ? "proposal-tracker" : "meeting-scheduler"
        e.sequence = sequence
        e.type = type
        e.payload = try payload.encode()
        return e
    }

    private func meeting() -> MeetingV1.Meeting {
        var m = MeetingV1.Meeting()
        m.id = 4
        m.title = "研究年度协商计划"
        m.displayName = "五届五次主席会议"
        m.startMs = now + 2 * 86_400_000
        m.endMs = m.startMs + 7_200_000
        m.roomName = "第一协商议事室"
        return m
    }

    private func proposal() -> ProposalV1.Proposal {
        var p = ProposalV1.Proposal()
        p.id = 9
        p.title = "关于加装电梯的建议"
        p.number = "5-1-0009"
        p.proposerMemberID = 13
        var signed = ProposalV1.Cosigner()
        signed.memberID = 20
        signed.decision = .signed
        var declined = ProposalV1.Cosigner()
        declined.memberID = 21
        declined.decision = .declined
        p.cosigners = [signed, declined]
        p.leadUnitID = 2
        p.leadUnitName = "市住建局"
        p.assistingUnitIDs = [3]
        p.deadlineMs = now + 90 * 86_400_000
        return p
    }

    /// (recipient "member:13", title, body) of what the event wrote.
    private func written(_ db: ServiceDatabase, _ event: EventV1.Event, configuration: NotifierConfiguration = NotifierConfiguration()) async throws -> [(String, String, String)] {
        try await db.write { [now] db in
            try NotificationRules.apply(event, SQLiteSession(db), now: now, configuration: configuration)
            return try Row.fetchAll(db, sql: "SELECT * FROM notifications WHERE source = ? AND sequence = ? ORDER BY recipient_kind, recipient_id",
                                    arguments: [event.source, Int64(event.sequence)]).map { row in
                ("\((row["recipient_kind"] as Int32) == 1 ? "member" : (row["recipient_kind"] as Int32) == 2 ? "unit" : "staff"):\(row["recipient_id"] as Int64)",
                 row["title"] as String, row["body"] as String)
            }
        }
    }

    @Test("meeting published, changed and cancelled tell every invitee, with what changed")
    func meetings() async throws {
        let db = try database()
        var e = MeetingV1.MeetingEvent()
        e.meeting = meeting()
        e.memberIDs = [6, 7]
        let published = try await written(db, try event("meeting.published", 1, e))
        #expect(published.map(\.0) == ["member:6", "member:7"])
        #expect(published[0].1 == "会议通知：五届五次主席会议")
        #expect(published[0].2.contains("第一协商议事室"))
        e.changedFields = ["start", "room"]
        let changed = try await written(db, try event("meeting.changed", 2, e))
        #expect(changed[0].1 == "会议变更：五届五次主席会议")
        #expect(changed[0].2.contains("开始时间、会议室"))
        e.reason = "改期"
        let cancelled = try await written(db, try event("meeting.cancelled", 3, e))
        #expect(cancelled.count == 2 && cancelled[0].2.contains("原因：改期"))
    }

    @Test("invitations and leave decisions tell the member; non-members are not told")
    func invitees() async throws {
        let db = try database()
        var e = MeetingV1.InviteeEvent()
        e.meeting = meeting()
        var invitee = MeetingV1.Invitee()
        invitee.memberID = 8
        invitee.attendance = .leaveApproved
        e.invitee = invitee
        #expect(try await written(db, try event("invitation.added", 1, e)).map(\.0) == ["member:8"])
        #expect(try await written(db, try event("invitation.removed", 2, e)).first?.1 == "取消邀请：五届五次主席会议")
        let leave = try await written(db, try event("leave.decided", 3, e))
        #expect(leave.first?.2.contains("已批准") == true)
        invitee.memberID = 0
        e.invitee = invitee
        #expect(try await written(db, try event("invitation.added", 4, e)).isEmpty)
    }

    @Test("proposal transitions tell the proposer and the co-signers who signed; assignment tells the units")
    func proposals() async throws {
        let db = try database()
        var e = ProposalV1.ProposalEvent()
        e.proposal = proposal()
        var t = ProposalV1.Transition()
        t.reason = "不属于提案范围"
        e.transition = t
        let filed = try await written(db, try event("proposal.file", 1, e))
        #expect(filed.map(\.0) == ["member:13", "member:20"])
        #expect(filed[0].2.contains("5-1-0009"))
        #expect(try await written(db, try event("proposal.not-file", 2, e))[0].2.contains("理由：不属于提案范围"))
        let assigned = try await written(db, try event("proposal.assign", 3, e))
        #expect(assigned.map(\.0) == ["member:13", "member:20", "unit:2", "unit:3"])
        #expect(assigned.first { $0.0 == "unit:2" }?.1 == "交办通知：关于加装电梯的建议")
        // A reply waiting for its assisting unit's 会签 goes to that unit only; once sent, to the proposers.
        var drafted = e
        var waiting = proposal()
        waiting.state = .countersigning
        var signoff = ProposalV1.UnitSignoff()
        signoff.unitID = 3
        signoff.decision = .pending
        waiting.signoffs = [signoff]
        drafted.proposal = waiting
        let asked = try await written(db, try event("proposal.reply", 40, drafted))
        #expect(asked.map(\.0) == ["unit:3"] && asked.first?.1 == "答复会签：关于加装电梯的建议")
        var sent = e
        var replied = proposal()
        replied.state = .replied
        sent.proposal = replied
        #expect(try await written(db, try event("proposal.reply", 4, sent)).map(\.0) == ["member:13", "member:20"])
        #expect(try await written(db, try event("proposal.countersign", 41, sent)).map(\.0) == ["member:13", "member:20"])
        var rehandle = e
        var p = proposal()
        p.state = .inHandling
        p.feedbackNote = "进度太慢"
        rehandle.proposal = p
        #expect(try await written(db, try event("proposal.feedback", 5, rehandle)).map(\.0) == ["unit:2"])
        p.state = .feedback
        rehandle.proposal = p
        #expect(try await written(db, try event("proposal.feedback", 6, rehandle)).isEmpty)
        #expect(try await written(db, try event("proposal.close", 7, e)).first?.1 == "提案办结：关于加装电梯的建议")
    }

    @Test("reminders: scheduled from events, rescheduled when a meeting moves, dropped when it is cancelled, sent once")
    func reminders() async throws {
        let db = try database()
        var configuration = NotifierConfiguration()
        configuration.meetingRemindersMs = [86_400_000, 3_600_000]
        var e = MeetingV1.MeetingEvent()
        var m = meeting()
        e.meeting = m
        e.memberIDs = [6]
        _ = try await written(db, try event("meeting.published", 1, e), configuration: configuration)
        func due() async throws -> [Int64] {
            try await db.read { try Int64.fetchAll($0, sql: "SELECT due_ms FROM reminders WHERE sent = 0 ORDER BY due_ms") }
        }
        #expect(try await due() == [m.startMs - 86_400_000, m.startMs - 3_600_000])
        m.startMs += 3_600_000
        e.meeting = m
        _ = try await written(db, try event("meeting.changed", 2, e), configuration: configuration)
        #expect(try await due() == [m.startMs - 86_400_000, m.startMs - 3_600_000])
        // Due ones go out once, whatever how often the worker looks.
        let at = m.startMs - 86_400_000
        let sent = try await db.write { [configuration] db in
            try Reminders.sendDue(SQLiteSession(db), now: at, configuration: configuration) + Reminders.sendDue(SQLiteSession(db), now: at + 1, configuration: configuration)
        }
        #expect(sent == 1)
        _ = try await written(db, try event("meeting.cancelled", 3, e), configuration: configuration)
        #expect(try await due().isEmpty)

        // A proposal's deadline: a warning and an overdue notice to the lead unit and the staff.
        var pe = ProposalV1.ProposalEvent()
        pe.proposal = proposal()
        _ = try await written(db, try event("proposal.assign", 4, pe), configuration: configuration)
        let warnings = try await db.read { try String.fetchAll($0, sql: "SELECT recipients FROM reminders WHERE key LIKE 'proposal:9:%' ORDER BY key") }
        #expect(warnings == ["2:2,3:0", "2:2,3:0"])
        // A reply starts the wait for feedback, and drops the deadline reminders.
        var drafted = proposal()
        drafted.state = .countersigning
        pe.proposal = drafted
        _ = try await written(db, try event("proposal.reply", 5, pe), configuration: configuration)
        let still = try await db.read { try String.fetchAll($0, sql: "SELECT key FROM reminders WHERE key LIKE 'proposal:9:%' AND sent = 0 ORDER BY key") }
        #expect(still == ["proposal:9:overdue", "proposal:9:warning"], "a reply waiting for 会签 is not yet sent: the deadline still runs")
        var replied = proposal()
        replied.state = .replied
        replied.repliedAtMs = now
        pe.proposal = replied
        _ = try await written(db, try event("proposal.countersign", 6, pe), configuration: configuration)
        let keys = try await db.read { try String.fetchAll($0, sql: "SELECT key FROM reminders WHERE key LIKE 'proposal:9:%' AND sent = 0") }
        #expect(keys == ["proposal:9:feedback:\(now)"])
    }

    @Test("with channels configured, the intent to deliver is written with the notification, by preference")
    func deliveryIntents() async throws {
        let db = try database()
        var configuration = NotifierConfiguration()
        configuration.webhookURL = URL(string: "http://127.0.0.1:1/hook")
        configuration.sendmail = ["msmtp"]
        try await db.write { db in
            try db.execute(sql: "INSERT INTO preferences VALUES (1, 7, 1, 0, 0), (1, 8, 0, 1, 1)")
        }
        var e = MeetingV1.MeetingEvent()
        e.meeting = meeting()
        e.memberIDs = [6, 7, 8]
        _ = try await written(db, try event("meeting.published", 1, e), configuration: configuration)
        let rows = try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT n.recipient_id, d.channel, d.status FROM deliveries d JOIN notifications n ON n.id = d.notification_id ORDER BY n.recipient_id, d.channel")
                .map { "\($0[0] as Int64):\($0[1] as String):\($0[2] as Int32)" }
        }
        #expect(rows == ["6:email:1", "6:webhook:1", "7:webhook:1", "8:email:5"])
        // The webhook signature is HMAC-SHA256 (the published test vector).
        #expect(DeliveryWorker.signature(Data("The quick brown fox jumps over the lazy dog".utf8), secret: "key")
                == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    @Test("a webhook request that cannot be made fails with libcurl's reason: refused, a scheme other than http(s), a server that never answers (within the time given)")
    func webhookFailures() async throws {
        let headers = ["Content-Type: application/json"]
        let body = Data("{}".utf8)
        guard case .failure(let refused) = await DeliveryWorker.post("http://127.0.0.1:1/hook", headers: headers, body: body, timeoutMs: 5_000) else {
            Issue.record("a refused connection succeeded")
            return
        }
        #expect(refused.message.contains("127.0.0.1") && refused.message.lowercased().contains("connect"), "\(refused.message)")
        guard case .failure(let scheme) = await DeliveryWorker.post("file:///etc/passwd", headers: headers, body: body, timeoutMs: 5_000) else {
            Issue.record("a file URL was fetched")
            return
        }
        #expect(scheme.message.contains("file"), "\(scheme.message)")

        // Listening, never accepting: the request waits in the kernel's backlog until the time runs out.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let started = ContinuousClock.now
        guard case .failure(let silent) = await DeliveryWorker.post("http://127.0.0.1:\(port)/hook", headers: headers, body: body, timeoutMs: 500) else {
            Issue.record("a silent server answered")
            return
        }
        let waited = ContinuousClock.now - started
        #expect(silent.message.lowercased().contains("timed out") || silent.message.lowercased().contains("timeout"), "\(silent.message)")
        #expect(waited >= .milliseconds(450) && waited < .seconds(30), "\(waited)")
    }
}
