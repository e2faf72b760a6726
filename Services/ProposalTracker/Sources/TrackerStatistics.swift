import Foundation
import GRDB
import XieshangLabels
import XieshangWire

/// The figures of a period that the committee's report uses.
enum TrackerStatistics {
    static func compute(_ db: Database, _ r: ProposalV1.StatisticsRequest, now: Int64) throws -> ProposalV1.StatisticsResponse {
        let from = r.fromMs
        let to = r.toMs == 0 ? Int64.max : r.toMs
        var s = ProposalV1.StatisticsResponse()
        func count(_ name: String, _ n: Int) -> ProposalV1.CountByName {
            var c = ProposalV1.CountByName()
            c.name = name
            c.count = Int32(n)
            return c
        }
        // Proposals created in the period, by their state now.
        let created = try Data.fetchAll(db, sql: "SELECT body FROM proposals WHERE created_at_ms >= ? AND created_at_ms < ?", arguments: [from, to])
            .map { try ProposalV1.Proposal(decoding: [UInt8]($0)) }
        var byState: [String: Int] = [:]
        for p in created { byState[p.state.identifier, default: 0] += 1 }
        s.byState = byState.sorted { $0.key < $1.key }.map { count($0.key, $0.value) }
        // What happened in the period, from the transitions.
        let transitions = try Data.fetchAll(db, sql: "SELECT body FROM transitions WHERE at_ms >= ? AND at_ms < ? ORDER BY id", arguments: [from, to])
            .map { try ProposalV1.Transition(decoding: [UInt8]($0)) }
        func happened(_ action: ProposalV1.Action) -> [ProposalV1.Transition] { transitions.filter { $0.action == action } }
        s.submitted = Int32(happened(.submit).count)
        s.filed = Int32(happened(.file).count)
        s.notFiled = Int32(happened(.notFile).count)
        s.merged = Int32(happened(.merge).count)
        s.referred = Int32(happened(.refer).count)
        var replies: [String: Int] = [:]
        let replyRows = try Row.fetchAll(db, sql: "SELECT proposal_id, body FROM transitions WHERE action = ? AND at_ms >= ? AND at_ms < ?",
                                         arguments: [ProposalV1.Action.reply.rawValue, from, to])
        for row in replyRows {
            let t = try ProposalV1.Transition(decoding: [UInt8](row["body"] as Data))
            // The class is in the change text; the proposal has the latest one.
            let proposal = try ProposalStore.load(db, row["proposal_id"])
            let label = t.changes.first.flatMap { change in ProposalV1.ReplyClass.allCases.first { change.contains($0.label) && $0 != .unspecified } }
                ?? proposal.replyClass
            replies[label.identifier.uppercased(), default: 0] += 1
        }
        s.repliesByClass = ["A", "B", "C", "D"].map { count($0, replies[$0] ?? 0) }
        // Satisfaction counts each proposal once, by its last feedback in the period: a
        // proposal re-handled after 不满意 and then found 满意 is a satisfied one.
        var lastFeedback: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT proposal_id, body FROM transitions WHERE action = ? AND at_ms >= ? AND at_ms < ? ORDER BY id",
                                    arguments: [ProposalV1.Action.feedback.rawValue, from, to]) {
            let t = try ProposalV1.Transition(decoding: [UInt8](row["body"] as Data))
            lastFeedback[row["proposal_id"]] = t.changes.first ?? ""
        }
        for label in lastFeedback.values {
            if label == ProposalV1.Satisfaction.satisfied.label { s.satisfied += 1 }
            else if label == ProposalV1.Satisfaction.basically.label { s.basicallySatisfied += 1 }
            else if label == ProposalV1.Satisfaction.dissatisfied.label { s.dissatisfied += 1 }
        }
        let feedback = s.satisfied + s.basicallySatisfied + s.dissatisfied
        s.satisfactionRate = feedback == 0 ? 0 : Double(s.satisfied + s.basicallySatisfied) / Double(feedback)
        var overdue: [String: Int] = [:]
        for o in try ProposalStore.overdue(db, withinDays: 0, unit: 0, now: now) {
            overdue[o.proposal?.leadUnitName ?? "", default: 0] += 1
        }
        s.overdueByUnit = overdue.sorted { $0.key < $1.key }.map { count($0.key, $0.value) }
        var members: [Int64: ProposalV1.MemberProposalCount] = [:]
        for p in created where p.proposerMemberID != 0 {
            members[p.proposerMemberID, default: ProposalV1.MemberProposalCount()].memberID = p.proposerMemberID
            members[p.proposerMemberID]!.name = p.proposerName
            members[p.proposerMemberID]!.led += 1
            for c in p.cosigners where c.decision == .signed {
                members[c.memberID, default: ProposalV1.MemberProposalCount()].memberID = c.memberID
                members[c.memberID]!.name = c.name
                members[c.memberID]!.cosigned += 1
            }
        }
        s.byMember = members.values.sorted { $0.memberID < $1.memberID }
        let topics = try Data.fetchAll(db, sql: "SELECT body FROM topics").map { try ProposalV1.Topic(decoding: [UInt8]($0)) }
        func stepIn(_ t: ProposalV1.Topic, _ step: ProposalV1.TopicStep) -> Bool {
            t.steps.contains { $0.step == step && $0.atMs >= from && $0.atMs < to }
        }
        s.topicsCollected = Int32(topics.filter { stepIn($0, .collected) }.count)
        s.topicsDecided = Int32(topics.filter { stepIn($0, .decided) }.count)
        s.topicsSolved = Int32(topics.filter { stepIn($0, .feedback) && $0.solved }.count)
        return s
    }
}
