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

    @Test("a whole text is refused for its first refused character, as the scanner refuses it; printable ASCII and Chinese pass")
    func refusalInText() {
        let printable = String(String.UnicodeScalarView((0x20...0x7E).compactMap(Unicode.Scalar.init)))
        #expect(WireTextPolicy.refusal(in: printable, multiline: false) == nil)
        #expect(WireTextPolicy.refusal(in: "雄关街道第1社区协商议事室", multiline: false) == nil)
        for (text, multiline, expected) in [
            ("ab\u{7F}", false, "the control character U+007F"), ("标题\u{1B}[2J", true, "the control character U+001B"),
            ("第一行\n第二行", false, "a line break or tab (U+000A), which single-line text may not hold"),
            ("关于\u{202E}txt.exe", true, "the bidirectional override U+202E"), ("张\u{200B}伟", false, "the zero-width character U+200B"),
        ] {
            #expect(WireTextPolicy.refusal(in: text, multiline: multiline) == expected, "\(text.debugDescription)")
        }
        #expect(WireTextPolicy.refusal(in: "第一行\n第二行\t", multiline: true) == nil)
    }

    @Test("repeated fields hold at most maxRepeated elements, packed or not")
    func repeatedBound() throws {
        #expect(refusal { $0.rInt64 = [1, 2, 3, 4, 5] } == nil)
        let packed = try #require(refusal { $0.rInt64 = [1, 2, 3, 4, 5, 6] })
        #expect(packed.code == .tooManyElements && packed.field == "r_int64")
        let strings = try #require(refusal { $0.rString = ["a", "b", "c", "d", "e", "f"] })
        #expect(strings.code == .tooManyElements && strings.field == "r_string")
    }

    @Test("no field occurs more than maxRepeated times, repeated or not, nor unknown fields together; each nested message counts its own")
    func occurrenceBound() throws {
        func decode(_ bytes: [UInt8]) -> Result<WiretestV1.Kinds, WireError> {
            Result { () throws(WireError) in try WiretestV1.Kinds(decoding: bytes, limits: Self.limits) }
        }
        // f_int32 (field 1) said five times: protobuf's last one wins.
        let five: [UInt8] = (1...5).flatMap { [0x08, UInt8($0)] }
        #expect(try decode(five).get().fInt32 == 5)
        let six = try #require(decode(five + [0x08, 0x06]).failure)
        #expect(six.code == .tooManyElements && six.field == "f_int32" && six.message.contains("given more than 5 times"), "\(six)")
        // f_inner (field 17, a message) six times, each empty.
        let inners = try #require(decode(Array(repeating: [0x8A, 0x01, 0x00] as [UInt8], count: 6).flatMap { $0 }).failure)
        #expect(inners.code == .tooManyElements && inners.field == "f_inner")
        // Field 99 is unknown to Kinds: five of it (any numbers) are skipped, six refused.
        let unknown: [UInt8] = [0x98, 0x06, 0x00]
        #expect(try decode(Array(repeating: unknown, count: 5).flatMap { $0 }).get() == WiretestV1.Kinds())
        let sixUnknown = try #require(decode(Array(repeating: unknown, count: 3).flatMap { $0 } + Array(repeating: [0xA0, 0x06, 0x01] as [UInt8], count: 3).flatMap { $0 }).failure)
        #expect(sixUnknown.code == .tooManyElements && sixUnknown.field == nil && sixUnknown.message.contains("does not know"), "\(sixUnknown)")
        // Five elements of r_inner, each with a label said five times: every message has
        // its own count, so 25 labels in all pass.
        let labels: [UInt8] = (0..<5).flatMap { _ in [0x0A, 0x01, 0x61] as [UInt8] }
        let element: [UInt8] = [0xF2, 0x01, UInt8(labels.count)] + labels
        let decoded = try decode(Array(repeating: element, count: 5).flatMap { $0 }).get()
        #expect(decoded.rInner.count == 5 && decoded.rInner.allSatisfy { $0.label == "a" })
        let deep = try #require(decode(element + [0xF2, 0x01, UInt8(labels.count + 3)] + labels + [0x0A, 0x01, 0x62]).failure)
        #expect(deep.code == .tooManyElements && deep.field == "r_inner.label", "\(deep)")
    }

    @Test("decoding takes at most maxDecodeMemory: small fields nested in a long list are refused as too complex, not unpacked")
    func decodeMemoryBound() throws {
        // 1,000 elements of r_inner, each with weight (field 2) said 50 times: every count
        // within maxRepeated, 103 KB on the wire, and about 3 MiB for protobuf-c to unpack
        // (a 32-byte record of every field it meets, kept in the arena). At the servers'
        // bounds (10,000 and 16 MiB) the same shape, a hundred times larger, took 73 MiB.
        let element: [UInt8] = [0xF2, 0x01, 0x64] + Array(repeating: [0x10, 0x07] as [UInt8], count: 50).flatMap { $0 }
        let bytes = Array(repeating: element, count: 1_000).flatMap { $0 }
        let bounded = WireLimits(maxRepeated: 1_000, maxDecodeMemory: 1 << 20)
        let refused = try #require(Result { () throws(WireError) in try WiretestV1.Kinds(decoding: bytes, limits: bounded) }.failure)
        #expect(refused.code == .tooComplex && refused.message.contains("more than 1 MiB"), "\(refused)")
        // The same bytes decode where no bound is set (a reply from a trusted service).
        let unbounded = try WiretestV1.Kinds(decoding: bytes, limits: WireLimits(maxRepeated: 1_000))
        #expect(unbounded.rInner.count == 1_000 && unbounded.rInner.allSatisfy { $0.weight == 7 })
        // An ordinary message well over the arena's first block is untouched by the bound,
        // and a bound just below what it needs refuses it, again and again, leaking nothing.
        var list = WiretestV1.Kinds()
        list.rString = (0..<1_000).map { "第\($0)条意见" }
        let encoded = try list.encode()
        #expect(try WiretestV1.Kinds(decoding: encoded, limits: bounded) == list)
        for _ in 0..<100 {
            let tight = Result { () throws(WireError) in try WiretestV1.Kinds(decoding: encoded, limits: WireLimits(maxDecodeMemory: 4_096)) }
            #expect(tight.failure?.code == .tooComplex)
        }
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

extension Result {
    /// The error, if this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
