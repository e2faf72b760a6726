import Foundation
import GRDB
import XieshangLabels
import XieshangWire

/// The figures of a period that the committee's report uses.
enum TrackerStatistics {
    /// The proposals filed in the period, by lead unit: assigned, answered and on time by the
    /// period's end, their final reply classes and their proposers' last feedback.
    static func unitHandling(_ db: Database, filed: Set<Int64>, until to: Int64) throws -> [ProposalV1.UnitHandling] {
        var units: [Int64: ProposalV1.UnitHandling] = [:]
        var classes: [Int64: [String: Int32]] = [:]
        for id in filed.sorted() {
            let p = try ProposalStore.load(db, id)
            guard p.leadUnitID != 0 else { continue }
            var u = units[p.leadUnitID] ?? ProposalV1.UnitHandling()
            u.unitID = p.leadUnitID
            u.unitName = p.leadUnitName
            u.assigned += 1
            let steps = try Data.fetchAll(db, sql: "SELECT body FROM transitions WHERE proposal_id = ? AND action IN (?, ?) AND at_ms < ? ORDER BY id",
                                          arguments: [id, ProposalV1.Action.reply.rawValue, ProposalV1.Action.feedback.rawValue, to])
                .map { try ProposalV1.Transition(decoding: [UInt8]($0)) }
            let replies = steps.filter { $0.action == .reply }
            if let first = replies.first {
                u.answered += 1
                if p.deadlineMs == 0 || first.atMs <= p.deadlineMs { u.answeredOnTime += 1 }
                let last = replies.last?.replyClass ?? p.replyClass
                classes[p.leadUnitID, default: [:]][last.identifier.uppercased(), default: 0] += 1
            }
            switch steps.last(where: { $0.action == .feedback })?.satisfaction {
            case .satisfied?: u.satisfied += 1
            case .basically?: u.basicallySatisfied += 1
            case .dissatisfied?: u.dissatisfied += 1
            default: break
            }
            units[p.leadUnitID] = u
        }
        return units.values.sorted { $0.unitID < $1.unitID }.map { unit in
            var u = unit
            u.finalClasses = ["A", "B", "C", "D"].map { name in
                var c = ProposalV1.CountByName()
                c.name = name
                c.count = classes[u.unitID]?[name] ?? 0
                return c
            }
            return u
        }
    }

    static func compute(_ db: Database, _ r: ProposalV1.StatisticsRequest, now: Int64, replyClasses: ReplyClasses = .standard) throws -> ProposalV1.StatisticsResponse {
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
        // Each proposal replied to in the period counts once, by the class of its last reply
        // in the period: a proposal answered B and then, re-handled, A is an A.
        var lastReply: [Int64: ProposalV1.ReplyClass] = [:]
        let replyRows = try Row.fetchAll(db, sql: "SELECT proposal_id, body FROM transitions WHERE action = ? AND at_ms >= ? AND at_ms < ? ORDER BY id",
                                         arguments: [ProposalV1.Action.reply.rawValue, from, to])
        for row in replyRows {
            let t = try ProposalV1.Transition(decoding: [UInt8](row["body"] as Data))
            // The class is in the change text; the proposal has the latest one.
            let proposalID: Int64 = row["proposal_id"]
            lastReply[proposalID] = try t.replyClass ?? ProposalStore.load(db, proposalID).replyClass
        }
        var replies: [String: Int] = [:]
        for replyClass in lastReply.values { replies[replyClass.identifier.uppercased(), default: 0] += 1 }
        s.repliesByClass = ["A", "B", "C", "D"].map { count($0, replies[$0] ?? 0) }
        s.replyClasses = replyClasses.definitions
        // 办复率 and the on-time rate, of the proposals filed in the period: answered by the
        // period's end, and first answered by the deadline in force.
        let filedIDs = Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT proposal_id FROM transitions WHERE action = ? AND at_ms >= ? AND at_ms < ?",
                                              arguments: [ProposalV1.Action.file.rawValue, from, to]))
        let firstReplies = try Row.fetchAll(db, sql: "SELECT proposal_id, MIN(at_ms) AS first FROM transitions WHERE action = ? AND at_ms < ? GROUP BY proposal_id",
                                            arguments: [ProposalV1.Action.reply.rawValue, to])
        for row in firstReplies {
            let proposalID: Int64 = row["proposal_id"]
            guard filedIDs.contains(proposalID) else { continue }
            s.answered += 1
            let deadline = try ProposalStore.load(db, proposalID).deadlineMs
            if deadline == 0 || (row["first"] as Int64) <= deadline { s.answeredOnTime += 1 }
        }
        s.answerRate = filedIDs.isEmpty ? 0 : Double(s.answered) / Double(filedIDs.count)
        s.onTimeRate = s.answered == 0 ? 0 : Double(s.answeredOnTime) / Double(s.answered)
        s.byUnit = try unitHandling(db, filed: filedIDs, until: to)
        // Satisfaction counts each proposal once, by its last feedback in the period: a
        // proposal re-handled after 不满意 and then found 满意 is a satisfied one.
        var lastFeedback: [Int64: ProposalV1.Satisfaction] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT proposal_id, body FROM transitions WHERE action = ? AND at_ms >= ? AND at_ms < ? ORDER BY id",
                                    arguments: [ProposalV1.Action.feedback.rawValue, from, to]) {
            let t = try ProposalV1.Transition(decoding: [UInt8](row["body"] as Data))
            lastFeedback[row["proposal_id"]] = t.satisfaction
        }
        for satisfaction in lastFeedback.values {
            switch satisfaction {
            case .satisfied: s.satisfied += 1
            case .basically: s.basicallySatisfied += 1
            case .dissatisfied: s.dissatisfied += 1
            default: break
            }
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

extension ProposalV1.Transition {
    /// The class a reply step gave: its change text names it ("reply B类 by 面谈").
    var replyClass: ProposalV1.ReplyClass? {
        changes.first.flatMap { change in ProposalV1.ReplyClass.allCases.first { $0 != .unspecified && change.contains($0.label) } }
    }

    /// The satisfaction a feedback step recorded: its change text is the label.
    var satisfaction: ProposalV1.Satisfaction? {
        changes.first.flatMap { label in ProposalV1.Satisfaction.allCases.first { $0 != .unspecified && $0.label == label } }
    }
}
