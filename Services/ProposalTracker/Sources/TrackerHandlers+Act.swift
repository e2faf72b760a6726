import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// Every step of the workflow (`Proposals/Act`): the table decides, the principal acts, the change, its transition and its event commit together.
extension TrackerHandlers {
    @Sendable func act(_ request: ProposalV1.ActRequest, _ context: RPCCallContext) async throws -> ProposalV1.ActResponse {
        let actor = try Self.actor(claimed: request.actor, context.principal)
        if let stored = try await database.storedReply(context, as: ProposalV1.ActResponse.self) { return stored }
        let current = try await database.readSession { db in try ProposalStore.load(db, request.id) }
        // Nothing about a proposal the caller may not read (its state, its units) reaches
        // them through a refusal's text.
        try Self.requireReadable(current, by: context.principal)
        guard let rule = ProposalWorkflow.rule(request.action, from: current.state) else {
            if case .unrecognized = request.action { throw ProposalError.invalid([("action", "unknown action")]) }
            if request.action == .unspecified { throw ProposalError.invalid([("action", RPCError.FieldProblem.missing)]) }
            throw ProposalWorkflow.refused(request.action, current.state)
        }
        try Self.checkNeeds(rule, request)
        // Ask the other services first, outside the transaction.
        var invited: [Int64: MemberV1.Member] = [:]
        var lead: MemberV1.Unit?
        if rule.needs.contains(.members) {
            invited = try await peers.members(Array(Set(request.memberIDs)).sorted(), term: current.term, field: "member_ids")
        }
        if rule.needs.contains(.leadUnit) {
            lead = try await peers.unit(request.leadUnitID, field: "lead_unit_id")
            for (index, id) in request.assistingUnitIDs.enumerated() { _ = try await peers.unit(id, field: "assisting_unit_ids[\(index)]") }
        }
        var supervisor: MemberV1.Member?
        if rule.needs.contains(.supervisor) {
            supervisor = try await peers.supervisor(request.supervisorMemberID, term: current.term, field: "supervisor_member_id")
            _ = try await peers.chairpersonsCouncil(request.meetingID, field: "meeting_id")
        }
        var signoffUnits: [MemberV1.Unit] = []
        if request.action == .reply && !current.assistingUnitIDs.isEmpty {
            signoffUnits = try await peers.signoffUnits(current.assistingUnitIDs)
        }
        // A referral to 社情民意 becomes an item of the proposer's, counted under their sector.
        var referredBy: MemberV1.Member?
        if request.action == .refer && request.channel.trimmingCharacters(in: .whitespaces) == Self.opinionChannel && current.proposerMemberID != 0 {
            referredBy = try await peers.member(current.proposerMemberID, field: "proposal.proposer_member_id")
        }
        let proposer = referredBy
        let leadUnit = lead
        let invitedMembers = invited
        let leader = supervisor
        let askedUnits = signoffUnits
        return try await database.idempotentSession(context) { [outbox] db in
            var p = try ProposalStore.load(db, request.id)
            try Self.requireReadable(p, by: context.principal)
            // The state may have moved since the check above: ask the table again.
            guard let rule = ProposalWorkflow.rule(request.action, from: p.state) else {
                throw ProposalWorkflow.refused(request.action, p.state)
            }
            try authorize(rule.who, actor, p)
            let before = p
            let now = ProposalStore.nowMs
            var changes: [String] = []
            var t = ProposalV1.Transition()
            switch request.action {
            case .inviteCosigners:
                for id in invitedMembers.keys.sorted() where id != p.proposerMemberID && !p.cosigners.contains(where: { $0.memberID == id }) {
                    var c = ProposalV1.Cosigner()
                    c.memberID = id
                    c.name = invitedMembers[id]?.name ?? ""
                    c.decision = .invited
                    p.cosigners.append(c)
                    changes.append("invited \(c.name)")
                }
            case .cosign, .decline:
                let index = p.cosigners.firstIndex { $0.memberID == actor.id }!
                p.cosigners[index].decision = request.action == .cosign ? .signed : .declined
                changes.append("\(p.cosigners[index].name) \(request.action == .cosign ? "signed" : "declined")")
            case .file:
                p.number = try ProposalStore.nextNumber(db, term: p.term, session: p.session)
                changes.append("number \(p.number)")
            case .notFile:
                p.notFiledReason = request.reason
            case .merge:
                guard request.mergeInto != p.id else { throw ProposalError.invalid([("merge_into", "a proposal cannot be merged into itself")]) }
                var leadProposal = try ProposalStore.load(db, request.mergeInto, field: "merge_into")
                guard [.filed, .assigned, .inHandling].contains(leadProposal.state) else {
                    throw ProposalError.notAllowed(field: "merge_into", "the lead proposal \(leadProposal.id) is \(leadProposal.state.label), not filed")
                        .saying("要并入的提案目前为「\(leadProposal.state.label)」，不是已立案办理中的提案，不能并入。")
                }
                p.mergedInto = leadProposal.id
                let proposers = [p.proposerName] + p.cosigners.filter { $0.decision == .signed }.map(\.name)
                leadProposal.mergedProposers += proposers.filter { !$0.isEmpty && !leadProposal.mergedProposers.contains($0) }
                try ProposalStore.save(db, leadProposal)
                changes.append("merged into \(leadProposal.number.isEmpty ? String(leadProposal.id) : leadProposal.number)")
            case .refer:
                p.referralChannel = request.channel.trimmingCharacters(in: .whitespaces)
                if p.referralChannel == Self.opinionChannel {
                    let item = try Self.referToOpinion(db, outbox, context, p, proposer: proposer, actor: actor, at: now)
                    changes.append("社情民意 item \(item)")
                }
            case .assign, .reassign:
                p.leadUnitID = request.leadUnitID
                p.leadUnitName = leadUnit?.name ?? ""
                p.assistingUnitIDs = Array(Set(request.assistingUnitIDs)).filter { $0 != request.leadUnitID }.sorted()
                p.assignedAtMs = now
                p.deadlineMs = request.deadlineMs != 0 ? request.deadlineMs : now + ProposalWorkflow.defaultDeadlineMs
                if p.deadlineMs <= now { throw ProposalError.invalid([("deadline_ms", "must be in the future")]) }
                changes.append("lead unit \(p.leadUnitName), deadline \(Self.day(p.deadlineMs))")
            case .requestReturn:
                if now - p.assignedAtMs > ProposalWorkflow.returnWindowMs {
                    throw ProposalError.notAllowed(field: "action", "a unit may ask to be reassigned within 10 days of the assignment; proposal \(p.id) was assigned \((now - p.assignedAtMs) / 86_400_000) days ago")
                        .saying("申退须在交办后 10 日内提出；这件提案交办已 \((now - p.assignedAtMs) / 86_400_000) 日。如确实不属本单位职责，请与提案委员会联系。")
                }
            case .extend:
                guard request.deadlineMs > p.deadlineMs else {
                    throw ProposalError.invalid([("deadline_ms", "an extension must be later than the current deadline")])
                }
                changes.append("deadline \(Self.day(p.deadlineMs)) → \(Self.day(request.deadlineMs))")
                p.deadlineMs = request.deadlineMs
            case .requestExtension:
                guard request.deadlineMs > p.deadlineMs else {
                    throw ProposalError.invalid([("deadline_ms", "ask for a date later than the current deadline (\(Self.day(p.deadlineMs)))")])
                        .saying("申请的办理期限要晚于现在的期限（\(Self.day(p.deadlineMs))）。")
                }
                // One request a unit at a time: until the office extends the deadline, asking
                // again would only fill the history and the office's inbox.
                let steps = try ProposalStore.history(db, p.id)
                let lastExtended = steps.lastIndex { $0.action == .extend } ?? -1
                if steps.enumerated().contains(where: { $0.offset > lastExtended && $0.element.action == .requestExtension
                                                     && $0.element.actor?.kind == .unit && $0.element.actor?.id == actor.id }) {
                    throw ProposalError.notAllowed(field: "action", "unit \(actor.id) already asked for a later deadline on proposal \(p.id); the office has not decided yet")
                        .saying("已申请过延期，提案委员会尚未决定；决定之前不能再次申请。")
                }
                changes.append("asks for deadline \(Self.day(p.deadlineMs)) → \(Self.day(request.deadlineMs))")
            case .reply:
                p.replyClass = request.replyClass
                p.contactMethod = request.contactMethod
                p.replyText = request.text
                changes.append("reply \(request.replyClass.label) by \(request.contactMethod.label)")
                // The assisting units named when it was assigned sign off the reply first
                // (会签); only those still taking proposals are asked.
                p.signoffs = askedUnits.filter { p.assistingUnitIDs.contains($0.id) }.map { unit in
                    var s = ProposalV1.UnitSignoff()
                    s.unitID = unit.id
                    s.unitName = unit.name
                    s.decision = .pending
                    return s
                }
                p.replyDraftedAtMs = now
                if p.signoffs.isEmpty {
                    p.repliedAtMs = now
                    t.replyClass = request.replyClass
                } else {
                    changes.append("to \(p.signoffs.map(\.unitName).joined(separator: "、")) for 会签")
                }
            case .countersign, .returnReply:
                guard let index = p.signoffs.firstIndex(where: { $0.unitID == actor.id }) else {
                    throw ProposalError.notAllowed(field: "action", "unit \(actor.id) is not asked to 会签 the reply to proposal \(p.id)")
                        .saying("这件提案的答复没有请本单位会签。")
                }
                guard p.signoffs[index].decision == .pending else {
                    throw ProposalError.notAllowed(field: "action", "\(p.signoffs[index].unitName) has already signed off this reply (\(p.signoffs[index].decision.label))")
                        .saying("\(p.signoffs[index].unitName)已会签过这份答复（\(p.signoffs[index].decision.label)）。")
                }
                p.signoffs[index].decision = request.action == .countersign ? .agreed : .returned
                p.signoffs[index].opinion = request.reason
                p.signoffs[index].atMs = now
                changes.append("\(p.signoffs[index].unitName) \(p.signoffs[index].decision.label)")
                if request.action == .countersign && p.signoffs.allSatisfy({ $0.decision == .agreed }) {
                    p.repliedAtMs = now
                    t.replyClass = p.replyClass
                    changes.append("reply \(p.replyClass.label) sent to the proposer")
                }
            case .feedback:
                p.satisfaction = request.satisfaction
                p.feedbackNote = request.reason
                t.satisfaction = request.satisfaction
                changes.append(request.satisfaction.label)
            case .opinion:
                let index = p.cosigners.firstIndex { $0.memberID == actor.id }!
                // One opinion a reply: a co-signer says it again only on a new reply.
                if p.cosigners[index].opinion != .unspecified && p.cosigners[index].opinionAtMs >= p.repliedAtMs {
                    throw ProposalError.notAllowed(field: "action", "\(p.cosigners[index].name) has already given an opinion on this reply (\(p.cosigners[index].opinion.label))")
                        .saying("\(p.cosigners[index].name)已对这份答复提出过意见（\(p.cosigners[index].opinion.label)）；有新的答复后才能再提。")
                }
                p.cosigners[index].opinion = request.satisfaction
                p.cosigners[index].opinionNote = request.reason
                p.cosigners[index].opinionAtMs = now
                t.satisfaction = request.satisfaction
                changes.append("\(p.cosigners[index].name): \(request.satisfaction.label)")
            case .designateKey:
                let name = leader?.name ?? ""
                if p.key && p.supervisorMemberID != request.supervisorMemberID {
                    changes.append("supervisor \(p.supervisorName) → \(name)")
                } else {
                    changes.append("key proposal, supervised by \(name)")
                }
                p.key = true
                p.supervisorMemberID = request.supervisorMemberID
                p.supervisorName = name
                p.keyMeetingID = request.meetingID
            case .track:
                p.trackingNotes.append(request.reason)
            case .submit, .return, .withdraw, .signFor, .close, .unspecified, .unrecognized:
                break
            }
            let destination = ProposalWorkflow.destination(rule, p, satisfaction: request.satisfaction)
            if request.action == .feedback && destination == .inHandling { p.rehandled = true }
            if let destination { p.state = destination }
            try ProposalStore.save(db, p)
            t.atMs = now
            t.actor = actor
            t.action = request.action
            t.from = before.state
            t.to = p.state
            t.reason = request.reason.isEmpty ? request.channel : request.reason
            t.changes = changes
            try ProposalStore.record(db, p.id, t)
            try event(db, outbox, context, DomainEvents.proposal(request.action)!, p, t)
            var response = ProposalV1.ActResponse()
            response.proposal = try ProposalStore.load(db, p.id)
            response.transition = t
            return response
        }.reply
    }

    /// A date as the committee writes it.
    static func day(_ ms: Int64) -> String { CommitteeClock.day(ms) }

    static func checkNeeds(_ rule: ProposalWorkflow.Rule, _ r: ProposalV1.ActRequest) throws {
        var problems: [(String, String)] = []
        for need in rule.needs {
            switch need {
            case .reason where r.reason.trimmingCharacters(in: .whitespaces).isEmpty:
                problems.append(("reason", RPCError.FieldProblem.empty))
            case .members where r.memberIDs.isEmpty:
                problems.append(("member_ids", "name the members invited to co-sign"))
            case .leadUnit where r.leadUnitID == 0:
                problems.append(("lead_unit_id", "name the lead unit (主办)"))
            case .replyClass where r.replyClass == .unspecified:
                problems.append(("reply_class", "a reply needs its class: A, B, C or D"))
            case .contactMethod where r.contactMethod == .unspecified:
                problems.append(("contact_method", "say how the member was contacted"))
            case .text where r.text.trimmingCharacters(in: .whitespaces).isEmpty:
                problems.append(("text", RPCError.FieldProblem.empty))
            case .satisfaction where r.satisfaction == .unspecified:
                problems.append(("satisfaction", "满意, 基本满意 or 不满意"))
            case .mergeTarget where r.mergeInto == 0:
                problems.append(("merge_into", "name the lead proposal"))
            case .channel where r.channel.trimmingCharacters(in: .whitespaces).isEmpty:
                problems.append(("channel", "name the channel: 意见建议 or 社情民意"))
            case .deadline where r.deadlineMs == 0:
                problems.append(("deadline_ms", "give the new deadline"))
            case .supervisor where r.supervisorMemberID == 0:
                problems.append(("supervisor_member_id", "name the 主席 or 副主席 who supervises it (领衔督办)"))
            case .meeting where r.meetingID == 0:
                problems.append(("meeting_id", "name the 主席会议 that chose it"))
            default:
                break
            }
        }
        if case .unrecognized = r.replyClass { problems.append(("reply_class", "unknown class")) }
        if case .unrecognized = r.satisfaction { problems.append(("satisfaction", "unknown value")) }
        if !problems.isEmpty { throw ProposalError.invalid(problems) }
    }
}
