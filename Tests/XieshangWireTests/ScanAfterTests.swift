import Testing
@testable import XieshangWire

/// Default decoding scans the bytes only to explain a failure (see `init(decoding:limits:)`);
/// these check that it accepts and refuses what scanning first does, with the same words,
/// but for the two encodings protobuf-c reads itself (`WireError.protobufCReadsIt`), and
/// that it scans first whenever it cannot rely on protobuf-c and the strings.
@Suite("Decoding scans after a failure only when that refuses the same bytes")
struct ScanAfterTests {
    /// Limits that make the decode scan first, and change nothing else for these messages.
    private static let scanFirst = WireLimits(maxRepeated: .max)

    private static func outcome<M: WireMessage>(_ type: M.Type, _ bytes: [UInt8], _ limits: WireLimits) -> Result<M, WireError> {
        do { return .success(try M(decoding: bytes, limits: limits)) } catch { return .failure(error) }
    }

    private static func member() -> MemberV1.Member {
        var m = MemberV1.Member()
        m.id = 12345
        m.term = 5
        m.memberNumber = "5012"
        m.name = "梁晓东"
        m.ethnicity = "汉族"
        m.birthDate = "1961-07-10"
        m.committees = ["提案委员会", "经济委员会"]
        m.workUnit = "嘉峪关市律师协会"
        m.phone = "13960821422"
        m.email = "lxd@jyg.gov.cn"
        m.role = .standingMember
        m.roomIDs = [12, 15]
        m.updatedAtMs = 1_795_851_390_720
        var request = MemberV1.ResignationRequest()
        request.date = "2026-11-02"
        request.reason = "工作调动"
        m.resignationRequest = request
        return m
    }

    @Test("the schema's nesting: a count for messages that cannot contain themselves, nil for those that can")
    func nesting() {
        #expect(RpcV1.Status.wireDescriptor.nesting != nil)
        #expect(MemberV1.ResignationRequest.wireDescriptor.nesting == 1)
        #expect(MemberV1.Member.wireDescriptor.nesting == 2)
        #expect(MeetingV1.Meeting.wireDescriptor.nesting == 3)   // Meeting → AttendanceCount? → …
        #expect(WiretestV1.Inner.wireDescriptor.nesting == nil)
        #expect(WiretestV1.Kinds.wireDescriptor.nesting == nil)   // holds an Inner
    }

    @Test("invalid UTF-8, a truncated field and a wrong wire type are explained as the scan explains them")
    func sameWords() throws {
        let good = try Self.member().encode()
        #expect(!good.contains(0), "the fixture must take the scan-after path")
        // The name's bytes (梁晓东) with its second character's lead byte broken.
        let name = Array("梁晓东".utf8)
        let at = try #require(good.firstRange(of: name)).lowerBound
        var broken = good
        broken[at + 3] = 0xFF
        var truncated = good
        truncated.removeLast(3)
        let wrongType = good + [0x22 /* name as field 4, length-delimited */, 0x01, 0x41, 0x18 /* field 3 as varint */, 0x05]
        for bytes in [broken, truncated, wrongType] {
            let fast = Self.outcome(MemberV1.Member.self, bytes, .default)
            let scanned = Self.outcome(MemberV1.Member.self, bytes, Self.scanFirst)
            guard case .failure(let error) = fast, case .failure(let expected) = scanned else {
                Issue.record("expected both to fail: \(fast), \(scanned)")
                continue
            }
            #expect(error.code == expected.code)
            #expect(error.message == expected.message)
            #expect(error.field == expected.field)
        }
        guard case .failure(let utf8) = Self.outcome(MemberV1.Member.self, broken, .default) else { return }
        #expect(utf8.code == .invalidUTF8)
        #expect(utf8.message == "xieshang.member.v1.Member.name: string is not valid UTF-8 at byte \(at + 3)")
    }

    @Test("a bool in another wire type, a varint over 64 bits, text replaced by a later field: protobuf-c reads them, scanning first refuses them")
    func protobufCReadsThem() throws {
        let good = try Self.member().encode()
        // added_during_term (field 19, a bool) as a 32-bit value, no zero byte in it.
        let bool32 = good + [0x9D, 0x01, 0x01, 0x01, 0x01, 0x01]
        #expect(try MemberV1.Member(decoding: bool32).addedDuringTerm == true)
        let boolRefused = try #require(Self.outcome(MemberV1.Member.self, bool32, Self.scanFirst).failureValue)
        #expect(boolRefused.code == .malformed)
        #expect(boolRefused.message.contains("added_during_term"))
        #expect(boolRefused.protobufCReadsIt)
        // id (field 1) as ten bytes whose last says more than 64 bits: cut to 64, all ones.
        let overlong = [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x7F] + good
        var expected = Self.member()
        expected.id = 12345     // the later id wins
        #expect(try MemberV1.Member(decoding: overlong) == expected)
        #expect(try MemberV1.Member(decoding: [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x7F]).id == -1)
        let varintRefused = try #require(Self.outcome(MemberV1.Member.self, overlong, Self.scanFirst).failureValue)
        #expect(varintRefused.message.contains("varint longer than 64 bits"))
        #expect(varintRefused.protobufCReadsIt)
        // What protobuf-c refuses too is not marked: a string given as a varint.
        let stringAsVarint = try #require(Self.outcome(MemberV1.Member.self, good + [0x20, 0x05], Self.scanFirst).failureValue)
        #expect(!stringAsVarint.protobufCReadsIt)
        #expect(Self.outcome(MemberV1.Member.self, good + [0x20, 0x05], .default).failureValue?.message == stringAsVarint.message)
        // Text that is not UTF-8 in a name given again: protobuf-c keeps the second.
        let twice = good + [0x22, 0x02, 0xC3, 0x28] + [0x22, 0x03] + Array("梁".utf8)
        #expect(try MemberV1.Member(decoding: twice).name == "梁")
        let replaced = try #require(Self.outcome(MemberV1.Member.self, twice, Self.scanFirst).failureValue)
        #expect(replaced.code == .invalidUTF8)
        #expect(replaced.protobufCReadsIt)
        // …also when a varint over 64 bits stands between the two (protobuf-c reads past it).
        let across = good + [0x22, 0x02, 0xC3, 0x28] + [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x24]
            + [0x22, 0x03] + Array("梁".utf8)
        #expect(try MemberV1.Member(decoding: across).name == "梁")
        #expect(Self.outcome(MemberV1.Member.self, across, Self.scanFirst).failureValue?.protobufCReadsIt == true)
        // Given once, or last, it is refused either way, and not marked.
        let last = good + [0x22, 0x02, 0xC3, 0x28]
        let kept = try #require(Self.outcome(MemberV1.Member.self, last, .default).failureValue)
        #expect(kept.code == .invalidUTF8)
        #expect(!kept.protobufCReadsIt)
        // A tag over its bounds is refused either way.
        let longTag = good + [UInt8](repeating: 0xFF, count: 9) + [0x7F]
        #expect(Self.outcome(MemberV1.Member.self, longTag, .default).failureValue != nil)
        #expect(Self.outcome(MemberV1.Member.self, longTag, Self.scanFirst).failureValue?.protobufCReadsIt == false)
    }

    @Test("a zero byte anywhere makes the decode scan first: a NUL in a string is refused, not cut")
    func zeroByte() throws {
        var m = Self.member()
        m.name = "梁晓东"
        var bytes = try m.encode()
        let name = Array("梁晓东".utf8)
        let at = try #require(bytes.firstRange(of: name)).lowerBound
        bytes[at + 3] = 0    // protobuf-c alone would keep "梁"
        let error = try #require(Self.outcome(MemberV1.Member.self, bytes, .default).failureValue)
        #expect(error.code == .nulInString)
        #expect(error.message.contains("Member.name"))
    }

    @Test("thousands of corrupted members and meetings: the same value or the same error either way")
    func equivalence() throws {
        var meeting = MeetingV1.Meeting()
        meeting.id = 7
        meeting.title = "研究2027年度协商工作计划"
        meeting.roomName = "雄关街道第1社区协商议事室"
        meeting.startMs = 1_796_518_800_000
        meeting.endMs = 1_796_526_000_000
        var item = MeetingV1.AgendaItem()
        item.position = 1
        item.title = "审议2027年度协商工作计划（草案）"
        item.presenter = "秘书长"
        meeting.agenda = [item, item]
        meeting.recordNotes = ["补录：会后由办公室登记"]
        meeting.attendanceRate = 0.875
        let seeds = [try Self.member().encode(), try meeting.encode()]
        // A fixed sequence (xorshift), so a failure is the same on every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
        var failures = 0
        var fastFailures = 0
        for round in 0..<8000 {
            var bytes = seeds[round % 2]
            switch next(3) {
            case 0: bytes[next(bytes.count)] = UInt8(next(256))
            case 1: bytes.removeLast(1 + next(bytes.count - 1))
            default: bytes.insert(UInt8(next(256)), at: next(bytes.count))
            }
            if round % 2 == 0 {
                failures += try compare(MemberV1.Member.self, bytes) ? 1 : 0
            } else {
                failures += try compare(MeetingV1.Meeting.self, bytes) ? 1 : 0
            }
        }
        // Both paths were taken, and both kinds of outcome were compared.
        #expect(failures > 1000)
        #expect(fastFailures > 100)

        func compare<M: WireMessage>(_ type: M.Type, _ bytes: [UInt8]) throws -> Bool {
            let fast = Self.outcome(M.self, bytes, .default)
            let scanned = Self.outcome(M.self, bytes, Self.scanFirst)
            // A failure on the scan-after path (no zero byte), explained after the fact.
            if !bytes.contains(0), case .failure = fast { fastFailures += 1 }
            switch (fast, scanned) {
            case (.success(let a), .success(let b)):
                #expect(try a.encode() == b.encode())   // encoded: a NaN is not equal to itself
                return false
            case (.failure(let a), .failure(let b)):
                #expect(a.code == b.code && a.message == b.message, "\(bytes)")
                return true
            case (.success, .failure(let refusal)) where refusal.protobufCReadsIt:
                return true
            default:
                Issue.record("one path accepted what the other refused: \(fast) / \(scanned) for \(bytes)")
                return true
            }
        }
    }
}

private extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
