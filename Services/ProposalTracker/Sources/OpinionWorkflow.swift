import Foundation
import XieshangLabels
import XieshangService
import XieshangWire

/// 社情民意 as data, like the proposal workflow: for each action, the states it is allowed
/// from and where it leads (docs/DOMAIN.md, "社情民意"). Only the office acts on an item once it
/// is submitted.
public enum OpinionWorkflow {
    public typealias State = ProposalV1.OpinionState
    public typealias Action = ProposalV1.OpinionAction

    public struct Rule: Sendable {
        public let action: Action
        public let from: [State]
        /// Where it leads; nil leaves the state as it is.
        public let to: State?
    }

    public static let rules: [Rule] = [
        Rule(action: .edit, from: [.submitted], to: nil),
        // Sent to a level; again to another level, also after one adopted it.
        Rule(action: .report, from: [.submitted, .reported, .adopted], to: nil),
        Rule(action: .adopt, from: [.reported, .adopted], to: .adopted),
        Rule(action: .instruct, from: [.reported, .adopted], to: nil),
        Rule(action: .decline, from: [.submitted, .reported], to: .notAdopted),
    ]

    public static func allowed(from state: State) -> [Action] {
        rules.filter { $0.from.contains(state) }.map(\.action)
    }

    public static func rule(_ action: Action, from state: State) -> Rule? {
        rules.first { $0.action == action && $0.from.contains(state) }
    }

    /// Where an action leads from a state: a first report makes a submitted item reported.
    public static func destination(_ rule: Rule, from state: State) -> State {
        if rule.action == .report && state == .submitted { return .reported }
        return rule.to ?? state
    }

    public static func refusal(_ action: Action, _ state: State) -> String {
        let allowed = allowed(from: state).map { "\($0.identifier) (\($0.label))" }
        return "cannot \(action.identifier) (\(action.label)) an item that is \(state.identifier) (\(state.label)); "
            + (allowed.isEmpty ? "nothing more can be done with it" : "allowed: \(allowed.joined(separator: ", "))")
    }

    /// The refusal of `action` in `state` (FAILED_PRECONDITION on `action`), said in Chinese
    /// too: the item's state, without the steps others may take.
    public static func refused(_ action: Action, _ state: State) -> ProposalError {
        ProposalError.notAllowed(field: "action", refusal(action, state))
            .saying("这条社情民意信息目前为「\(state.label)」，不能「\(action.label)」。")
    }

    /// What a request must carry for an action, as (field, problem) pairs.
    public static func problems(_ r: ProposalV1.ActOnOpinionRequest) -> [(String, String)] {
        func blank(_ s: String) -> Bool { s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        var problems: [(String, String)] = []
        let levelNeeded = [Action.report, .adopt, .instruct].contains(r.action)
        if levelNeeded && (r.level == .unspecified || !ProposalV1.OpinionLevel.allCases.contains(r.level)) {
            problems.append(("level", "市级, 省级 or 全国 (city, province, national)"))
        }
        switch r.action {
        case .edit:
            if blank(r.title) && blank(r.body) { problems.append(("title", "give the edited title or body")) }
            if blank(r.note) { problems.append(("note", "say what was edited")) }
        case .report:
            if blank(r.recipient) { problems.append(("recipient", "name where it is sent, e.g. 省政协办公厅")) }
        case .adopt:
            if blank(r.usedIn) { problems.append(("used_in", "say where it was used, e.g. 省政协《社情民意》2026年第12期")) }
        case .instruct:
            if blank(r.leader) { problems.append(("leader", "name the leader who gave the instruction")) }
            if blank(r.text) { problems.append(("text", "the instruction's text")) }
        case .decline:
            if blank(r.note) { problems.append(("note", "say why it is closed unadopted")) }
        case .submit, .unspecified, .unrecognized:
            problems.append(("action", "edit, report, adopt, instruct or decline"))
        }
        return problems
    }
}
