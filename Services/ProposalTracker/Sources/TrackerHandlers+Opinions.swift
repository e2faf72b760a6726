import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// 社情民意 (`Opinions/…`): a member submits an item (or the office for them, or a proposal is
/// referred to it); the office edits, sends it up, and records its adoption and the leaders'
/// instructions. Each step, its record and its event commit together, once per request id.
extension TrackerHandlers {
    static let opinionChannel = "社情民意"
    /// The most items a member may have waiting (submitted, not yet handled) at once.
    static let maxWaitingOpinions = 100

    @Sendable func submitOpinion(_ request: ProposalV1.SubmitOpinionRequest, _ context: RPCCallContext) async throws -> ProposalV1.SubmitOpinionResponse {
        let memberID = try context.principal.scopedMember(request.memberID, field: "member_id")
        let title = request.title.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [(String, String)] = []
        if memberID == 0 { problems.append(("member_id", "name the member who reports it")) }
        if title.isEmpty { problems.append(("title", RPCError.FieldProblem.empty)) } else if title.count > 200 { problems.append(("title", "must be at most 200 characters")) }
        if request.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append(("body", RPCError.FieldProblem.empty)) }
        if !problems.isEmpty { throw ProposalError.invalid(problems) }
        if let stored = try await database.storedReply(context, as: ProposalV1.SubmitOpinionResponse.self) { return stored }
        let member = try await peers.members([memberID], term: 0, field: "member_id")[memberID] ?? MemberV1.Member()
        let actor = try Self.actor(claimed: nil, context.principal)
        let now = ProposalStore.nowMs
        var o = ProposalV1.Opinion()
        o.title = title
        o.body = request.body
        o.memberID = memberID
        o.memberName = member.name
        o.sector = member.sector
        o.state = .submitted
        o.submittedAtMs = now
        o.steps = [Self.opinionStep(.submit, actor, from: .unspecified, to: .submitted, note: "", at: now)]
        let ready = o
        let byMember = context.principal.memberID != nil
        let submitter = memberID
        return try await database.idempotentSession(context) { [outbox] db in
            // A member may keep only so many items waiting for the office.
            if byMember, try OpinionStore.waiting(db, member: submitter) >= Self.maxWaitingOpinions {
                throw ProposalError.exhausted("\(Self.maxWaitingOpinions) of member \(submitter)'s 社情民意 items wait for the office; submit more once it has handled them")
                    .saying("已有 \(Self.maxWaitingOpinions) 条社情民意在等待办公室处理；办公室处理后再报送。")
            }
            let saved = try OpinionStore.save(db, ready)
            try Self.opinionEvent(db, outbox, context, .submit, saved)
            var response = ProposalV1.SubmitOpinionResponse()
            response.opinion = saved
            return response
        }.reply
    }

    @Sendable func actOnOpinion(_ request: ProposalV1.ActOnOpinionRequest, _ context: RPCCallContext) async throws -> ProposalV1.ActOnOpinionResponse {
        let problems = OpinionWorkflow.problems(request)
        if !problems.isEmpty { throw ProposalError.invalid(problems) }
        if request.action == .edit && request.title.trimmingCharacters(in: .whitespacesAndNewlines).count > 200 {
            throw ProposalError.invalid([("title", "must be at most 200 characters")])
        }
        let actor = try Self.actor(claimed: nil, context.principal)
        return try await database.idempotentSession(context) { [outbox] db in
            var o = try OpinionStore.load(db, request.id)
            guard let rule = OpinionWorkflow.rule(request.action, from: o.state) else {
                throw OpinionWorkflow.refused(request.action, o.state)
            }
            let now = ProposalStore.nowMs
            let before = o.state
            var note = request.note
            switch request.action {
            case .edit:
                let title = request.title.trimmingCharacters(in: .whitespacesAndNewlines)
                if !title.isEmpty { o.title = title }
                if !request.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { o.body = request.body }
            case .report:
                if let sent = o.reports.first(where: { $0.level == request.level }) {
                    throw ProposalError.notAllowed(field: "level", "item \(o.id) was already sent to the \(request.level.label) level (\(sent.recipient))")
                        .saying("这条信息已经报送\(request.level.label)（\(sent.recipient)）。")
                }
                var report = ProposalV1.OpinionReport()
                report.level = request.level
                report.recipient = request.recipient.trimmingCharacters(in: .whitespaces)
                report.atMs = now
                o.reports.append(report)
                note = "\(request.level.label)：\(report.recipient)"
            case .adopt:
                guard o.reports.contains(where: { $0.level == request.level }) else {
                    throw ProposalError.notAllowed(field: "level", "item \(o.id) was not sent to the \(request.level.label) level; report it there first")
                        .saying("这条信息还没有报送\(request.level.label)，请先报送再记录采用。")
                }
                guard !o.adoptions.contains(where: { $0.level == request.level }) else {
                    throw ProposalError.notAllowed(field: "level", "item \(o.id) is already recorded as adopted at the \(request.level.label) level")
                        .saying("这条信息已记录为\(request.level.label)采用。")
                }
                var adoption = ProposalV1.OpinionAdoption()
                adoption.level = request.level
                adoption.usedIn = request.usedIn.trimmingCharacters(in: .whitespaces)
                adoption.atMs = now
                o.adoptions.append(adoption)
                note = "\(request.level.label)：\(adoption.usedIn)"
            case .instruct:
                var instruction = ProposalV1.OpinionInstruction()
                instruction.leader = request.leader.trimmingCharacters(in: .whitespaces)
                instruction.level = request.level
                instruction.text = request.text
                instruction.atMs = now
                o.instructions.append(instruction)
                note = "\(instruction.leader)：\(request.text)"
            case .decline:
                o.declineReason = request.note
            case .submit, .unspecified, .unrecognized:
                break
            }
            o.state = OpinionWorkflow.destination(rule, from: before)
            o.steps.append(Self.opinionStep(request.action, actor, from: before, to: o.state, note: note, at: now))
            let saved = try OpinionStore.save(db, o)
            try Self.opinionEvent(db, outbox, context, request.action, saved)
            var response = ProposalV1.ActOnOpinionResponse()
            response.opinion = saved
            return response
        }.reply
    }

    /// The office reads every item; a member only their own (a refusal says nothing of it).
    static func requireReadable(_ o: ProposalV1.Opinion, by principal: Principal) throws {
        if principal.isOffice || principal.role == .service { return }
        if let member = principal.memberID, member == o.memberID { return }
        throw ProposalError.permissionDenied("社情民意 item \(o.id) is not \(principal)'s")
    }

    /// A proposal referred to 社情民意 becomes an item of its proposer's, in the referral's own
    /// transaction (once: the item names the proposal).
    static func referToOpinion(_ db: any SQLSession, _ outbox: EventOutbox, _ context: RPCCallContext, _ p: ProposalV1.Proposal,
                               proposer: MemberV1.Member?, actor: ProposalV1.Actor, at now: Int64) throws -> Int64 {
        var o = ProposalV1.Opinion()
        o.title = p.title
        o.body = p.body
        o.memberID = p.proposerMemberID
        o.memberName = p.proposerName
        o.sector = proposer?.sector ?? ""
        o.proposalID = p.id
        o.state = .submitted
        o.submittedAtMs = now
        o.steps = [opinionStep(.submit, actor, from: .unspecified, to: .submitted, note: "由提案转来（提案 \(p.id)）", at: now)]
        let saved = try OpinionStore.save(db, o)
        try opinionEvent(db, outbox, context, .submit, saved)
        return saved.id
    }

    static func opinionStep(_ action: ProposalV1.OpinionAction, _ actor: ProposalV1.Actor, from: ProposalV1.OpinionState,
                            to: ProposalV1.OpinionState, note: String, at: Int64) -> ProposalV1.OpinionStep {
        var step = ProposalV1.OpinionStep()
        step.atMs = at
        step.actor = actor
        step.action = action
        step.from = from
        step.to = to
        step.note = note
        return step
    }

    static func opinionEvent(_ db: any SQLSession, _ outbox: EventOutbox, _ context: RPCCallContext, _ action: ProposalV1.OpinionAction, _ o: ProposalV1.Opinion) throws {
        var e = ProposalV1.OpinionEvent()
        e.opinion = o
        e.step = o.steps.last
        try outbox.append(DomainEvents.opinion(action)!, e, in: db, traceID: context.traceID)
    }

    func registerOpinions(into h: inout RPCHandlers) {
        h.register(ProposalV1.Opinions.submit, mutating: true, submitOpinion)
        h.register(ProposalV1.Opinions.act, mutating: true, actOnOpinion)
        h.register(ProposalV1.Opinions.get) { request, context in
            let opinion = try await database.readSession { db in try OpinionStore.load(db, request.id) }
            try Self.requireReadable(opinion, by: context.principal)
            var response = ProposalV1.GetOpinionResponse()
            response.opinion = opinion
            return response
        }
        h.register(ProposalV1.Opinions.list) { request, context in
            var request = request
            request.memberID = try context.principal.scopedMember(request.memberID, field: "member_id")
            if request.pageSize < 0 || request.pageSize > 500 { throw ProposalError.invalid([("page_size", "must be between 1 and 500")]) }
            let scoped = request
            return try await database.readSession { db in try OpinionStore.list(db, scoped) }
        }
        h.register(ProposalV1.Opinions.statistics) { request, _ in
            if request.toMs != 0 && request.toMs <= request.fromMs { throw ProposalError.invalid([("to_ms", "must be after from_ms")]) }
            return try await database.readSession { db in
                try OpinionStore.statistics(db, from: request.fromMs, to: request.toMs == 0 ? Int64.max : request.toMs)
            }
        }
    }
}
