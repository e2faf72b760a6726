import Foundation
import Hummingbird
import XieshangLabels
import XieshangRPC
import XieshangWire

/// Proposals on the portal: a member writes, gathers co-signers, submits, follows the
/// handling and answers the reply; a unit signs for what is assigned to it, replies, asks to
/// return it, and countersigns. The tracker's workflow decides; the page offers only the
/// steps its state allows to the person signed in.
extension PortalApp {
    typealias Action = ProposalV1.Action

    /// The steps the portal has a form for; of them, a proposal's page shows those the
    /// tracker offers the person signed in (`GetProposalResponse.allowed`).
    static let actions: [Action] = [
        .inviteCosigners, .submit, .withdraw, .feedback, .cosign, .decline, .opinion,
        .signFor, .reply, .requestReturn, .requestExtension, .countersign, .returnReply,
    ]

    /// What each step's form calls the fields it posts, for a refusal that names them: every
    /// form posts its text as `reason`, under its own label.
    static func actLabels(_ fields: [String: String]) -> [String: String] {
        switch Action(parsing: fields["action"] ?? "") {
        case .returnReply: ["reason": "退回答复的理由"]
        case .requestReturn: ["reason": "不属于本单位职责的理由"]
        case .withdraw: ["reason": "撤回的理由"]
        case .feedback, .opinion: ["reason": "意见"]
        case .reply: ["text": "答复内容"]
        default: [:]
        }
    }

    /// What the page says after each step.
    static let done: [String: String] = [
        "invite-cosigners": "已邀请附议。", "cosign": "已附议。", "decline": "已谢绝附议。", "submit": "已提交，等待审查立案。",
        "withdraw": "已撤回。", "feedback": "意见已提交，谢谢。", "opinion": "意见已提交，谢谢。", "sign-for": "已签收。",
        "reply": "答复已提交。", "request-return": "退回申请已提交，等待办公室处理。", "request-extension": "延期申请已提交，等待办公室决定。", "countersign": "已同意答复。", "return-reply": "已退回答复。",
    ]

    static let decisions: [ProposalV1.CosignDecision: String] = [.invited: "待附议", .signed: "已附议", .declined: "已谢绝"]

    func proposals(_ s: PortalSession) async throws -> Response {
        var request = ProposalV1.ListProposalsRequest()
        if s.account.isMember { request.memberID = s.account.subjectID } else { request.unitID = s.account.subjectID }
        request.pageSize = 100
        let list = try await suite.call(ProposalV1.Proposals.list, request, for: s.account.principal, read: true)
        let me = s.account.subjectID
        let rows: [[String: Any]] = list.proposals.map { p in
            var row: [String: Any] = ["id": p.id, "title": p.title, "number": p.number.isEmpty ? "未编号" : p.number, "state": p.state.label]
            if s.account.isMember {
                row["role"] = p.proposerMemberID == me ? "领衔" : p.supervisorMemberID == me ? "督办" : "附议"
            } else {
                row["role"] = p.leadUnitID == me ? "主办" : "协办"
                if p.deadlineMs > 0 { row["deadline"] = "办理期限 " + CommitteeClock.day(p.deadlineMs) }
            }
            return row
        }
        return page("proposals", s.account.isMember ? "我的提案" : "交办的提案", s, ["proposals": rows, "member": s.account.isMember])
    }

    func newProposal(_ s: PortalSession) -> Response {
        page("proposal-new", "写提案", s, [:])
    }

    func createProposal(_ s: PortalSession, _ fields: [String: String]) async throws -> Response {
        var request = ProposalV1.CreateProposalRequest()
        var p = ProposalV1.Proposal()
        p.title = (fields["title"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        p.body = (fields["body"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        p.category = (fields["category"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        p.proposerMemberID = s.account.subjectID
        p.`public` = fields["public"] == "1"
        if !p.`public` { p.notPublicReason = (fields["not_public_reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        request.proposal = p
        let created = try await suite.call(ProposalV1.Proposals.create, request, for: s.account.principal)
        return .redirect(to: "/proposals/\(created.proposal?.id ?? 0)?done=created", type: .normal)
    }

    func proposal(_ s: PortalSession, _ id: Int64, notice: String?) async throws -> Response {
        var get = ProposalV1.GetProposalRequest()
        get.id = id
        let found = try await suite.call(ProposalV1.Proposals.get, get, for: s.account.principal, read: true)
        var historyRequest = ProposalV1.HistoryRequest()
        historyRequest.id = id
        let history = try await suite.call(ProposalV1.Proposals.history, historyRequest, for: s.account.principal, read: true)
        guard let p = found.proposal else { throw RPCError(.notFound, "no proposal \(id)") }
        let offered = Set(Self.actions.filter { found.allowed.contains($0) })
        var values: [String: Any] = [
            "id": p.id, "number": p.number.isEmpty ? "未编号" : p.number, "state": p.state.label, "category": p.category,
            "proposer": p.proposerName.isEmpty ? p.jointProposer : p.proposerName, "body": p.body,
            // An invitation left unanswered when the proposal went on is no longer pending.
            "cosigners": p.cosigners.map { c -> [String: Any] in
                let closed = c.decision == .invited && p.state != .draft && p.state != .collecting
                return ["name": c.name, "decision": closed ? "未附议" : Self.decisions[c.decision] ?? ""]
            },
            "hasCosigners": !p.cosigners.isEmpty,
            "history": history.transitions.map { t -> [String: Any] in
                var step: [String: Any] = ["time": CommitteeClock.minute(t.atMs), "action": t.action == .unspecified ? "起草" : t.action.label]
                let note = [t.satisfaction != .unspecified ? t.satisfaction.label : "", t.reason].filter { !$0.isEmpty }.joined(separator: "，")
                if !note.isEmpty { step["note"] = note }
                return step
            },
            "replyClasses": ProposalV1.ReplyClass.allCases.filter { $0.rawValue != 0 }.map { ["value": $0.identifier, "label": $0.label] },
            "contacts": ProposalV1.ContactMethod.allCases.filter { $0.rawValue != 0 }.map { ["value": $0.identifier, "label": $0.label] },
            "satisfactions": ProposalV1.Satisfaction.allCases.filter { $0.rawValue != 0 }.map { ["value": $0.identifier, "label": $0.label] },
        ]
        for action in offered { values["can_" + action.identifier.replacingOccurrences(of: "-", with: "_")] = true }
        if !p.leadUnitName.isEmpty { values["units"] = p.leadUnitName }
        if p.deadlineMs > 0 { values["deadline"] = CommitteeClock.day(p.deadlineMs) }
        if !p.replyText.isEmpty {
            values["reply"] = p.replyText
            values["replyClass"] = p.replyClass.label
        }
        if let notice, let text = Self.done[notice] ?? Self.notices[notice] { values["notice"] = text }
        return page("proposal", p.title, s, values)
    }

    /// One step of the workflow, from the proposal page's forms: `action` names it, the other
    /// fields are what that action needs.
    func act(_ s: PortalSession, _ id: Int64, _ fields: [String: String]) async throws -> Response {
        guard let action = Action(parsing: fields["action"] ?? ""), Self.actions.contains(action) else {
            throw RPCError(.invalidArgument, "这一步不能在此办理。")
        }
        var request = ProposalV1.ActRequest()
        request.id = id
        request.action = action
        let text = { (name: String) in (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        request.reason = text("reason")
        request.text = text("text")
        if let value = fields["satisfaction"] { request.satisfaction = ProposalV1.Satisfaction(parsing: value) ?? .unspecified }
        if let value = fields["class"] { request.replyClass = ProposalV1.ReplyClass(parsing: value) ?? .unspecified }
        if let value = fields["contact"] { request.contactMethod = ProposalV1.ContactMethod(parsing: value) ?? .unspecified }
        if action == .requestExtension {
            // The day asked for, to its end, in the committee's time zone.
            guard let day = CommitteeClock.parse(text("deadline")), text("deadline").count == 10 else {
                throw RPCError(.invalidArgument, "请填写希望延至的日期。")
            }
            request.deadlineMs = day + 86_400_000 - 60_000
        }
        if action == .inviteCosigners {
            let spelled = text("members").split(whereSeparator: { ",，、 ".contains($0) })
            let ids = spelled.compactMap { Int64($0) }
            guard !ids.isEmpty, ids.count == spelled.count else {
                throw RPCError(.invalidArgument, "请填写附议委员的编号，以逗号分隔，例如 14, 20。")
            }
            request.memberIDs = ids
        }
        _ = try await suite.call(ProposalV1.Proposals.act, request, for: s.account.principal)
        return .redirect(to: "/proposals/\(id)?done=\(action.identifier)", type: .normal)
    }
}
