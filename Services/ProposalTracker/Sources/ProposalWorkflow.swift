import XieshangLabels
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
    }

    /// What a request must carry for an action.
    public enum Need: Sendable {
        case reason, members, leadUnit, replyClass, contactMethod, text, satisfaction, mergeTarget, channel, deadline
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
        Rule(action: .extend, from: [.assigned, .inHandling], to: nil, who: .staff, needs: [.deadline]),
        Rule(action: .reply, from: [.inHandling], to: .replied, who: .leadUnit, needs: [.replyClass, .contactMethod, .text]),
        Rule(action: .feedback, from: [.replied], to: .feedback, who: .proposer, needs: [.satisfaction]),
        Rule(action: .close, from: [.feedback], to: .closed, who: .staff, needs: []),
        Rule(action: .track, from: [.feedback, .closed], to: nil, who: .staff, needs: [.reason]),
    ]

    /// The actions allowed from a state.
    public static func allowed(from state: State) -> [Action] {
        rules.filter { $0.from.contains(state) }.map(\.action)
    }

    /// The rule for an action from a state; nil when the workflow does not allow it.
    public static func rule(_ action: Action, from state: State) -> Rule? {
        rules.first { $0.action == action && $0.from.contains(state) }
    }

    /// Where a feedback leads: 不满意 sends the proposal back to handling, once.
    public static func destination(_ rule: Rule, satisfaction: ProposalV1.Satisfaction, rehandled: Bool) -> State? {
        if rule.action == .feedback && satisfaction == .dissatisfied && !rehandled { return .inHandling }
        return rule.to
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
}
