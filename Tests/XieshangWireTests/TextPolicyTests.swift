import Testing
@testable import XieshangWire

/// The text rules the scanner applies to what callers send (WireTextPolicy), and the bound
/// on repeated fields: refused before protobuf-c unpacks anything, naming the field.
@Suite("Text rules and list bounds at the wire")
struct TextPolicyTests {
    static let policy = WireTextPolicy(singleLine: .singleLine(16), fields: [
        "f_string": .singleLine(16),
        "xieshang.wiretest.v1.Kinds.r_string": .multiline(32),
    ])
    static let limits = WireLimits(text: policy, maxRepeated: 5)

    func decode(_ message: WiretestV1.Kinds) throws(WireError) -> WiretestV1.Kinds {
        try WiretestV1.Kinds(decoding: try message.encode(), limits: Self.limits)
    }

    func refusal(_ configure: (inout WiretestV1.Kinds) -> Void) -> WireError? {
        var message = WiretestV1.Kinds()
        configure(&message)
        do throws(WireError) {
            _ = try decode(message)
            return nil
        } catch {
            return error
        }
    }

    @Test("single-line text: length in bytes, control, bidi and zero-width characters refused, naming the field")
    func singleLine() throws {
        #expect(refusal { $0.fString = "张伟" } == nil)
        let long = try #require(refusal { $0.fString = "一二三四五六" })   // 18 bytes
        #expect(long.code == .textTooLong && long.field == "f_string" && long.message.contains("limit of 16"))
        for (text, shown) in [("a\u{1B}[2J", "U+001B"), ("a\nb", "U+000A"), ("a\tb", "U+0009"), ("a\u{7F}", "U+007F"),
                              ("a\u{85}", "U+0085"), ("\u{202E}abc", "U+202E"), ("a\u{2066}b", "U+2066"),
                              ("张\u{200B}伟", "U+200B"), ("张\u{200D}伟", "U+200D"), ("\u{FEFF}a", "U+FEFF"), ("a\u{200F}", "U+200F")] {
            let error = try #require(refusal { $0.fString = text }, "\(text.debugDescription) was taken")
            #expect(error.code == .forbiddenCharacter && error.field == "f_string" && error.message.contains(shown), "\(error)")
        }
    }

    @Test("paragraphs keep tabs and line breaks but refuse the other controls and the overrides")
    func multiline() throws {
        #expect(refusal { $0.rString = ["第一段\n\n第二段\r\n\t第三段"] } == nil)
        #expect(refusal { $0.rString = ["a\u{200B}b"] } == nil)
        #expect(try #require(refusal { $0.rString = ["ok", "a\u{1B}b"] }).code == .forbiddenCharacter)
        #expect(try #require(refusal { $0.rString = ["a\u{202D}b"] }).code == .forbiddenCharacter)
        #expect(try #require(refusal { $0.rString = [String(repeating: "x", count: 33)] }).code == .textTooLong)
    }

    @Test("a control character is found wherever it stands among plain ASCII (the scanner reads eight bytes at a time)")
    func controlsAtEveryOffset() throws {
        let plain = "abcdefghijklmnopqrstuvw"
        #expect(refusal { $0.rString = [plain] } == nil)
        for offset in 0...plain.count {
            for (control, refused) in [("\u{1B}", true), ("\u{7F}", true), ("\u{01}", true), ("\n", false), ("\t", false), ("张", false)] {
                var text = plain
                text.insert(contentsOf: control, at: text.index(text.startIndex, offsetBy: offset))
                let error = refusal { $0.rString = [text] }
                #expect((error?.code == .forbiddenCharacter) == refused, "\(text.debugDescription): \(String(describing: error))")
            }
        }
    }

    @Test("repeated fields hold at most maxRepeated elements, packed or not")
    func repeatedBound() throws {
        #expect(refusal { $0.rInt64 = [1, 2, 3, 4, 5] } == nil)
        let packed = try #require(refusal { $0.rInt64 = [1, 2, 3, 4, 5, 6] })
        #expect(packed.code == .tooManyElements && packed.field == "r_int64")
        let strings = try #require(refusal { $0.rString = ["a", "b", "c", "d", "e", "f"] })
        #expect(strings.code == .tooManyElements && strings.field == "r_string")
    }

    @Test("without a policy, only UTF-8 and NUL are checked (replies, events, stored data)")
    func noPolicy() throws {
        var message = WiretestV1.Kinds()
        message.fString = "a\u{1B}\n" + String(repeating: "长", count: 100)
        message.rInt64 = Array(1...100)
        #expect(try WiretestV1.Kinds(decoding: try message.encode()) == message)
    }
}

/// The domain events, declared once: every workflow action and topic step has its event,
/// and the names (the contract with consumers) are the ones the services have always written.
@Suite("Domain events declared once")
struct DomainEventsTests {
    @Test("every proposal action and topic step has an event; names are unique and unchanged")
    func catalogue() {
        let actions = ProposalV1.Action.allCases.filter { $0 != .unspecified }
        let proposalEvents = actions.compactMap { DomainEvents.proposal($0)?.name }
        #expect(proposalEvents.count == actions.count)
        #expect(Set(proposalEvents).count == proposalEvents.count)
        #expect(DomainEvents.proposal(.notFile)?.name == "proposal.not-file" && DomainEvents.proposal(.signFor)?.name == "proposal.sign-for")
        let steps = ProposalV1.TopicStep.allCases.filter { $0 != .unspecified }
        #expect(steps.compactMap { DomainEvents.topic($0) }.count == steps.count)
        #expect(DomainEvents.memberAdded.name == "member.added" && DomainEvents.meetingPublished.name == "meeting.published")
        switch "leave.decided" {
        case DomainEvents.leaveDecided: break
        default: Issue.record("a WireEvent matches its name in a switch")
        }
    }
}
