import Foundation
import XieshangService
import XieshangLabels
import XieshangWire

/// The figures of a period that the committee's report uses.
enum TrackerStatistics {
    /// The proposals filed in the period, by lead unit: assigned, answered and on time by the
    /// period's end, their final reply classes and their proposers' last feedback.
    static func unitHandling(_ db: any SQLSession, filed: Set<Int64>, until to: Int64) throws -> [ProposalV1.UnitHandling] {
        var units: [Int64: ProposalV1.UnitHandling] = [:]
        var classes: [Int64: [String: Int32]] = [:]
        for id in filed.sorted() {
            let p = try ProposalStore.load(db, id)
            guard p.leadUnitID != 0 else { continue }
            var u = units[p.leadUnitID] ?? ProposalV1.UnitHandling()
            u.unitID = p.leadUnitID
            u.unitName = p.leadUnitName
            u.assigned += 1
            let steps = try db.column("SELECT body FROM transitions WHERE proposal_id = ? AND action IN (?, ?, ?) AND at_ms < ? ORDER BY id",
                                          [id, ProposalV1.Action.reply.rawValue, ProposalV1.Action.countersign.rawValue,
                                                      ProposalV1.Action.feedback.rawValue, to], as: [UInt8].self)
                .map { try ProposalV1.Transition(decoding: [UInt8]($0)) }
            let replies = steps.filter(\.sentReply)
            if let first = replies.first {
                u.answered += 1
                if p.deadlineMs == 0 || first.atMs <= p.deadlineMs { u.answeredOnTime += 1 }
                let last = replies.last?.givenReplyClass ?? p.replyClass
                classes[p.leadUnitID, default: [:]][last.identifier.uppercased(), default: 0] += 1
            }
            switch steps.last(where: { $0.action == .feedback })?.givenSatisfaction {
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

    static func compute(_ db: any SQLSession, _ r: ProposalV1.StatisticsRequest, now: Int64, replyClasses: ReplyClasses = .standard) throws -> ProposalV1.StatisticsResponse {
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
        let created = try db.column("SELECT body FROM proposals WHERE created_at_ms >= ? AND created_at_ms < ?", [from, to], as: [UInt8].self)
            .map { try ProposalV1.Proposal(decoding: [UInt8]($0)) }
        var byState: [String: Int] = [:]
        for p in created { byState[p.state.identifier, default: 0] += 1 }
        s.byState = byState.sorted { $0.key < $1.key }.map { count($0.key, $0.value) }
        // What happened in the period, from the transitions.
        let transitions = try db.column("SELECT body FROM transitions WHERE at_ms >= ? AND at_ms < ? ORDER BY id", [from, to], as: [UInt8].self)
            .map { try ProposalV1.Transition(decoding: [UInt8]($0)) }
        func happened(_ action: ProposalV1.Action) -> [ProposalV1.Transition] { transitions.filter { $0.action == action } }
        s.submitted = Int32(happened(.submit).count)
        s.filed = Int32(happened(.file).count)
        s.notFiled = Int32(happened(.notFile).count)
        s.merged = Int32(happened(.merge).count)
        s.referred = Int32(happened(.refer).count)
        // Each proposal replied to in the period counts once, by the class of its last reply
        // in the period: a proposal answered B and then, re-handled, A is an A. A reply counts
        // when it goes to the proposer: at once, or after its assisting units' 会签.
        let sent = try sentReplies(db, until: to)
        var lastReply: [Int64: ProposalV1.ReplyClass] = [:]
        for (proposalID, t) in sent where t.atMs >= from {
            lastReply[proposalID] = try t.givenReplyClass ?? ProposalStore.load(db, proposalID).replyClass
        }
        var replies: [String: Int] = [:]
        for replyClass in lastReply.values { replies[replyClass.identifier.uppercased(), default: 0] += 1 }
        s.repliesByClass = ["A", "B", "C", "D"].map { count($0, replies[$0] ?? 0) }
        s.replyClasses = replyClasses.definitions
        // 办复率 and the on-time rate, of the proposals filed in the period: answered by the
        // period's end, and first answered by the deadline in force.
        let filedIDs = Set(try db.column("SELECT DISTINCT proposal_id FROM transitions WHERE action = ? AND at_ms >= ? AND at_ms < ?",
                                              [ProposalV1.Action.file.rawValue, from, to], as: Int64.self))
        var firstReplies: [Int64: ProposalV1.Transition] = [:]
        for (proposalID, t) in sent where firstReplies[proposalID] == nil { firstReplies[proposalID] = t }
        for (proposalID, first) in firstReplies where filedIDs.contains(proposalID) {
            s.answered += 1
            let deadline = try ProposalStore.load(db, proposalID).deadlineMs
            if deadline == 0 || first.atMs <= deadline { s.answeredOnTime += 1 }
            if first.action == .countersign { s.countersigned += 1 }
        }
        s.answerRate = filedIDs.isEmpty ? 0 : Double(s.answered) / Double(filedIDs.count)
        s.onTimeRate = s.answered == 0 ? 0 : Double(s.answeredOnTime) / Double(s.answered)
        s.byUnit = try unitHandling(db, filed: filedIDs, until: to)
        try annualFigures(db, &s, filed: filedIDs, from: from, to: to)
        // Satisfaction counts each proposal once, by its last feedback in the period: a
        // proposal re-handled after 不满意 and then found 满意 is a satisfied one.
        var lastFeedback: [Int64: ProposalV1.Satisfaction] = [:]
        for row in try db.rows("SELECT proposal_id, body FROM transitions WHERE action = ? AND at_ms >= ? AND at_ms < ? ORDER BY id",
                                    [ProposalV1.Action.feedback.rawValue, from, to]) {
            let t = try ProposalV1.Transition(decoding: [UInt8](row["body"] as Data))
            lastFeedback[row["proposal_id"]] = t.givenSatisfaction
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
        let topics = try db.column("SELECT body FROM topics", as: [UInt8].self).map { try ProposalV1.Topic(decoding: [UInt8]($0)) }
        func stepIn(_ t: ProposalV1.Topic, _ step: ProposalV1.TopicStep) -> Bool {
            t.steps.contains { $0.step == step && $0.atMs >= from && $0.atMs < to }
        }
        s.topicsCollected = Int32(topics.filter { stepIn($0, .collected) }.count)
        s.topicsDecided = Int32(topics.filter { stepIn($0, .decided) }.count)
        s.topicsSolved = Int32(topics.filter { stepIn($0, .feedback) && $0.solved }.count)
        var plan: [Int64: ProposalV1.PlanItemTopics] = [:]
        for t in topics where t.planItemID != 0 {
            var p = plan[t.planItemID] ?? ProposalV1.PlanItemTopics()
            p.planItemID = t.planItemID
            p.topics += 1
            if t.steps.contains(where: { $0.step == .consulted }) { p.consulted += 1 }
            if t.step == .feedback && t.solved { p.solved += 1 }
            plan[t.planItemID] = p
        }
        s.planTopics = plan.keys.sorted().map { plan[$0]! }
        return s
    }
}

extension TrackerStatistics {
    /// Every step that sent a reply to a proposer before `to`, oldest first: a reply without
    /// assisting units, or the last assisting unit's 会签.
    static func sentReplies(_ db: any SQLSession, until to: Int64) throws -> [(proposal: Int64, step: ProposalV1.Transition)] {
        try db.rows("SELECT proposal_id, body FROM transitions WHERE action IN (?, ?) AND at_ms < ? ORDER BY id",
                         [ProposalV1.Action.reply.rawValue, ProposalV1.Action.countersign.rawValue, to])
            .map { (proposal: $0["proposal_id"] as Int64, step: try ProposalV1.Transition(decoding: [UInt8]($0["body"] as Data))) }
            .filter { $0.step.sentReply }
    }

    /// The annual 提案工作报告's figures of the proposals filed in the period: by whom (members
    /// or jointly), when (大会期间 or 平时), by category; and every key proposal chosen in the
    /// period with where it stands.
    static func annualFigures(_ db: any SQLSession, _ s: inout ProposalV1.StatisticsResponse, filed: Set<Int64>, from: Int64, to: Int64) throws {
        var categories: [String: Int32] = [:]
        for id in filed {
            let p = try ProposalStore.load(db, id)
            if p.proposerMemberID != 0 { s.filedByMembers += 1 } else { s.filedJointly += 1 }
            if p.duringPlenary { s.filedDuringPlenary += 1 }
            let category = p.category.trimmingCharacters(in: .whitespaces)
            categories[category.isEmpty ? "未分类" : category, default: 0] += 1
        }
        s.filedByCategory = categories.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map {
            var c = ProposalV1.CountByName()
            c.name = $0.key
            c.count = $0.value
            return c
        }
        var designated: [Int64: Int64] = [:]
        for row in try db.rows("SELECT proposal_id, at_ms FROM transitions WHERE action = ? AND at_ms >= ? AND at_ms < ? ORDER BY id",
                                    [ProposalV1.Action.designateKey.rawValue, from, to]) {
            designated[row["proposal_id"]] = row["at_ms"]
        }
        s.keyProposals = try designated.keys.sorted().map { id in
            let p = try ProposalStore.load(db, id)
            var k = ProposalV1.KeyProposal()
            k.proposalID = p.id
            k.number = p.number
            k.title = p.title
            k.supervisorName = p.supervisorName
            k.leadUnitName = p.leadUnitName
            k.state = p.state
            k.replyClass = p.repliedAtMs == 0 ? .unspecified : p.replyClass
            k.satisfaction = p.satisfaction
            k.designatedAtMs = designated[id] ?? 0
            return k
        }
    }
}

extension ProposalV1.Transition {
    /// Whether this step sent a reply to the proposer.
    var sentReply: Bool { to == .replied && (action == .reply || action == .countersign) }

    /// The class a reply step gave: recorded on the step, or, on steps written before it was,
    /// named in its change text ("reply B类 by 面谈").
    var givenReplyClass: ProposalV1.ReplyClass? {
        if replyClass != .unspecified { return replyClass }
        return changes.first.flatMap { change in ProposalV1.ReplyClass.allCases.first { $0 != .unspecified && change.contains($0.label) } }
    }

    /// The satisfaction a feedback step recorded: on the step, or its change text's label.
    var givenSatisfaction: ProposalV1.Satisfaction? {
        if satisfaction != .unspecified { return satisfaction }
        return changes.first.flatMap { label in ProposalV1.Satisfaction.allCases.first { $0 != .unspecified && $0.label == label } }
    }
}
