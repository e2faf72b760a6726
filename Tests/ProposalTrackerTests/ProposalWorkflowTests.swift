import Testing
import XieshangRPC
import XieshangService
import XieshangWire
@testable import ProposalTracker

@Suite("The proposal workflow table")
struct ProposalWorkflowTests {
    @Test("every state allows what docs/DOMAIN.md says, and nothing else")
    func allowed() {
        typealias A = ProposalV1.Action
        #expect(ProposalWorkflow.allowed(from: .draft) == [A.inviteCosigners, .submit, .withdraw])
        #expect(ProposalWorkflow.allowed(from: .submitted) == [A.file, .notFile, .merge, .refer, .return, .withdraw])
        #expect(ProposalWorkflow.allowed(from: .filed) == [A.assign, .designateKey])
        #expect(ProposalWorkflow.allowed(from: .inHandling) == [A.requestReturn, .extend, .requestExtension, .reply, .designateKey])
        #expect(ProposalWorkflow.allowed(from: .countersigning) == [A.extend, .requestExtension, .countersign, .returnReply, .designateKey])
        #expect(ProposalWorkflow.allowed(from: .replied) == [A.feedback, .opinion])
        #expect(ProposalWorkflow.allowed(from: .closed) == [A.track, .opinion])
        for end in [ProposalV1.ProposalState.notFiled, .merged, .referred, .withdrawn] {
            #expect(ProposalWorkflow.allowed(from: end).isEmpty)
        }
    }

    @Test("不满意 sends a proposal back to handling once; the second time it stays with feedback")
    func rehandleOnce() throws {
        let rule = try #require(ProposalWorkflow.rule(.feedback, from: .replied))
        var p = ProposalV1.Proposal()
        #expect(ProposalWorkflow.destination(rule, p, satisfaction: .dissatisfied) == .inHandling)
        #expect(ProposalWorkflow.destination(rule, p, satisfaction: .satisfied) == .feedback)
        p.rehandled = true
        #expect(ProposalWorkflow.destination(rule, p, satisfaction: .dissatisfied) == .feedback)
    }

    @Test("a reply with assisting units waits for their 会签; the last agreement sends it")
    func countersigning() throws {
        let reply = try #require(ProposalWorkflow.rule(.reply, from: .inHandling))
        let countersign = try #require(ProposalWorkflow.rule(.countersign, from: .countersigning))
        var p = ProposalV1.Proposal()
        #expect(ProposalWorkflow.destination(reply, p, satisfaction: .unspecified) == .replied, "no assisting units: sent at once")
        var first = ProposalV1.UnitSignoff(), second = ProposalV1.UnitSignoff()
        first.decision = .pending
        second.decision = .pending
        p.signoffs = [first, second]
        #expect(ProposalWorkflow.destination(reply, p, satisfaction: .unspecified) == .countersigning)
        p.signoffs[0].decision = .agreed
        #expect(ProposalWorkflow.destination(countersign, p, satisfaction: .unspecified) == nil, "one of two: still waiting")
        p.signoffs[1].decision = .agreed
        #expect(ProposalWorkflow.destination(countersign, p, satisfaction: .unspecified) == .replied)
        #expect(ProposalWorkflow.rule(.returnReply, from: .countersigning)?.to == .inHandling)
        #expect(ProposalWorkflow.rule(.returnReply, from: .countersigning)?.needs == [.reason])
    }

    @Test("a refusal names the state and what it allows")
    func refusal() {
        let text = ProposalWorkflow.refusal(.file, .draft)
        #expect(text.contains("draft (草稿)"))
        #expect(text.contains("submit (提交)"))
        #expect(ProposalWorkflow.refusal(.reply, .closed).contains("track"))
        // In Chinese, for the member or unit on the portal: the state and the step, not the
        // steps others may take.
        let refused = ProposalWorkflow.refused(.cosign, .filed).rpcError
        #expect(refused.code == .failedPrecondition && refused.message.contains("cannot cosign"))
        #expect(refused.localizedMessage.hasPrefix("这件提案目前为「立案」，不能「附议」"), "\(refused.localizedMessage)")
        // 社情民意 likewise: a member editing an item already reported reads why in Chinese.
        let opinion = OpinionWorkflow.refused(.edit, .reported).rpcError
        #expect(opinion.code == .failedPrecondition && opinion.violations.map(\.field) == ["action"] && opinion.message.contains("cannot edit"))
        #expect(opinion.localizedMessage == "这条社情民意信息目前为「已报送」，不能「编辑」。")
    }

    @Test("requirements are checked before anything is written")
    func needs() throws {
        let rule = try #require(ProposalWorkflow.rule(.reply, from: .inHandling))
        var request = ProposalV1.ActRequest()
        request.contactMethod = .phone
        request.text = "已列入计划"
        #expect(throws: (any Error).self) { try TrackerHandlers.checkNeeds(rule, request) }
        request.replyClass = .a
        try TrackerHandlers.checkNeeds(rule, request)
    }
}
