import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// Who acts on a proposal and who may read it: the principal against the workflow's `Who`.
extension TrackerHandlers {
    /// Whether `actor` is who the workflow lets take an action (`who`) on `p`.
    static func permits(_ who: ProposalWorkflow.Who, _ actor: ProposalV1.Actor, _ p: ProposalV1.Proposal) -> Bool {
        switch who {
        case .staff: actor.kind == .staff
        case .proposer: (actor.kind == .member && actor.id == p.proposerMemberID && p.proposerMemberID != 0)
            || (actor.kind == .staff && p.proposerMemberID == 0)
        case .invitedMember: actor.kind == .member && p.cosigners.contains { $0.memberID == actor.id }
        case .leadUnit: actor.kind == .unit && actor.id == p.leadUnitID
        case .assignedUnit: actor.kind == .unit && (actor.id == p.leadUnitID || p.assistingUnitIDs.contains(actor.id))
        case .assistingUnit: actor.kind == .unit && p.assistingUnitIDs.contains(actor.id)
        case .signedCosigner: actor.kind == .member && p.cosigners.contains { $0.memberID == actor.id && $0.decision == .signed }
        }
    }

    /// Whether the workflow offers `action` on `p` to `actor` now: allowed from its state,
    /// by who they are, and what the action needs of them (an invitation still open, a
    /// sign-off still pending, no opinion yet on this reply). What `act` checks against the
    /// history (one open request for a later deadline, ten days to ask for a return) it
    /// refuses, saying why, when it is taken.
    static func offers(_ action: ProposalV1.Action, to actor: ProposalV1.Actor, _ p: ProposalV1.Proposal) -> Bool {
        guard let rule = ProposalWorkflow.rule(action, from: p.state), permits(rule.who, actor, p) else { return false }
        switch action {
        case .cosign, .decline: return p.cosigners.contains { $0.memberID == actor.id && $0.decision == .invited }
        case .countersign, .returnReply: return p.signoffs.contains { $0.unitID == actor.id && $0.decision == .pending }
        case .opinion: return p.cosigners.contains { $0.memberID == actor.id && ($0.opinion == .unspecified || $0.opinionAtMs < p.repliedAtMs) }
        default: return true
        }
    }

    func authorize(_ who: ProposalWorkflow.Who, _ actor: ProposalV1.Actor, _ p: ProposalV1.Proposal) throws {
        if !Self.permits(who, actor, p) {
            let whom: String
            switch who {
            case .staff: whom = "staff"
            case .proposer: whom = p.proposerMemberID == 0 ? "staff, for the joint proposer" : "the proposer (member \(p.proposerMemberID))"
            case .invitedMember: whom = "a member invited to co-sign"
            case .leadUnit: whom = "the lead unit (unit \(p.leadUnitID))"
            case .assignedUnit: whom = "a unit it is assigned to"
            case .assistingUnit: whom = "an assisting unit (协办)"
            case .signedCosigner: whom = "a member who co-signed it"
            }
            throw ProposalError.permissionDenied("only \(whom) may do this to proposal \(p.id)")
        }
    }

    /// Who acts, from the authenticated principal (docs/ARCHITECTURE.md, "Security"): a member acts
    /// as that member and a unit as that unit, whatever the request claims (a claim of
    /// someone else is refused); the office acts as staff, or on behalf of the member or
    /// unit it names (a paper submission, a reply by telephone). The record carries the
    /// principal's name, so the trail shows who really did it. Without CURVE (`--insecure`)
    /// every caller is the local administrator, and the claimed name is all there is.
    static func actor(claimed: ProposalV1.Actor?, _ principal: Principal) throws -> ProposalV1.Actor {
        let claim = claimed.flatMap { $0.kind == .unspecified ? nil : $0 }
        var actor = ProposalV1.Actor()
        if let member = principal.memberID {
            if let claim, claim.kind != .member || claim.id != member {
                throw ProposalError.permissionDenied("\(principal) acts as member \(member) only, not as \(describe(claim))")
            }
            actor.kind = .member
            actor.id = member
        } else if let unit = principal.unitID {
            if let claim, claim.kind != .unit || claim.id != unit {
                throw ProposalError.permissionDenied("\(principal) acts as unit \(unit) only, not as \(describe(claim))")
            }
            actor.kind = .unit
            actor.id = unit
        } else if principal.isOffice {
            actor = claim ?? ProposalV1.Actor()
            if claim == nil { actor.kind = .staff }
        } else {
            throw ProposalError.permissionDenied("\(principal) cannot act on proposals")
        }
        actor.name = principal == .local ? (claim?.name.isEmpty == false ? claim!.name : principal.description) : principal.actor
        return actor
    }

    static func describe(_ actor: ProposalV1.Actor) -> String {
        switch actor.kind {
        case .staff: "staff"
        case .member: "member \(actor.id)"
        case .unit: "unit \(actor.id)"
        default: "nobody"
        }
    }

    /// A public proposal past its draft is open to every caller; otherwise only to the
    /// office, the services, its proposer and co-signers, the leader supervising it when it
    /// is a key proposal, and the units it is assigned to.
    static func requireReadable(_ p: ProposalV1.Proposal, by principal: Principal) throws {
        if principal.isOffice || principal.role == .service || (p.`public` && p.state != .draft) { return }
        if let member = principal.memberID,
           member == p.proposerMemberID || p.cosigners.contains(where: { $0.memberID == member })
            || (p.key && member == p.supervisorMemberID) { return }
        if let unit = principal.unitID, unit == p.leadUnitID || p.assistingUnitIDs.contains(unit) { return }
        throw ProposalError.permissionDenied("proposal \(p.id) is not public; \(principal) is not among its proposers or units")
    }

    func actor(_ context: RPCCallContext, proposerOf p: ProposalV1.Proposal) -> ProposalV1.Actor {
        var a = ProposalV1.Actor()
        a.kind = p.proposerMemberID == 0 ? .staff : .member
        a.id = p.proposerMemberID
        a.name = context.principal.actor
        return a
    }

    func event(_ db: any SQLSession, _ outbox: EventOutbox, _ context: RPCCallContext, _ type: WireEvent<ProposalV1.ProposalEvent>, _ p: ProposalV1.Proposal, _ t: ProposalV1.Transition) throws {
        var e = ProposalV1.ProposalEvent()
        e.proposal = p
        e.transition = t
        try outbox.append(type, e, in: db, traceID: context.traceID)
    }
}
