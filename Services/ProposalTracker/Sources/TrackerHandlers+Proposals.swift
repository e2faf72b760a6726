import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// Drafting and editing proposals.
extension TrackerHandlers {
    static func problems(_ p: ProposalV1.Proposal) -> [(field: String, problem: String)] {
        var problems: [(String, String)] = []
        let title = p.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { problems.append(("proposal.title", RPCError.FieldProblem.empty)) }
        else if title.count > 200 { problems.append(("proposal.title", "must be at most 200 characters")) }
        if p.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append(("proposal.body", RPCError.FieldProblem.empty)) }
        if p.proposerMemberID == 0 && p.jointProposer.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(("proposal.proposer_member_id", "name the proposing member, or a joint_proposer (sector, party or committee)"))
        }
        if p.session < 0 { problems.append(("proposal.session", "must not be negative")) }
        if !p.`public` && p.notPublicReason.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(("proposal.not_public_reason", "say why the proposal is not public"))
        }
        for (index, a) in p.attachments.enumerated() {
            if a.name.isEmpty { problems.append(("proposal.attachments[\(index)].name", RPCError.FieldProblem.empty)) }
            if a.sha256.count != 64 || !a.sha256.allSatisfy(\.isHexDigit) {
                problems.append(("proposal.attachments[\(index)].sha256", "must be 64 hexadecimal digits"))
            }
        }
        return problems
    }

    @Sendable func create(_ request: ProposalV1.CreateProposalRequest, _ context: RPCCallContext) async throws -> ProposalV1.CreateProposalResponse {
        guard let input = request.proposal else { throw ProposalError.invalid([("proposal", RPCError.FieldProblem.missing)]) }
        // Only what a proposer writes is taken from the request; everything the workflow
        // decides later (its number, units, reply, the 主席会议's choice of key proposals) is not.
        var proposal = ProposalV1.Proposal()
        proposal.title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        proposal.body = input.body
        proposal.category = input.category
        proposal.proposerMemberID = input.proposerMemberID
        proposal.jointProposer = input.jointProposer
        proposal.term = input.term
        proposal.session = input.session
        proposal.duringPlenary = input.duringPlenary
        proposal.`public` = input.`public`
        proposal.notPublicReason = input.notPublicReason
        proposal.attachments = input.attachments
        let problems = Self.problems(proposal)
        if !problems.isEmpty { throw ProposalError.invalid(problems) }
        if let member = context.principal.memberID, proposal.proposerMemberID == 0 && proposal.jointProposer.isEmpty {
            proposal.proposerMemberID = member
        }
        if !context.principal.isOffice {
            try context.principal.requireMember(proposal.proposerMemberID, field: "proposal.proposer_member_id")
        }
        if let stored = try await database.storedReply(context, as: ProposalV1.CreateProposalResponse.self) { return stored }
        if proposal.term == 0 { proposal.term = try await peers.currentTerm() }
        if proposal.session == 0 { proposal.session = try await peers.session(term: proposal.term, at: ProposalStore.nowMs) }
        if proposal.proposerMemberID != 0 {
            let members = try await peers.members([proposal.proposerMemberID], term: proposal.term, field: "proposal.proposer_member_id")
            proposal.proposerName = members[proposal.proposerMemberID]?.name ?? ""
        } else {
            proposal.proposerName = proposal.jointProposer
        }
        proposal.state = .draft
        proposal.createdAtMs = ProposalStore.nowMs
        let ready = proposal
        return try await database.idempotentSession(context) { [outbox] db in
            let saved = try ProposalStore.insert(db, ready)
            var t = ProposalV1.Transition()
            t.atMs = saved.createdAtMs
            t.actor = actor(context, proposerOf: saved)
            t.to = .draft
            t.changes = ["created"]
            try ProposalStore.record(db, saved.id, t)
            try event(db, outbox, context, DomainEvents.proposalCreated, saved, t)
            var response = ProposalV1.CreateProposalResponse()
            response.proposal = saved
            return response
        }.reply
    }

    @Sendable func update(_ request: ProposalV1.UpdateProposalRequest, _ context: RPCCallContext) async throws -> ProposalV1.UpdateProposalResponse {
        guard let input = request.proposal else { throw ProposalError.invalid([("proposal", RPCError.FieldProblem.missing)]) }
        let actor = try Self.actor(claimed: request.actor, context.principal)
        return try await database.idempotentSession(context) { db in
            var p = try ProposalStore.load(db, input.id, field: "proposal.id")
            // Nothing about a proposal the caller may not read, not even its state.
            try Self.requireReadable(p, by: context.principal)
            guard p.state == .draft else {
                throw ProposalError.notAllowed(field: "proposal.id", "only a draft can be edited; proposal \(p.id) is \(p.state.identifier) (\(p.state.label))")
                    .saying("只有草稿可以修改；这件提案目前为「\(p.state.label)」。")
            }
            try authorize(.proposer, actor, p)
            var changes: [String] = []
            func change<T: Equatable>(_ name: String, _ old: T, _ new: T) { if old != new { changes.append(name) } }
            change("title", p.title, input.title)
            change("body", p.body, input.body)
            change("category", p.category, input.category)
            p.title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
            p.body = input.body
            p.category = input.category
            p.duringPlenary = input.duringPlenary
            p.`public` = input.`public`
            p.notPublicReason = input.notPublicReason
            p.attachments = input.attachments
            let problems = Self.problems(p)
            if !problems.isEmpty { throw ProposalError.invalid(problems) }
            try ProposalStore.save(db, p)
            var t = ProposalV1.Transition()
            t.atMs = ProposalStore.nowMs
            t.actor = actor
            t.from = p.state
            t.to = p.state
            t.changes = changes.map { "\($0) edited" }
            try ProposalStore.record(db, p.id, t)
            var response = ProposalV1.UpdateProposalResponse()
            response.proposal = try ProposalStore.load(db, p.id)
            return response
        }.reply
    }
}
