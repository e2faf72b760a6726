import Foundation

/// The report as one self-contained HTML page: no scripts, no external files, charts as
/// inline SVG, a print style sheet.
enum ReportPage {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Horizontal bars, one per (label, value), scaled to `maximum` (or the largest value).
    static func bars(_ items: [(label: String, value: Double, text: String)], maximum: Double? = nil, color: String = "#b22222") -> String {
        guard !items.isEmpty else { return "<p class=\"none\">无数据 no data</p>" }
        let top = max(maximum ?? items.map(\.value).max() ?? 1, 0.0001)
        let rowHeight = 26, labelWidth = 190, barWidth = 360
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 120)\" height=\"\(items.count * rowHeight + 8)\" role=\"img\">"
        for (index, item) in items.enumerated() {
            let y = index * rowHeight + 4
            let width = Int((item.value / top) * Double(barWidth))
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\">\(escape(item.label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(barWidth)\" height=\"18\" fill=\"#f1e7e7\"/>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(max(width, 0))\" height=\"18\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(labelWidth + barWidth + 8)\" y=\"\(y + 17)\">\(escape(item.text))</text>"
        }
        return svg + "</svg>"
    }

    static func table(_ headers: [String], _ rows: [[String]]) -> String {
        var html = "<table><thead><tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
        return html + "</tbody></table>"
    }

    static func html(_ r: CommitteeReport) -> String {
        let pct = CommitteeReport.percent
        let feedback = Double(r.satisfied + r.basicallySatisfied + r.dissatisfied)
        var body = "<h1>政协工作报告</h1><p class=\"period\">\(escape(r.from)) — \(escape(r.to))</p>"
        body += "<section><h2>协商议题与协商议事活动</h2>" + table(["项目", "数值"], [
            ["议题收集", String(r.topicsCollected)], ["议题确定", String(r.topicsDecided)], ["问题解决", String(r.topicsSolved)],
            ["协商议事活动", "\(r.consultationActivities) 次"], ["参与人次", String(r.participantPersonTimes)],
        ]) + "</section>"
        body += "<section><h2>会议与出席率</h2>"
            + bars(r.meetingsByKind.map { ($0.kind, $0.attendanceRate, "\(pct($0.attendanceRate))（\($0.present)/\($0.expected)）") }, maximum: 1)
            + table(["类别", "召开", "应到", "实到", "请假", "缺席", "出席率", "未达法定人数"], r.meetingsByKind.map {
                [$0.kind, String($0.held), String($0.expected), String($0.present), String($0.onLeave), String($0.absent), pct($0.attendanceRate),
                 $0.withoutQuorum == 0 ? "" : "\($0.withoutQuorum) 次"]
            })
            + "<p class=\"note\">应到：应出席的委员（含请假），不含列席与特邀参加人员；出席率 = 实到 ÷ 应到。</p>"
            + "<h3>年度协商计划执行情况</h3>" + (r.plan.isEmpty ? "<p class=\"none\">无 none</p>"
                : table(["年度", "季度", "形式", "议题", "牵头", "已召开", "协商议题", "状态"], r.plan.map(r.planRow)))
            + "<p class=\"note\">已开展：为该项召开的会议已举行，或为该项确定的协商议题已协商；已安排：已排定会议或确定议题，尚未举行；未安排：尚无会议或议题。</p>"
            + "<h3>审议事项</h3>" + (r.decisions.isEmpty ? "<p class=\"none\">无 none</p>"
                : table(["会议", "日期", "文件", "种类", "结果", "表决"], r.decisions.map(r.decisionRow)))
            + "<p class=\"note\">主席会议可将文件提请常委会，列入下次常委会会议议程；常委会会议表决须实到超过应到半数，赞成票超过应到半数为通过。</p>"
            + "</section>"
        body += "<section><h2>提案</h2>" + bars([
            ("提交", Double(r.proposalsSubmitted), String(r.proposalsSubmitted)), ("立案", Double(r.proposalsFiled), String(r.proposalsFiled)),
            ("不立案", Double(r.proposalsNotFiled), String(r.proposalsNotFiled)), ("并案", Double(r.proposalsMerged), String(r.proposalsMerged)),
            ("转送", Double(r.proposalsReferred), String(r.proposalsReferred)),
        ], color: "#8b1a1a")
        body += "<h3>立案情况（本期立案 \(r.proposalsFiledInPeriod) 件）</h3>" + table(["委员提案", "集体提案", "大会期间", "平时", "重点提案"], [[
            String(r.filedByMembers), String(r.filedJointly), String(r.filedDuringPlenary),
            String(r.proposalsFiledInPeriod - r.filedDuringPlenary), String(r.keyProposals.count),
        ]]) + bars(r.filedByCategory.map { ($0.name, Double($0.count), String($0.count)) }, color: "#a0522d")
            + "<p class=\"note\">委员提案：委员个人（含附议）提出；集体提案：界别、党派、专委会提出。按本期立案的提案计。</p>"
        body += "<h3>办理（立案 \(r.proposalsFiled) 件，已办复 \(r.proposalsAnswered) 件，其中经协办单位会签 \(r.answeredAfterCountersign) 件）</h3>"
            + table(["办复率", "按期办复率"], [[pct(r.answerRate), pct(r.onTimeRate)]])
            + "<p class=\"note\">办复：答复已送达提案人；有协办单位的，以各协办单位会签后送达之日为准。</p>"
        body += "<h3>重点提案督办</h3>" + (r.keyProposals.isEmpty ? "<p class=\"none\">无 none</p>"
            : table(["编号", "案由", "领衔督办", "主办单位", "状态", "答复", "反馈"], r.keyProposals.map(r.keyRow)))
        body += "<h3>答复类别（每件按最终答复计）</h3>" + bars(r.repliesByClass.map { ("\($0.name)类 \(r.label($0.name))", Double($0.count), String($0.count)) }, color: "#c0504d")
            + table(["类别", "名称", "含义"], r.replyClasses.map { [$0.name, $0.label, $0.definition] })
        body += "<h3>满意度（满意率 \(pct(r.satisfactionRate))）</h3>" + bars([
            ("满意", Double(r.satisfied), String(r.satisfied)), ("基本满意", Double(r.basicallySatisfied), String(r.basicallySatisfied)),
            ("不满意", Double(r.dissatisfied), String(r.dissatisfied)),
        ], maximum: max(feedback, 1), color: "#d9822b")
        body += "<h3>承办单位办理情况（本期立案，按主办单位）</h3>" + (r.unitHandling.isEmpty ? "<p class=\"none\">无 none</p>"
            : table(["承办单位", "交办", "已办复", "按期", "A类", "B类", "C类", "D类", "满意", "基本满意", "不满意"], r.unitHandling.map(r.unitRow)))
        body += "<h3>逾期未办结（按承办单位）</h3>" + (r.overdueByUnit.isEmpty ? "<p class=\"none\">无逾期 none overdue</p>"
            : table(["承办单位", "件数"], r.overdueByUnit.map { [$0.name, String($0.count)] })) + "</section>"
        body += "<section><h2>社情民意信息</h2>" + table(["提交", "报送", "采用", "获批示"], [[
            String(r.opinionsSubmitted), String(r.opinionsReported), String(r.opinionsAdopted), String(r.opinionsInstructed),
        ]]) + bars(r.opinionsAdoptedByLevel.map { ("\($0.name)采用", Double($0.count), String($0.count)) }, color: "#6a5acd")
            + (r.opinionsBySector.isEmpty ? "" : table(["界别", "提交", "报送", "采用", "获批示"], r.opinionsBySector.map {
                [$0.name, String($0.submitted), String($0.reported), String($0.adopted), String($0.instructed)]
            }))
            + "<p class=\"note\">按本期提交的信息计：报送、采用、获批示为其中已报送、已被采用（任一层级）、已获领导批示的件数；按层级的采用，一件在多个层级采用的各计一次。</p></section>"
        body += "<section><h2>协商议事室“六有”与委员下沉</h2>" + bars([
            ("达到“六有”", Double(r.roomsMeetingSixHaves), "\(r.roomsMeetingSixHaves)/\(r.rooms)"),
            ("委员下沉覆盖", Double(r.membersInRooms), "\(r.membersInRooms)/\(r.activeMembers)（\(pct(r.sinkingCoverage))）"),
        ].enumerated().map { index, item in
            (item.0, item.1 / Double(max(index == 0 ? r.rooms : r.activeMembers, 1)), item.2)
        }, maximum: 1, color: "#2e7d32")
        if !r.roomsShort.isEmpty {
            body += table(["未达标议事室", "缺项"], r.roomsShort.map { [$0.name, $0.missing.joined(separator: "、")] })
        }
        body += "</section><section class=\"duty\"><h2>委员履职情况</h2>"
            + table(["编号", "姓名", "界别", "出席", "请假", "缺席", "协商活动", "领衔提案", "附议提案", "社情民意", "采用"], r.members.map(r.dutyRow))
            + "</section>"
        return document(title: "政协工作报告 \(r.from) — \(r.to)", body: body, by: "gateway report")
    }

    /// The printable page around a report's body: the house style (fonts for Chinese, red
    /// headings, plain tables, a print style that keeps sections whole and starts the duty
    /// table on a new page), the title, and a footer naming the command that made it.
    static func document(title: String, body: String, by command: String, width: String = "60em", extraStyle: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
        body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: \(width); color: #222; }
        h1 { color: #8b1a1a; border-bottom: 3px solid #8b1a1a; padding-bottom: .2em; }
        h2 { color: #8b1a1a; margin-top: 1.6em; }
        .period { color: #555; }
        table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
        th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; }
        th { background: #f6eeee; }
        svg text { font-size: 13px; font-family: inherit; }
        .none { color: #777; }
        .note { color: #555; font-size: .85em; }
        \(extraStyle)
        @media print { body { margin: 0; max-width: none; } section { break-inside: avoid; } .duty { break-before: page; break-inside: auto; } }
        </style></head>
        <body>
        \(body)
        <footer><p class="none">由协商（Xieshang）生成 · generated by \(escape(command))</p></footer>
        </body></html>

        """
    }
}
