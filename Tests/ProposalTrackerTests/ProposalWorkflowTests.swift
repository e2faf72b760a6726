import Testing
import XieshangWire
@testable import ProposalTracker

@Suite("The proposal workflow table")
struct ProposalWorkflowTests {
    @Test("every state allows what docs/DOMAIN.md says, and nothing else")
    func allowed() {
        typealias A = ProposalV1.Action
        #expect(ProposalWorkflow.allowed(from: .draft) == [A.inviteCosigners, .submit, .withdraw])
        #expect(ProposalWorkflow.allowed(from: .submitted) == [A.file, .notFile, .merge, .refer, .return, .withdraw])
        #expect(ProposalWorkflow.allowed(from: .filed) == [A.assign])
        #expect(ProposalWorkflow.allowed(from: .inHandling) == [A.requestReturn, .extend, .reply])
        #expect(ProposalWorkflow.allowed(from: .replied) == [A.feedback])
        #expect(ProposalWorkflow.allowed(from: .closed) == [A.track])
        for end in [ProposalV1.ProposalState.notFiled, .merged, .referred, .withdrawn] {
            #expect(ProposalWorkflow.allowed(from: end).isEmpty)
        }
    }

    @Test("不满意 sends a proposal back to handling once; the second time it stays with feedback")
    func rehandleOnce() throws {
        let rule = try #require(ProposalWorkflow.rule(.feedback, from: .replied))
        #expect(ProposalWorkflow.destination(rule, satisfaction: .dissatisfied, rehandled: false) == .inHandling)
        #expect(ProposalWorkflow.destination(rule, satisfaction: .dissatisfied, rehandled: true) == .feedback)
        #expect(ProposalWorkflow.destination(rule, satisfaction: .satisfied, rehandled: false) == .feedback)
    }

    @Test("a refusal names the state and what it allows")
    func refusal() {
        let text = ProposalWorkflow.refusal(.file, .draft)
        #expect(text.contains("draft (草稿)"))
        #expect(text.contains("submit (提交)"))
        #expect(ProposalWorkflow.refusal(.reply, .closed).contains("track"))
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
