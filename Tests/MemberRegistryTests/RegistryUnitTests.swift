import Testing
@testable import Gateway
@testable import MemberRegistry
import XieshangLabels
import XieshangWire

@Suite("Registry rules and the member CSV")
struct RegistryUnitTests {
    @Test("phones, e-mails and dates")
    func checks() {
        #expect(Check.isPhone("13800000001"))
        #expect(Check.isPhone("0937-6212345"))
        #expect(Check.isPhone("09376212345"))
        #expect(!Check.isPhone("1380000000"))
        #expect(!Check.isPhone("12800000001"))
        #expect(!Check.isPhone("138-0000-0001"))
        #expect(!Check.isPhone("电话"))
        #expect(Check.isEmail("zhang.wei@jyg.gov.cn"))
        #expect(!Check.isEmail("zhang wei@jyg.gov.cn"))
        #expect(!Check.isEmail("zhang@"))
        #expect(!Check.isEmail("@jyg.cn"))
        #expect(Check.isDate("2024-02-29"))
        #expect(!Check.isDate("2023-02-29"))
        #expect(!Check.isDate("2024-13-01"))
        #expect(!Check.isDate("2024-1-1"))
    }

    @Test("the committee's days and minutes are written as a DateFormatter writes them, across years, months and midnights")
    func clockSpellings() {
        // 0001-01-01, 1969-12-31 23:59:59.999 UTC, leap days, new year's eve at midnight, far ahead.
        var moments: [Int64] = [-62_135_596_800_000, -1, 0, 951_782_400_000, 1_798_732_799_000, 1_798_732_800_000, 4_102_444_800_000]
        var seed: UInt64 = 0x5eed
        for _ in 0..<500 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            moments.append(Int64(seed % 4_000_000_000_000))
        }
        for ms in moments {
            #expect(CommitteeClock.day(ms) == CommitteeClock.format(ms, "yyyy-MM-dd"), "\(ms)")
            #expect(CommitteeClock.minute(ms) == CommitteeClock.format(ms, "yyyy-MM-dd HH:mm"), "\(ms)")
            #expect(CommitteeClock.second(ms) == CommitteeClock.format(ms, "yyyy-MM-dd HH:mm:ss"), "\(ms)")
        }
        #expect(CommitteeClock.minute(1_798_732_800_000) == "2027-01-01 00:00")
    }

    @Test("every invalid field of a member is reported at once")
    func memberProblems() {
        let rules = MemberRules(sectors: ["教育界"], committees: ["提案委员会"])
        var m = MemberV1.Member()
        m.memberNumber = " "
        m.sector = "无此界别"
        m.committees = ["提案委员会", "不存在委员会"]
        m.phone = "123"
        m.email = "x"
        m.birthDate = "1970-02-30"
        let fields = Set(rules.problems(MemberRules.normalized(m)).map(\.field))
        #expect(fields == ["member.member_number", "member.name", "member.sector", "member.committees",
                           "member.phone", "member.email", "member.birth_date"])
        // Functions: a known committee, a station or room named, none twice, at most 20.
        var f = MemberV1.MemberFunction()
        f.kind = .roomConvener
        var many = MemberV1.Member()
        many.memberNumber = "1"
        many.name = "甲"
        many.sector = "教育界"
        many.functions = (1...21).map { room in
            var g = f
            g.roomID = Int64(room)
            return g
        }
        #expect(rules.problems(many).map(\.field) == ["member.functions"])
        many.functions = [f]
        #expect(rules.problems(many).map(\.field) == ["member.functions[0]"])
    }

    @Test("labels parse in Chinese, in English, and as proto names")
    func labels() {
        #expect(MemberV1.Role(parsing: "常委") == .standingMember)
        #expect(MemberV1.Role(parsing: "standing-member") == .standingMember)
        #expect(MemberV1.Role(parsing: "ROLE_CHAIR") == .chair)
        #expect(MemberV1.Role(parsing: "主任") == nil)
        #expect(MemberV1.Gender(parsing: "女") == .female)
        #expect(MemberV1.MemberStatus(parsing: "请辞") == .resigned)
        #expect(MemberV1.GroupKind(parsing: "常委会") == .standingCommittee)
    }

    @Test("CSV: BOM, quotes, commas and line breaks in cells, CRLF, and the line of each row")
    func csvParsing() throws {
        let text = "\u{FEFF}member_number,name,sector,work_unit,committees,status_reason\r\n"
            + "0001,张伟,教育界,\"一中, \"\"高中部\"\"\",提案委员会；经济委员会,\r\n"
            + "\r\n"
            + "0002,李娜,医药卫生界,市医院,,\"工作调动\n另有任用\"\n"
            + "0003,王芳,医药卫生界,\"市医院\n内科\",,\n"
        let rows = try MemberCSV.parse(Array(text.utf8))
        #expect(rows.count == 3)
        #expect(rows[0].line == 2)
        #expect(rows[0].member.workUnit == "一中, \"高中部\"")
        #expect(rows[0].member.committees == ["提案委员会", "经济委员会"])
        #expect(rows[1].line == 4)
        // A reason may hold paragraphs; a work unit is one line (it would break every table).
        #expect(rows[1].member.statusReason == "工作调动\n另有任用" && rows[1].problems.isEmpty)
        #expect(rows[1].columns == ["member_number", "name", "sector", "work_unit", "committees", "status_reason"])
        #expect(rows[2].line == 6)   // the reason above spans lines 4 and 5
        #expect(rows[2].problems.map(\.field) == ["work_unit"] && rows[2].problems[0].problem.contains("line break"))
    }

    @Test("CSV: a bad header, bad encoding and short rows are refused")
    func csvRefusals() {
        #expect(throws: MemberCSV.ParseError.self) { try MemberCSV.parse(Array("name,sector\n张伟,教育界\n".utf8)) }
        #expect(throws: MemberCSV.ParseError.self) { try MemberCSV.parse(Array("member_number,name,sector,age\n".utf8)) }
        #expect(throws: MemberCSV.ParseError.self) { try MemberCSV.parse([0x6D, 0xFF, 0xFE]) }
        #expect(throws: MemberCSV.ParseError.self) { try MemberCSV.parse([]) }
        let rows = try? MemberCSV.parse(Array("member_number,name,sector\n0001,张伟\n0002,李娜,教育界,extra\n".utf8))
        #expect(rows?.map(\.problems.count) == [1, 1])
    }

    @Test("an export parses back to the same members")
    func csvRoundTrip() throws {
        var m = MemberV1.Member()
        m.memberNumber = "0007"
        m.name = "欧阳修"
        m.gender = .male
        m.sector = "文化艺术界"
        m.committees = ["提案委员会", "文化文史和学习委员会"]
        m.workUnit = "市文联, \"书法\" 协会"
        m.phone = "13800000007"
        m.role = .viceChair
        m.status = .resigned
        m.statusDate = "2025-06-01"
        m.statusReason = "工作调动\n另有任用"
        m.addedDuringTerm = true
        m.joinedDate = "2023-01-10"
        let rows = try MemberCSV.parse(MemberCSV.export([m]))
        #expect(rows.count == 1)
        #expect(rows[0].problems.isEmpty)
        #expect(MemberRules.normalized(rows[0].member) == MemberRules.normalized(m))
    }

    @Test("CSV cells are quoted for commas, quotes, any line break (CRLF too) and edge spaces")
    func csvCells() {
        #expect(CSV.cell("张伟") == "张伟")
        #expect(CSV.cell("市文联, 书法协会") == "\"市文联, 书法协会\"")
        #expect(CSV.cell("\"书法\"") == "\"\"\"书法\"\"\"")
        #expect(CSV.cell("工作调动\r\n另有任用") == "\"工作调动\r\n另有任用\"")
        #expect(CSV.cell(" 前导空格") == "\" 前导空格\"")
        #expect(CSV.line(["a", "b,c"]) == "a,\"b,c\"\r\n")
    }

    @Test("CSV cells a spreadsheet would run as formulas are marked, and read back unchanged")
    func csvFormulas() {
        for value in ["=1+2", "+86 138", "-3", "@SUM(A1)", "\t=x", "\r=x", "'=x", "''", "'x", "'", "x'=", "", "张伟", "=HYPERLINK(\"a\",\"b\")"] {
            let cell = CSV.cell(value)
            let dangerous = ["=", "+", "-", "@", "\t", "\r"].contains { cell.hasPrefix($0) || cell.hasPrefix("\"" + $0) }
            #expect(!dangerous, "\(value.debugDescription) was written as \(cell.debugDescription)")
            #expect(CSV.restore(CSV.neutralised(value)) == value, "\(value.debugDescription)")
        }
        #expect(CSV.cell("=1+2") == "'=1+2")
        #expect(CSV.cell("'x") == "'x")
        #expect(CSV.restore("'x") == "'x")
    }

    @Test("e-mail addresses: what a mail command could read as an option is not an address")
    func emailAddresses() {
        for good in ["zhang.wei@zx.gov.cn", "a_b+c%d-e@x.cn", "委员@政协.中国"] { #expect(EmailAddress.isValid(good), "\(good)") }
        for bad in ["--passwordeval=touch${IFS}pwned@x.cn", "-x@y.cn", "a b@x.cn", "a@x", "a@@x.cn", "a@-x.cn", "a@x-.cn",
                    "a..b@x.cn", ".a@x.cn", "a@x.cn\n", "a\u{1B}@x.cn", "a;rm@x.cn", "a@x.cn --logfile=/tmp/x",
                    String(repeating: "a", count: 65) + "@x.cn", "\"a\"@x.cn", ""] {
            #expect(!EmailAddress.isValid(bad), "\(bad.debugDescription) was taken")
        }
        #expect(Check.isEmail("zhang.wei@zx.gov.cn") && !Check.isEmail("-x@y.cn"))
    }

    @Test("the gateway shows control, bidi and zero-width characters instead of printing them")
    func terminalText() {
        #expect(Terminal.visible("张伟", keepLineBreaks: false) == "张伟")
        #expect(Terminal.visible("a\u{1B}]0;x\u{07}b", keepLineBreaks: true) == "a<U+001B>]0;x<U+0007>b")
        #expect(Terminal.visible("\u{202E}abc", keepLineBreaks: true) == "<U+202E>abc")
        #expect(Terminal.visible("第一行\n第二行\t!", keepLineBreaks: true) == "第一行\n第二行\t!")
        #expect(Terminal.visible("第一行\r\n第二行\t!", keepLineBreaks: false) == "第一行↵第二行⇥!")
        var table = Table("name", "x")
        table.add("甲\u{1B}[31m\n乙", "1")
        #expect(!table.rendered.unicodeScalars.contains { $0.value == 0x1B } && table.rendered.split(separator: "\n").count == 3)
    }

    @Test("member numbers and phones are compared as NFKC")
    func nfkc() {
        var m = MemberV1.Member()
        m.memberNumber = "５００１"
        m.phone = "１３８０００００００１"
        let normalized = MemberRules.normalized(m)
        #expect(normalized.memberNumber == "5001" && normalized.phone == "13800000001")
    }

    @Test("tables line up Chinese text by display width")
    func tableWidth() {
        #expect(Table.width("abc") == 3)
        #expect(Table.width("委员") == 4)
        #expect(Table.width("第5届") == 5)
        #expect(Table.width("ｅ") == 2)
        // A long text in a cell: its first line, within the columns, never half a character.
        #expect(Table.clipped("短的内容", columns: 60) == "短的内容")
        #expect(Table.clipped("第一行\n第二行", columns: 60) == "第一行…")
        #expect(Table.clipped("一二三四五六", columns: 6) == "一二…")
        #expect(Table.width(Table.clipped(String(repeating: "政协委员a", count: 30), columns: 60)) <= 60)
        #expect(Table.clipped("abcdef", columns: 6) == "abcdef" && Table.clipped("abcdefg", columns: 6) == "abcde…")
        var table = Table("姓名", "x")
        table.add("张伟", "1")
        table.add("Li", "2")
        // Every row's last column starts at the same display column: after 4 + 2 spaces.
        let lines = table.rendered.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { Table.width(String($0.dropLast())) == 6 })
    }
}
