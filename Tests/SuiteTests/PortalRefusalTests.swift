import Testing
import XieshangRPC
import XieshangWire
@testable import Portal

/// How the portal says in Chinese what a service refused in a form, and what it does to
/// pasted text before sending it (the browser test goes through both on real pages).
@Suite("the portal's refusals in the person's words, and pasted text")
struct PortalRefusalTests {
    static func refusal(_ violations: [(String, String)]) -> RPCError {
        RPCError(.invalidArgument, "request body is not valid", violations: violations.map {
            RpcV1.FieldViolation(field: $0.0, description: "in English", reason: $0.1)
        })
    }

    @Test("each field the wire rules refused gets a line: the form's name for it and why, in Chinese")
    func explained() {
        let lines = Refusals.explain(Self.refusal([("proposal.title", "TEXT_TOO_LONG"), ("reason", "FORBIDDEN_CHARACTER")]))
        #expect(lines?.count == 2)
        #expect(lines?.first == "案由：太长了，最多 200 个字，请删减后再提交。")
        #expect(lines?.last?.hasPrefix("理由：含有不能使用的看不见的字符") == true)
        #expect(Refusals.explain(Self.refusal([("notice.text", "NUL_IN_STRING")])) == ["公示内容：含有无法识别的字符，请重新输入后再提交。"])
        #expect(Refusals.explain(Self.refusal([("title", "FORBIDDEN_CHARACTER")]))?.first?.hasPrefix("标题：") == true)
        #expect(Refusals.explain(Self.refusal([("body", "REQUIRED")])) == ["内容：不能为空（只有空格也算空），请填写后再提交。"])
        // The posting form's own word wins: the leave form's 事由, not the general 理由.
        #expect(Refusals.explain(Self.refusal([("reason", "REQUIRED")]), labels: ["reason": "事由"])?.first?.hasPrefix("事由：") == true)
        #expect(Refusals.explain(Self.refusal([("reason", "REQUIRED")]))?.first?.hasPrefix("理由：") == true)
        // The proposal page's step forms all post `reason`, each under its own label.
        #expect(Refusals.explain(Self.refusal([("reason", "REQUIRED")]), labels: PortalApp.actLabels(["action": "return-reply"]))?.first?.hasPrefix("退回答复的理由：") == true)
        #expect(Refusals.explain(Self.refusal([("reason", "TEXT_TOO_LONG")]), labels: PortalApp.actLabels(["action": "withdraw"]))?.first?.hasPrefix("撤回的理由：") == true)
        #expect(Refusals.explain(Self.refusal([("reason", "REQUIRED")]), labels: PortalApp.actLabels(["action": "no-such-step"]))?.first?.hasPrefix("理由：") == true)
    }

    @Test("a refusal the portal cannot explain whole (a service's own rule, a field no form fills, none named) is left to the service's text")
    func unexplained() {
        #expect(Refusals.explain(Self.refusal([("proposal.title", "")])) == nil)
        #expect(Refusals.explain(Self.refusal([("proposal.title", "TEXT_TOO_LONG"), ("deadline_ms", "")])) == nil)
        #expect(Refusals.explain(Self.refusal([("member_number", "TEXT_TOO_LONG")])) == nil)
        #expect(Refusals.explain(RPCError(.invalidArgument, "no fields named")) == nil)
    }

    @Test("a refusal of a matter's state links back to the matter's page, found from the path the form posted to")
    func backToThePage() {
        #expect(PortalApp.pageOf("/proposals/5/act") == "/proposals/5")
        #expect(PortalApp.pageOf("/meetings/12/leave") == "/meetings/12")
        #expect(PortalApp.pageOf("/activities/7/close") == "/activities/7")
        #expect(PortalApp.pageOf("/rooms/3/topics") == "/rooms/3")
        #expect(PortalApp.pageOf("/duty/entries/9/dispute") == "/duty")
        #expect(PortalApp.pageOf("/opinions") == "/opinions")
        for elsewhere in ["/proposals", "/proposals/x/act", "//example.com/proposals/5", "/account/password", "", "proposals/5/act", "/proposals//act"] {
            #expect(PortalApp.pageOf(elsewhere) == nil, "\(elsewhere)")
        }
    }

    @Test("Word's line and page breaks become line breaks, zero-width spaces and byte-order marks go; the rest is left for the service to refuse")
    func pasted() {
        #expect(FormText.cleaned("\u{FEFF}第一行\u{0B}第二行\u{0C}第三页\u{85}完", field: "body") == "第一行\n第二行\n第三页\n完")
        #expect(FormText.cleaned("张\u{200B}伟的建议", field: "title") == "张伟的建议")
        for kept in ["标题\u{1B}[2J", "关于\u{202E}txt.exe", "家\u{200D}人", "普通的标题"] {
            #expect(FormText.cleaned(kept, field: "title") == kept)
        }
        #expect(FormText.cleaned("密\u{200B}码\u{0B}", field: "password") == "密\u{200B}码\u{0B}")
    }
}
