import XieshangLabels
import XieshangService
import XieshangWire

/// The proposal lifecycle as data: which action is allowed from which states, who may take
/// it, what it needs, and where it leads (docs/DOMAIN.md, "Proposals"). The handlers
/// consult this table; nothing else decides what is allowed.
public enum ProposalWorkflow {
    public typealias State = ProposalV1.ProposalState
    public typealias Action = ProposalV1.Action

    /// Who may take an action.
    public enum Who: Sendable {
        case staff
        /// The proposer (or staff, for a joint proposal that has no proposing member).
        case proposer
        /// A member invited to co-sign.
        case invitedMember
        case leadUnit
        /// The lead unit or an assisting unit.
        case assignedUnit
        /// An assisting unit (协办), for the 会签 of the lead unit's reply.
        case assistingUnit
        /// A member who signed the proposal as co-signer.
        case signedCosigner
    }

    /// What a request must carry for an action.
    public enum Need: Sendable {
        case reason, members, leadUnit, replyClass, contactMethod, text, satisfaction, mergeTarget, channel, deadline
        /// The supervising leader of a key proposal, and the 主席会议 that chose it.
        case supervisor, meeting
    }

    public struct Rule: Sendable {
        public let action: Action
        public let from: [State]
        /// Where it leads; nil leaves the state as it is.
        public let to: State?
        public let who: Who
        public let needs: [Need]
    }

    public static let rules: [Rule] = [
        Rule(action: .inviteCosigners, from: [.draft], to: .collecting, who: .proposer, needs: [.members]),
        Rule(action: .cosign, from: [.collecting], to: nil, who: .invitedMember, needs: []),
        Rule(action: .decline, from: [.collecting], to: nil, who: .invitedMember, needs: []),
        Rule(action: .submit, from: [.draft, .collecting], to: .submitted, who: .proposer, needs: []),
        Rule(action: .file, from: [.submitted], to: .filed, who: .staff, needs: []),
        Rule(action: .notFile, from: [.submitted], to: .notFiled, who: .staff, needs: [.reason]),
        Rule(action: .merge, from: [.submitted], to: .merged, who: .staff, needs: [.mergeTarget]),
        Rule(action: .refer, from: [.submitted], to: .referred, who: .staff, needs: [.channel]),
        Rule(action: .return, from: [.submitted], to: .draft, who: .staff, needs: [.reason]),
        Rule(action: .withdraw, from: [.draft, .collecting, .submitted], to: .withdrawn, who: .proposer, needs: [.reason]),
        Rule(action: .assign, from: [.filed], to: .assigned, who: .staff, needs: [.leadUnit]),
        Rule(action: .signFor, from: [.assigned], to: .inHandling, who: .leadUnit, needs: []),
        Rule(action: .requestReturn, from: [.assigned, .inHandling], to: .returnRequested, who: .assignedUnit, needs: [.reason]),
        Rule(action: .reassign, from: [.returnRequested], to: .assigned, who: .staff, needs: [.leadUnit]),
        Rule(action: .extend, from: [.assigned, .inHandling, .countersigning], to: nil, who: .staff, needs: [.deadline]),
        // A unit asks; the office decides (extend, or not).
        Rule(action: .requestExtension, from: [.assigned, .inHandling, .countersigning], to: nil, who: .assignedUnit, needs: [.reason, .deadline]),
        // With assisting units, the reply waits for their 会签 (countersigning); without, it goes
        // to the proposer (see `destination`).
        Rule(action: .reply, from: [.inHandling], to: .replied, who: .leadUnit, needs: [.replyClass, .contactMethod, .text]),
        // The last assisting unit to agree sends the reply (see `destination`).
        Rule(action: .countersign, from: [.countersigning], to: nil, who: .assistingUnit, needs: []),
        Rule(action: .returnReply, from: [.countersigning], to: .inHandling, who: .assistingUnit, needs: [.reason]),
        Rule(action: .feedback, from: [.replied], to: .feedback, who: .proposer, needs: [.satisfaction]),
        Rule(action: .close, from: [.feedback], to: .closed, who: .staff, needs: []),
        Rule(action: .track, from: [.feedback, .closed], to: nil, who: .staff, needs: [.reason]),
        // The 主席会议's choice of 重点提案, recorded by staff, until the reply is sent.
        Rule(action: .designateKey, from: [.filed, .assigned, .returnRequested, .inHandling, .countersigning], to: nil, who: .staff,
             needs: [.supervisor, .meeting]),
        Rule(action: .opinion, from: [.replied, .feedback, .closed], to: nil, who: .signedCosigner, needs: [.satisfaction]),
    ]

    /// The actions allowed from a state.
    public static func allowed(from state: State) -> [Action] {
        rules.filter { $0.from.contains(state) }.map(\.action)
    }

    /// The rule for an action from a state; nil when the workflow does not allow it.
    public static func rule(_ action: Action, from state: State) -> Rule? {
        rules.first { $0.action == action && $0.from.contains(state) }
    }

    /// Where an action leads for this proposal (after the action's changes): 不满意 sends it
    /// back to handling, once; a reply with assisting units waits for their 会签; the last
    /// assisting unit to agree sends it to the proposer.
    public static func destination(_ rule: Rule, _ p: ProposalV1.Proposal, satisfaction: ProposalV1.Satisfaction) -> State? {
        switch rule.action {
        case .feedback where satisfaction == .dissatisfied && !p.rehandled: return .inHandling
        case .reply where !p.signoffs.isEmpty: return .countersigning
        case .countersign where p.signoffs.allSatisfy { $0.decision == .agreed }: return .replied
        default: return rule.to
        }
    }

    /// A unit may ask to be reassigned only this long after the assignment.
    public static let returnWindowMs: Int64 = 10 * 86_400_000
    /// The handling deadline when staff give none: three months (90 days).
    public static let defaultDeadlineMs: Int64 = 90 * 86_400_000

    /// What a refusal says: the state, and what it allows.
    public static func refusal(_ action: Action, _ state: State) -> String {
        let allowed = allowed(from: state).map { "\($0.identifier) (\($0.label))" }
        return "cannot \(action.identifier) (\(action.label)) a proposal that is \(state.identifier) (\(state.label)); "
            + (allowed.isEmpty ? "nothing more can be done with it" : "allowed: \(allowed.joined(separator: ", "))")
    }

    /// The refusal of `action` in `state` (FAILED_PRECONDITION on `action`), said in Chinese
    /// too: the state, without the actions of others it allows.
    public static func refused(_ action: Action, _ state: State) -> ProposalError {
        ProposalError.notAllowed(field: "action", refusal(action, state))
            .saying("这件提案目前为「\(state.label)」，不能「\(action.label)」。")
    }
}
