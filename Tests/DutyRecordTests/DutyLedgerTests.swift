import Foundation
import GRDB
import Testing
import XieshangService
import XieshangWire
@testable import DutyRecord

/// Events into entries, the rules as data, recalculation and closed years, on a database in
/// memory (the process tests drive the same through the services).
@Suite("the duty ledger")
struct DutyLedgerTests {
    static let day: Int64 = 86_400_000
    /// 2026-06-01 08:00 in Asia/Shanghai.
    static let june2026: Int64 = 1_780_272_000_000

    static func event<P: WireMessage>(_ type: WireEvent<P>, _ payload: P, sequence: UInt64) throws -> EventV1.Event {
        var e = EventV1.Event()
        e.type = type.name
        e.sequence = sequence
        e.payload = try payload.encode()
        return e
    }

    static func member(_ id: Int64, _ name: String, sector: String = "教育界", status: MemberV1.MemberStatus = .active) -> MemberV1.MemberEvent {
        var m = MemberV1.Member()
        m.id = id
        m.name = name
        m.sector = sector
        m.status = status
        var e = MemberV1.MemberEvent()
        e.member = m
        return e
    }

    static func closed(_ id: Int64, kind: MeetingV1.MeetingKind = .standingCommittee, at: Int64, _ attendance: [(Int64, MeetingV1.Attendance, Bool)]) -> MeetingV1.MeetingEvent {
        var m = MeetingV1.Meeting()
        m.id = id
        m.kind = kind
        m.title = "会议\(id)"
        m.startMs = at
        var e = MeetingV1.MeetingEvent()
        e.meeting = m
        e.attendance = attendance.map { member, attendance, required in
            var r = MeetingV1.AttendanceRecord()
            r.memberID = member
            r.attendance = attendance
            r.required = required
            return r
        }
        return e
    }

    func database(_ rules: DutyRules = .standard) async throws -> ServiceDatabase {
        let database = try ServiceDatabase.inMemory(migrations: DutySchema.migrations)
        try await database.writeSession { db in _ = try DutyStore.install(db, rules, now: 0) }
        return database
    }

    @Test("a closed meeting, a filed proposal and 社情民意 become entries, each fact once, scored by the rules")
    func events() async throws {
        let database = try await database()
        let events = [
            try Self.event(DomainEvents.memberAdded, Self.member(1, "张伟"), sequence: 1),
            try Self.event(DomainEvents.memberAdded, Self.member(2, "李娜", sector: "经济界"), sequence: 2),
            try Self.event(DomainEvents.memberAdded, Self.member(3, "王强"), sequence: 3),
            // 1 present, 2 on leave, 3 absent; a 列席 invitee (4) who did not come is nothing.
            try Self.event(DomainEvents.meetingClosed, Self.closed(10, at: Self.june2026, [
                (1, .checkedIn, true), (2, .leaveApproved, true), (3, .absent, true), (4, .notAttending, false)]), sequence: 4),
            // A consultation activity attended is one of its own kind.
            try Self.event(DomainEvents.meetingClosed, Self.closed(11, kind: .grassroots, at: Self.june2026 + Self.day, [(1, .checkedIn, true)]), sequence: 5),
        ]
        var proposal = ProposalV1.ProposalEvent()
        var p = ProposalV1.Proposal()
        p.id = 7
        p.number = "5-5-0007"
        p.title = "关于加装电梯的建议"
        p.proposerMemberID = 2
        var signed = ProposalV1.Cosigner(), declined = ProposalV1.Cosigner()
        signed.memberID = 1
        signed.decision = .signed
        declined.memberID = 3
        declined.decision = .declined
        p.cosigners = [signed, declined]
        proposal.proposal = p
        var t = ProposalV1.Transition()
        t.atMs = Self.june2026 + 2 * Self.day
        proposal.transition = t
        var opinion = ProposalV1.OpinionEvent()
        var o = ProposalV1.Opinion()
        o.id = 3
        o.memberID = 3
        o.title = "关于助餐的反映"
        var adoption = ProposalV1.OpinionAdoption()
        adoption.level = .province
        o.adoptions = [adoption]
        opinion.opinion = o
        var step = ProposalV1.OpinionStep()
        step.atMs = Self.june2026
        opinion.step = step
        let more = [
            try Self.event(DomainEvents.proposalFile, proposal, sequence: 6),
            try Self.event(DomainEvents.opinionSubmit, opinion, sequence: 7),
            try Self.event(DomainEvents.opinionAdopt, opinion, sequence: 8),
        ]
        try await database.writeSession { db in
            for e in events + more { try DutyLedger.apply(e, db, now: Self.june2026) }
            // The same facts again (a meeting event replayed): nothing more.
            for e in events + more { try DutyLedger.apply(e, db, now: Self.june2026) }
        }
        let ranking = try await database.readSession { db in try DutyStore.ranking(db, year: 2026, sector: "") }
        let points = Dictionary(uniqueKeysWithValues: ranking.map { ($0.memberID, $0.points) })
        // 张伟: attended 2 + activity 3 + co-signed 1; 李娜: leave 0 + led 5; 王强: absent −3 + 社情民意 1 + 省级采用 5.
        #expect(points == [1: 6, 2: 5, 3: 3])
        #expect(ranking.map(\.memberID) == [1, 2, 3])
        let zhang = try #require(ranking.first)
        #expect(zhang.name == "张伟" && zhang.entries == 3)
        #expect(zhang.byKind.map(\.kind) == [.meetingAttended, .consultationActivity, .proposalCosigned])
        // By sector.
        #expect(try await database.readSession { db in try DutyStore.ranking(db, year: 2026, sector: "经济界") }.map(\.memberID) == [2])
        // Nothing in 2025.
        #expect(try await database.readSession { db in try DutyStore.ranking(db, year: 2025, sector: "") }.allSatisfy { $0.entries == 0 })
    }

    @Test("new rules become a version; recalculation rescores the open years and says so on each entry; a closed year keeps its points")
    func rulesAndYears() async throws {
        let database = try await database()
        try await database.writeSession { db in
            try DutyLedger.apply(try Self.event(DomainEvents.memberAdded, Self.member(1, "张伟"), sequence: 1), db, now: 0)
            try DutyLedger.apply(try Self.event(DomainEvents.meetingClosed, Self.closed(1, at: Self.june2026 - 365 * Self.day, [(1, .checkedIn, true)]), sequence: 2), db, now: 0)
            try DutyLedger.apply(try Self.event(DomainEvents.meetingClosed, Self.closed(2, at: Self.june2026, [(1, .checkedIn, true)]), sequence: 3), db, now: 0)
            _ = try DutyStore.recalculate(db, now: 0)
            try db.execute("INSERT INTO closed_years VALUES (2025, 1, 0, 'staff:wang')")
        }
        var rules = DutyRules.standard.rules
        rules[rules.firstIndex { $0.kind == .meetingAttended }!].points = 4
        let doubled = DutyRules(rules: rules)
        let version = try await database.writeSession { db in try DutyStore.install(db, doubled, now: 1) }
        #expect(version == 2)
        #expect(try await database.writeSession { db in try DutyStore.install(db, doubled, now: 2) } == 2, "the same rules are the same version")
        #expect(try await database.readSession { db in try DutyStore.staleEntries(db) } == 1, "only the open year's entry")
        let (_, changed) = try await database.writeSession { db in try DutyStore.recalculate(db, now: 3) }
        #expect(changed == 1)
        let (y2025, y2026) = try await database.readSession { db in
            (try DutyStore.entries(db, member: 1, year: 2025), try DutyStore.entries(db, member: 1, year: 2026))
        }
        #expect(y2025.map(\.points) == [2] && y2025.map(\.rulesVersion) == [1])
        #expect(y2026.map(\.points) == [4] && y2026.map(\.rulesVersion) == [2])
        #expect(y2026.first?.history.last?.note == "rules v1 → v2: 2 → 4")
        // A late fact of the closed year is scored under its rules.
        try await database.writeSession { db in
            try DutyLedger.apply(try Self.event(DomainEvents.meetingClosed, Self.closed(3, at: Self.june2026 - 300 * Self.day, [(1, .checkedIn, true)]), sequence: 4), db, now: 4)
        }
        #expect(try await database.readSession { db in try DutyStore.entries(db, member: 1, year: 2025) }.map(\.points) == [2, 2])
    }

    @Test("a rules file: every kind once, points from −100 to 100, or a clear error naming the line")
    func rulesFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("duty-rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func file(_ text: String) throws -> String {
            let path = folder + "/\(UUID().uuidString).txt"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let standard = DutyRules.standard.text
        let good = try DutyRules.load(try file("# 本委员会的履职积分规则\n" + standard.replacingOccurrences(of: "meeting-attended | 出席会议 | 2", with: "出席会议 | 出席全会、常委会 | 3")))
        #expect(good.points(.meetingAttended) == 3 && good.rule(.meetingAttended).name == "出席全会、常委会")
        // As Notepad saves it: a byte-order mark and Windows line ends.
        let windows = try DutyRules.load(try file("\u{FEFF}" + standard.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"))
        #expect(windows == DutyRules.standard)
        func refusal(_ text: String) throws -> String {
            do { _ = try DutyRules.load(try file(text)); return "" } catch { return "\(error)" }
        }
        #expect(try refusal(standard.replacingOccurrences(of: "training | 参加培训 | 1\n", with: "")).contains("no rule for training"))
        #expect(try refusal(standard + "\ntraining | 培训 | 1").contains("given twice"))
        #expect(try refusal(standard.replacingOccurrences(of: "| 5\n", with: "| many\n")).contains("whole number"))
        #expect(try refusal("swimming | 游泳 | 1\n" + standard).contains(":1: unknown kind"))
        #expect(try refusal(standard.replacingOccurrences(of: "other | 其他履职活动 | 1", with: "other | 1")).contains("kind | 名称 | points"))
    }
}
