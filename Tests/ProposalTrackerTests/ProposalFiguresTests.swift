import Foundation
import GRDB
import Testing
import XieshangLabels
import XieshangService
import XieshangWire
@testable import ProposalTracker

/// The proposal figures of the report (docs/DOMAIN.md), on a database written with known
/// times: replies by final class, 办复率 and the on-time rate, and the reply classes'
/// definitions as configuration.
@Suite("proposal figures")
struct ProposalFiguresTests {
    static let day: Int64 = 86_400_000
    static let start: Int64 = 1_780_000_000_000

    /// Files a proposal at `start` with a deadline 90 days on, then records its replies.
    static func proposal(_ db: any SQLSession, unit: Int64 = 1, replies: [(days: Int64, replyClass: ProposalV1.ReplyClass)],
                         feedback: [ProposalV1.Satisfaction] = []) throws {
        var p = ProposalV1.Proposal()
        p.leadUnitID = unit
        p.leadUnitName = "单位\(unit)"
        p.title = "提案"
        p.proposerName = "委员"
        p.term = 5
        p.deadlineMs = start + 90 * day
        let stored = try ProposalStore.insert(db, p)
        var file = ProposalV1.Transition()
        file.action = .file
        file.atMs = start
        try ProposalStore.record(db, stored.id, file)
        for reply in replies {
            var t = ProposalV1.Transition()
            t.action = .reply
            t.to = .replied
            t.atMs = start + reply.days * day
            t.changes = ["reply \(reply.replyClass.label) by \(ProposalV1.ContactMethod.faceToFace.label)"]
            try ProposalStore.record(db, stored.id, t)
        }
        for (index, satisfaction) in feedback.enumerated() {
            var t = ProposalV1.Transition()
            t.action = .feedback
            t.atMs = start + (150 + Int64(index)) * day
            t.changes = [satisfaction.label]
            try ProposalStore.record(db, stored.id, t)
        }
    }

    @Test("each proposal counts once by its final reply; 办复率 and the on-time rate of those filed")
    func figures() async throws {
        let database = try ServiceDatabase.inMemory(migrations: TrackerSchema.migrations)
        try await database.writeSession { db in
            try Self.proposal(db, replies: [(30, .b), (60, .a)], feedback: [.dissatisfied, .satisfied])  // B then A: an A; 满意 at last
            try Self.proposal(db, replies: [(120, .c)], feedback: [.basically])  // answered after its deadline
            try Self.proposal(db, unit: 2, replies: [])            // not answered
            try Self.proposal(db, unit: 2, replies: [(10, .d)])    // on time
        }
        var request = ProposalV1.StatisticsRequest()
        request.fromMs = Self.start
        request.toMs = Self.start + 365 * Self.day
        let s = try await database.readSession { [request] db in try TrackerStatistics.compute(db, request, now: Self.start + 200 * Self.day) }
        let classes = s.repliesByClass.reduce(into: [String: Int32]()) { $0[$1.name] = $1.count }
        #expect(classes == ["A": 1, "B": 0, "C": 1, "D": 1])
        #expect(s.answered == 3)
        #expect(s.answeredOnTime == 2)
        #expect(abs(s.answerRate - 3.0 / 4.0) < 1e-9)
        #expect(abs(s.onTimeRate - 2.0 / 3.0) < 1e-9)
        #expect(s.replyClasses.map(\.label) == ["解决采纳", "列入计划", "留作参考", "不能解决"])
        // By lead unit: unit 1 answered both (one late), A and C, 满意 and 基本满意; unit 2 one of two.
        #expect(s.byUnit.map(\.unitID) == [1, 2])
        let one = s.byUnit[0], two = s.byUnit[1]
        #expect(one.assigned == 2 && one.answered == 2 && one.answeredOnTime == 1)
        #expect(one.finalClasses.map(\.count) == [1, 0, 1, 0])
        #expect(one.satisfied == 1 && one.basicallySatisfied == 1 && one.dissatisfied == 0)
        #expect(two.assigned == 2 && two.answered == 1 && two.answeredOnTime == 1)
        #expect(two.finalClasses.map(\.count) == [0, 0, 0, 1])

        // A period that ends before the late reply: that proposal is not yet answered.
        request.toMs = Self.start + 100 * Self.day
        let early = try await database.readSession { [request] db in try TrackerStatistics.compute(db, request, now: Self.start + 100 * Self.day) }
        #expect(early.answered == 2 && early.answeredOnTime == 2)
    }

    @Test("a reply counts when it is sent, after the last 会签 (late when that is past the deadline); the annual figures; older steps read by their text")
    func countersignedAndAnnual() async throws {
        let database = try ServiceDatabase.inMemory(migrations: TrackerSchema.migrations)
        @Sendable func step(_ action: ProposalV1.Action, _ days: Int64, to state: ProposalV1.ProposalState = .unspecified,
                  replyClass: ProposalV1.ReplyClass = .unspecified, changes: [String] = []) -> ProposalV1.Transition {
            var t = ProposalV1.Transition()
            t.action = action
            t.atMs = Self.start + days * Self.day
            t.to = state
            t.replyClass = replyClass
            t.changes = changes
            return t
        }
        try await database.writeSession { db in
            // A member's key proposal, filed during the plenary, with two assisting units: the
            // lead unit drafts on day 20, one unit agrees on day 30, the other on day 95, past
            // the deadline (day 90): sent, late, as A.
            var p = ProposalV1.Proposal()
            p.title = "关于加装电梯的建议"
            p.proposerMemberID = 12
            p.proposerName = "委员"
            p.category = "城市建设"
            p.duringPlenary = true
            p.leadUnitID = 1
            p.leadUnitName = "单位1"
            p.deadlineMs = Self.start + 90 * Self.day
            p.key = true
            p.supervisorMemberID = 7
            p.supervisorName = "孔明"
            p.replyClass = .a
            p.repliedAtMs = Self.start + 95 * Self.day
            p.state = .replied
            let keyed = try ProposalStore.insert(db, p)
            for t in [step(.file, 0), step(.designateKey, 5), step(.reply, 20, to: .countersigning), step(.countersign, 30, to: .countersigning),
                      step(.countersign, 95, to: .replied, replyClass: .a)] {
                try ProposalStore.record(db, keyed.id, t)
            }
            // A joint proposal answered on day 10 by a step written before steps recorded
            // their class (its change text names it).
            var joint = ProposalV1.Proposal()
            joint.title = "关于发展戈壁农业的建议"
            joint.jointProposer = "农业界"
            joint.category = "社会事业"
            joint.leadUnitID = 2
            joint.leadUnitName = "单位2"
            joint.deadlineMs = Self.start + 90 * Self.day
            let stored = try ProposalStore.insert(db, joint)
            for t in [step(.file, 0), step(.reply, 10, to: .replied, changes: ["reply C类 by 电话"])] {
                try ProposalStore.record(db, stored.id, t)
            }
        }
        var request = ProposalV1.StatisticsRequest()
        request.fromMs = Self.start
        request.toMs = Self.start + 365 * Self.day
        let s = try await database.readSession { [request] db in try TrackerStatistics.compute(db, request, now: Self.start + 200 * Self.day) }
        #expect(s.answered == 2 && s.answeredOnTime == 1 && s.countersigned == 1)
        #expect(s.repliesByClass.reduce(into: [String: Int32]()) { $0[$1.name] = $1.count } == ["A": 1, "B": 0, "C": 1, "D": 0])
        #expect(s.filedByMembers == 1 && s.filedJointly == 1 && s.filedDuringPlenary == 1)
        #expect(Set(s.filedByCategory.map { "\($0.name)=\($0.count)" }) == ["城市建设=1", "社会事业=1"])
        #expect(s.keyProposals.map(\.supervisorName) == ["孔明"])
        #expect(s.keyProposals.first?.replyClass == .a && s.keyProposals.first?.designatedAtMs == Self.start + 5 * Self.day)
        #expect(s.byUnit.map(\.answeredOnTime) == [0, 1])

        // Before the last 会签 the key proposal is not yet answered.
        request.toMs = Self.start + 60 * Self.day
        let early = try await database.readSession { [request] db in try TrackerStatistics.compute(db, request, now: Self.start + 60 * Self.day) }
        #expect(early.answered == 1 && early.countersigned == 0)
    }

    @Test("the reply classes are the committee's: a file of four definitions, or a clear error")
    func configuration() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reply-classes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func file(_ text: String) throws -> String {
            let path = folder.appendingPathComponent("\(UUID().uuidString).txt").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let good = try ReplyClasses.load(try file("""
            # 本委员会的答复分类
            A | 已解决 | 已经解决
            B | 部分解决 | 部分解决，其余列入计划

            C | 列入计划 | 列入计划逐步解决
            D | 留作参考 | 因条件限制留作参考
            """))
        #expect(good.definitions.map(\.name) == ["A", "B", "C", "D"])
        #expect(good.definitions[1].label == "部分解决" && good.definitions[1].definition == "部分解决，其余列入计划")
        #expect(throws: ReplyClassesError.self) { try ReplyClasses.load(try file("A | 已解决 | 已经解决\nB | x | y\nC | x | y")) }
        #expect(throws: ReplyClassesError.self) { try ReplyClasses.load(try file("A | 已解决 | 已经解决\nA | x | y\nB | x | y\nC | x | y\nD | x | y")) }
        #expect(throws: ReplyClassesError.self) { try ReplyClasses.load(try file("E | x | y")) }
        #expect(throws: ReplyClassesError.self) { try ReplyClasses.load(try file("A | | y")) }
        #expect(throws: ReplyClassesError.self) { try ReplyClasses.load(folder.path + "/missing.txt") }
    }
}

@Suite("the tracker's statements")
struct TrackerStatementTests {
    @Test("saving a proposal finds the members it concerns by proposal, not by reading every proposal's members")
    func membersForgottenByProposal() async throws {
        let database = try ServiceDatabase.inMemory(migrations: TrackerSchema.migrations)
        let (plan, members) = try await database.writeSession { db -> ([String], [Int64]) in
            for n in 1...50 {
                var p = ProposalV1.Proposal()
                p.title = "提案\(n)"
                p.term = 5
                p.session = 1
                p.proposerMemberID = Int64(n % 9 + 1)
                p = try ProposalStore.insert(db, p)
                var c = ProposalV1.Cosigner()
                c.memberID = Int64(n % 9 + 20)
                c.decision = .signed
                p.cosigners = [c]
                try ProposalStore.save(db, p)
            }
            let plan = try db.rows("EXPLAIN QUERY PLAN " + ProposalStore.membersOfProposalForgotten, [7]).map { $0["detail"] as String }
            let members = try db.column("SELECT member_id FROM proposal_members WHERE proposal_id = ? ORDER BY member_id", [7], as: Int64.self)
            return (plan, members)
        }
        #expect(plan == ["SEARCH proposal_members USING COVERING INDEX proposal_members_by_proposal (proposal_id=?)"])
        #expect(members == [8, 27], "proposal 7's proposer and co-signer, as its last save wrote them")
    }
}
