import Testing
import XieshangRPC
import XieshangService
import XieshangWire

/// How a service's refusal becomes a status, with its words in Chinese where it gives them.
@Suite("domain refusals: the status code, the English and the Chinese")
struct DomainRefusalTests {
    @Test("saying(_:) keeps the code, the English and the violations, and adds the Chinese")
    func said() {
        let plain = DomainRefusal.notAllowed(field: "invitee_id", "invitee 3 is leave requested").rpcError
        let said = DomainRefusal.notAllowed(field: "invitee_id", "invitee 3 is leave requested")
            .saying("已是「请假待批」，不能再请假。").rpcError
        #expect(plain.localizedMessage.isEmpty)
        #expect(said.code == .failedPrecondition && said.code == plain.code)
        #expect(said.message == plain.message)
        #expect(said.violations == plain.violations)
        #expect(said.localizedMessage == "已是「请假待批」，不能再请假。")
    }

    @Test("on bad fields the blank ones still say REQUIRED, and on a limit the code is RESOURCE_EXHAUSTED")
    func otherKinds() {
        let invalid = DomainRefusal.invalid([("title", RPCError.FieldProblem.empty), ("date", "is in the future")])
            .saying("请写明做了什么事。日期不能晚于今天。").rpcError
        #expect(invalid.code == .invalidArgument)
        #expect(invalid.violations.map(\.reason) == ["REQUIRED", ""])
        #expect(invalid.localizedMessage == "请写明做了什么事。日期不能晚于今天。")
        let limit = DomainRefusal.exhausted("50 entries await staff").saying("已有 50 条登记在等待办公室确认。").rpcError
        #expect(limit.code == .resourceExhausted && limit.localizedMessage.hasPrefix("已有 50 条"))
    }
}
