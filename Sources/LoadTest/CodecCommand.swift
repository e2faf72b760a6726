import ArgumentParser
import Foundation
import XieshangService
import XieshangWire

/// Typical messages, the same ones `Tests/Bench/codec_floor.c` builds with protobuf-c in C.
enum TypicalMessages {
    static var member: MemberV1.Member {
        var m = MemberV1.Member()
        m.id = 12345
        m.term = 5
        m.memberNumber = "5012"
        m.name = "梁晓东"
        m.gender = .female
        m.ethnicity = "汉族"
        m.birthDate = "1961-07-10"
        m.party = "中共"
        m.sector = "中共"
        m.committees = ["提案委员会", "经济委员会"]
        m.workUnit = "嘉峪关市律师协会"
        m.position = "主任"
        m.phone = "13960821422"
        m.email = "lxd@jyg.gov.cn"
        m.role = .standingMember
        m.status = .active
        m.statusDate = "2022-01-15"
        m.joinedDate = "2022-01-15"
        m.roomIDs = [12, 15]
        m.updatedAtMs = 1_795_851_390_720
        return m
    }

    static var meeting: MeetingV1.Meeting {
        var m = MeetingV1.Meeting()
        m.id = 1
        m.title = "研究2027年度协商工作计划"
        m.kind = .chairpersonsCouncil
        m.term = 5
        m.ordinal = 1
        m.organiser = "办公室"
        m.roomID = 1
        m.roomName = "雄关街道第1社区协商议事室"
        m.startMs = 1_796_518_800_000
        m.endMs = 1_796_526_000_000
        m.mode = .inPerson
        m.status = .published
        var group = MeetingV1.GroupRef()
        group.kind = .chairpersonsCouncil
        m.groups = [group]
        var first = MeetingV1.AgendaItem()
        first.position = 1
        first.title = "审议2027年度协商工作计划（草案）"
        first.durationMinutes = 60
        first.presenter = "秘书长"
        var second = MeetingV1.AgendaItem()
        second.position = 2
        second.title = "通报提案办理情况"
        second.durationMinutes = 30
        second.presenter = "提案委员会"
        m.agenda = [first, second]
        m.publishedAtMs = 1_795_851_390_720
        m.updatedAtMs = 1_795_851_390_720
        m.displayName = "五届一次主席会议"
        m.inviteeCount = 8
        return m
    }
}

struct CodecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Time the Swift wire layer's encode and decode of a typical member and meeting (ns per message).",
        discussion: "Example: loadtest codec --iterations 200000")

    @Option(help: "Messages encoded and decoded per measurement.") var iterations: Int = 200_000

    func run() async throws {
        struct Result: Encodable { let message: String; let bytes: Int; let encodeNs: Double; let decodeNs: Double; let decodeCheckedNs: Double }
        var results: [Result] = []
        results.append(try measure("member", TypicalMessages.member))
        results.append(try measure("meeting", TypicalMessages.meeting))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(results), as: UTF8.self))

        func measure<M: WireMessage>(_ name: String, _ message: M) throws -> Result {
            let bytes = try message.encode()
            var sink = 0
            for _ in 0..<(iterations / 10) { sink &+= try message.encode().count }   // warm up
            let encodeStart = ContinuousClock.now
            for _ in 0..<iterations { sink &+= try message.encode().count }
            let encode = ContinuousClock.now - encodeStart
            let decodeStart = ContinuousClock.now
            for _ in 0..<iterations { blackHole(try M(decoding: bytes)) }
            let decode = ContinuousClock.now - decodeStart
            // As a service decodes a request: under the suite's text rules and list bound.
            let limits = WireLimits(text: .xieshang, maxRepeated: 10_000, maxDecodeMemory: 16 << 20)
            let checkedStart = ContinuousClock.now
            for _ in 0..<iterations { blackHole(try M(decoding: bytes, limits: limits)) }
            let checked = ContinuousClock.now - checkedStart
            if sink == 42 { print("") }
            func ns(_ d: Duration) -> Double { (Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9) / Double(iterations) }
            return Result(message: name, bytes: bytes.count, encodeNs: ns(encode), decodeNs: ns(decode), decodeCheckedNs: ns(checked))
        }
    }
}

/// Keeps the optimiser from dropping a value that is never used.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
