import Foundation
import XieshangLabels
import XieshangWire

/// The committee's annual 履职报告 from duty-record's ranking: who did what, by kind, with
/// points, and who did nothing; a table, CSV (UTF-8 with a byte-order mark) or one
/// self-contained HTML page (no scripts, charts as inline SVG, a print style).
struct DutyReportPage {
    let year: Int32
    let sector: String
    let ranking: DutyV1.RankingResponse

    init(year: Int32, sector: String, _ ranking: DutyV1.RankingResponse) {
        self.year = year
        self.sector = sector
        self.ranking = ranking
    }

    /// The columns the report groups the kinds into, as offices publish them.
    static let columns: [(name: String, kinds: [DutyV1.DutyKind])] = [
        ("出席", [.meetingAttended]), ("请假", [.meetingLeave]), ("缺席", [.meetingAbsent]),
        ("协商议事活动", [.consultationActivity]), ("领衔提案", [.proposalLed]), ("附议提案", [.proposalCosigned]),
        ("社情民意", [.opinionSubmitted]), ("社情民意采用", [.opinionAdoptedCity, .opinionAdoptedProvince, .opinionAdoptedNational]),
        ("获批示", [.opinionInstructed]), ("发言", [.plenarySpeech, .writtenSpeech]),
        ("视察调研", [.inspection, .research, .researchReport]), ("培训", [.training]), ("帮扶及其他", [.assistance, .other]),
    ]

    static let headers = ["名次", "委员编号", "姓名", "界别", "积分"] + columns.map(\.name)

    var rows: [[String]] {
        ranking.members.enumerated().map { index, m in
            var counts: [DutyV1.DutyKind: Int32] = [:]
            for t in m.byKind { counts[t.kind] = t.count }
            let first = [String(index + 1), m.memberNumber.isEmpty ? String(m.memberID) : m.memberNumber, m.name, m.sector, String(m.points)]
            return first + Self.columns.map { column in String(column.kinds.reduce(Int32(0)) { $0 + (counts[$1] ?? 0) }) }
        }
    }

    var idle: [DutyV1.MemberYear] { ranking.members.filter { $0.entries == 0 } }
    var title: String { "委员履职报告 \(year)年度" + (sector.isEmpty ? "" : "（\(sector)）") }
    var status: String {
        (ranking.closed ? "已结算" : "未结算，积分以规则第 \(ranking.rulesVersion) 版计，年度结算前可能重算") + (ranking.closed ? "，规则第 \(ranking.rulesVersion) 版" : "")
    }

    var table: String {
        var out = "\(title)（\(status)）\n\n"
        var t = Table()
        t.headers = Self.headers
        for row in rows { t.add(row) }
        out += t.rendered + "\n"
        out += "\n无履职记录的委员（\(idle.count) 名）：" + idle.map(\.name).joined(separator: "、") + "\n"
        return out
    }

    var csv: String {
        var out = "\u{FEFF}" + CSV.line(Self.headers)
        for row in rows { out += CSV.line(row) }
        return out
    }

    var html: String {
        let members = ranking.members
        let total = members.reduce(0) { $0 + Int($1.points) }
        let active = members.count
        var body = "<h1>\(ReportPage.escape(title))</h1><p class=\"period\">\(ReportPage.escape(status))</p>"
        body += "<section><h2>概况</h2>" + ReportPage.table(["委员", "有履职记录", "无履职记录", "总积分", "人均积分"], [[
            String(active), String(active - idle.count), String(idle.count), String(total),
            active == 0 ? "0" : String(format: "%.1f", Double(total) / Double(active)),
        ]])
        var kinds: [(String, Double, String)] = []
        for column in Self.columns {
            let count = members.reduce(Int32(0)) { sum, m in sum + m.byKind.filter { column.kinds.contains($0.kind) }.reduce(0) { $0 + $1.count } }
            kinds.append((column.name, Double(count), "\(count) 项"))
        }
        body += "<h3>各类履职（项）</h3>" + ReportPage.bars(kinds, color: "#8b1a1a") + "</section>"
        let top = members.prefix(10).filter { $0.points > 0 }
        body += "<section><h2>积分前十</h2>" + ReportPage.bars(top.map { ("\($0.name)（\($0.sector)）", Double($0.points), "\($0.points) 分") }, color: "#b22222")
            + "</section>"
        body += "<section class=\"duty\"><h2>委员履职情况</h2>" + ReportPage.table(Self.headers, rows)
            + "<p class=\"note\">积分按委员会履职积分规则计（出席、提案、社情民意等来自会议、提案和社情民意的记录；发言、视察调研、培训等由办公室登记或经办公室确认）；请假、作废及待确认事项不计分。</p></section>"
        body += "<section><h2>无履职记录的委员（\(idle.count) 名）</h2>"
            + (idle.isEmpty ? "<p class=\"none\">无 none</p>" : "<p>" + idle.map { ReportPage.escape("\($0.name)（\($0.sector)）") }.joined(separator: "、") + "</p>")
            + "</section>"
        return ReportPage.document(title: title, body: body, by: "gateway duty report", width: "70em", extraStyle: "td { white-space: nowrap; }")
    }
}
