import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

/// The secretariat's report for a period (docs/DOMAIN.md, "How each figure is computed"), assembled from the
/// services' own statistics: meeting-scheduler's attendance, proposal-tracker's proposals
/// and topics, member-registry's rooms and members.
struct CommitteeReport: Encodable {
    struct Count: Encodable, Equatable { let name: String; let count: Int }
    /// A kind of meeting in the period: 应到 (leave included), 实到, 请假, 缺席, 出席率 = 实到 / 应到,
    /// and how many that needed a quorum closed without one.
    struct Kind: Encodable {
        let kind: String
        let held: Int
        let expected: Int
        let present: Int
        let onLeave: Int
        let absent: Int
        let attendanceRate: Double
        let withoutQuorum: Int
    }
    /// A document a meeting of the period decided: passed on, adopted (with changes), approved
    /// by the 常委会 or not, with the vote (赞成 more than half of 应到 passes).
    struct Decision: Encodable {
        let meeting: String
        let date: String
        let title: String
        let document: String
        let outcome: String
        let vote: String
    }
    /// An item of the annual consultation plan and what was held for it.
    struct PlanRow: Encodable {
        let year: Int
        let quarter: Int
        let kind: String
        let title: String
        let lead: String
        let meetings: Int
        let held: Int
        /// Topics linked to the item, and of them those consulted.
        let topics: Int
        let topicsConsulted: Int
        let state: String
    }
    struct Duty: Encodable {
        let memberID: Int64
        let number: String
        let name: String
        let sector: String
        let attended: Int
        let onLeave: Int
        let absent: Int
        let consultationActivities: Int
        let proposalsLed: Int
        let proposalsCosigned: Int
        let opinionsSubmitted: Int
        let opinionsAdopted: Int
    }
    struct Room: Encodable { let id: Int64; let name: String; let missing: [String] }
    struct OpinionRow: Encodable { let name: String; let submitted: Int; let reported: Int; let adopted: Int; let instructed: Int }
    struct KeyProposal: Encodable {
        let id: Int64
        let number: String
        let title: String
        let supervisor: String
        let leadUnit: String
        let state: String
        let replyClass: String
        let satisfaction: String
    }
    struct ReplyClass: Encodable { let name: String; let label: String; let definition: String }
    struct UnitHandling: Encodable {
        let unitID: Int64
        let name: String
        let assigned: Int
        let answered: Int
        let answeredOnTime: Int
        let finalClasses: [Count]
        let satisfied: Int
        let basicallySatisfied: Int
        let dissatisfied: Int
    }

    var from: String
    var to: String
    var topicsCollected = 0
    var topicsDecided = 0
    var topicsSolved = 0
    var consultationActivities = 0
    var participantPersonTimes = 0
    var meetingsByKind: [Kind] = []
    var proposalsSubmitted = 0
    var proposalsFiled = 0
    var proposalsNotFiled = 0
    var proposalsMerged = 0
    var proposalsReferred = 0
    var repliesByClass: [Count] = []
    /// What A–D mean to this committee (proposal-tracker's configuration).
    var replyClasses: [ReplyClass] = []
    var proposalsAnswered = 0
    var proposalsAnsweredOnTime = 0
    var answerRate = 0.0
    var onTimeRate = 0.0
    var satisfied = 0
    var basicallySatisfied = 0
    var dissatisfied = 0
    var satisfactionRate = 0.0
    var overdueByUnit: [Count] = []
    var rooms = 0
    var roomsMeetingSixHaves = 0
    var roomsShort: [Room] = []
    var activeMembers = 0
    var membersInRooms = 0
    var sinkingCoverage = 0.0
    var members: [Duty] = []
    var decisions: [Decision] = []
    var plan: [PlanRow] = []
    /// The proposals filed in the period, by lead unit (for the 常委会's hearing on proposal handling).
    var unitHandling: [UnitHandling] = []
    /// The annual 提案工作报告's figures, of the proposals filed in the period.
    var filedByMembers = 0
    var filedJointly = 0
    var filedDuringPlenary = 0
    var filedByCategory: [Count] = []
    var answeredAfterCountersign = 0
    var keyProposals: [KeyProposal] = []
    /// 社情民意 submitted in the period: how many were sent up, adopted (by level) and instructed on.
    var opinionsSubmitted = 0
    var opinionsReported = 0
    var opinionsAdopted = 0
    var opinionsInstructed = 0
    var opinionsAdoptedByLevel: [Count] = []
    var opinionsBySector: [OpinionRow] = []

    static let sixHaveNames = ["有场所", "有标志", "有设施", "有制度", "有活动记录", "有固定成员"]

    static func missing(_ six: MemberV1.SixHaves?) -> [String] {
        let s = six ?? MemberV1.SixHaves()
        return zip(sixHaveNames, [s.site, s.sign, s.facilities, s.rules, s.records, s.fixedMembers]).filter { !$0.1 }.map(\.0)
    }

    /// Collects the figures from the three services.
    static func assemble(_ connection: ConnectionOptions, fromMs: Int64, toMs: Int64, from: String, to: String) async throws -> CommitteeReport {
        var report = CommitteeReport(from: from, to: to)
        var meetingRequest = MeetingV1.MeetingStatisticsRequest()
        meetingRequest.fromMs = fromMs
        meetingRequest.toMs = toMs
        let meetings = try await connection.call(MeetingV1.Meetings.statistics, meetingRequest, options: .read)
        var proposalRequest = ProposalV1.StatisticsRequest()
        proposalRequest.fromMs = fromMs
        proposalRequest.toMs = toMs
        let proposals = try await connection.call(ProposalV1.Proposals.statistics, proposalRequest, options: .read)
        var opinionRequest = ProposalV1.OpinionStatisticsRequest()
        opinionRequest.fromMs = fromMs
        opinionRequest.toMs = toMs
        let opinions = try await connection.call(ProposalV1.Opinions.statistics, opinionRequest, options: .read)
        let (rooms, members) = try await connection.with(.registry) { client in
            let rooms = try await client.call(MemberV1.Rooms.list, MemberV1.ListRoomsRequest(), options: .read).rooms
            return (rooms, try await everyActiveMember(client))
        }

        report.topicsCollected = Int(proposals.topicsCollected)
        report.topicsDecided = Int(proposals.topicsDecided)
        report.topicsSolved = Int(proposals.topicsSolved)
        report.consultationActivities = Int(meetings.consultationActivities)
        report.participantPersonTimes = Int(meetings.participantPersonTimes)
        report.meetingsByKind = meetings.byKind.map {
            Kind(kind: $0.kind.label, held: Int($0.held), expected: Int($0.expected), present: Int($0.present), onLeave: Int($0.onLeave),
                 absent: Int($0.absent), attendanceRate: $0.attendanceRate, withoutQuorum: Int($0.withoutQuorum))
        }
        report.proposalsSubmitted = Int(proposals.submitted)
        report.proposalsFiled = Int(proposals.filed)
        report.proposalsNotFiled = Int(proposals.notFiled)
        report.proposalsMerged = Int(proposals.merged)
        report.proposalsReferred = Int(proposals.referred)
        report.repliesByClass = proposals.repliesByClass.map { Count(name: $0.name, count: Int($0.count)) }
        report.replyClasses = proposals.replyClasses.map { ReplyClass(name: $0.name, label: $0.label, definition: $0.definition) }
        report.proposalsAnswered = Int(proposals.answered)
        report.proposalsAnsweredOnTime = Int(proposals.answeredOnTime)
        report.answerRate = proposals.answerRate
        report.onTimeRate = proposals.onTimeRate
        report.unitHandling = proposals.byUnit.map {
            UnitHandling(unitID: $0.unitID, name: $0.unitName, assigned: Int($0.assigned), answered: Int($0.answered),
                         answeredOnTime: Int($0.answeredOnTime), finalClasses: $0.finalClasses.map { Count(name: $0.name, count: Int($0.count)) },
                         satisfied: Int($0.satisfied), basicallySatisfied: Int($0.basicallySatisfied), dissatisfied: Int($0.dissatisfied))
        }
        report.filedByMembers = Int(proposals.filedByMembers)
        report.filedJointly = Int(proposals.filedJointly)
        report.filedDuringPlenary = Int(proposals.filedDuringPlenary)
        report.filedByCategory = proposals.filedByCategory.map { Count(name: $0.name, count: Int($0.count)) }
        report.answeredAfterCountersign = Int(proposals.countersigned)
        report.keyProposals = proposals.keyProposals.map {
            KeyProposal(id: $0.proposalID, number: $0.number, title: $0.title, supervisor: $0.supervisorName, leadUnit: $0.leadUnitName,
                        state: $0.state.label, replyClass: $0.replyClass.label, satisfaction: $0.satisfaction.label)
        }
        let opinionTotal = opinions.total ?? ProposalV1.OpinionCount()
        report.opinionsSubmitted = Int(opinionTotal.submitted)
        report.opinionsReported = Int(opinionTotal.reported)
        report.opinionsAdopted = Int(opinionTotal.adopted)
        report.opinionsInstructed = Int(opinionTotal.instructed)
        report.opinionsAdoptedByLevel = opinions.adoptedByLevel.map { Count(name: $0.name, count: Int($0.count)) }
        report.opinionsBySector = opinions.bySector.map {
            OpinionRow(name: $0.name, submitted: Int($0.submitted), reported: Int($0.reported), adopted: Int($0.adopted), instructed: Int($0.instructed))
        }
        report.satisfied = Int(proposals.satisfied)
        report.basicallySatisfied = Int(proposals.basicallySatisfied)
        report.dissatisfied = Int(proposals.dissatisfied)
        report.satisfactionRate = proposals.satisfactionRate
        report.overdueByUnit = proposals.overdueByUnit.map { Count(name: $0.name, count: Int($0.count)) }
        report.rooms = rooms.count
        report.roomsShort = rooms.compactMap { room in
            let missing = missing(room.sixHaves)
            return missing.isEmpty ? nil : Room(id: room.id, name: room.name, missing: missing)
        }
        report.roomsMeetingSixHaves = rooms.count - report.roomsShort.count
        report.activeMembers = members.count
        report.membersInRooms = members.filter { !$0.roomIDs.isEmpty }.count
        report.sinkingCoverage = members.isEmpty ? 0 : Double(report.membersInRooms) / Double(members.count)
        let topics = Dictionary(proposals.planTopics.map { ($0.planItemID, $0) }, uniquingKeysWith: { a, _ in a })
        report.plan = meetings.plan.map {
            PlanRow(year: Int($0.year), quarter: Int($0.quarter), kind: $0.kind.label, title: $0.title, lead: $0.lead,
                    meetings: $0.meetingIDs.count, held: Int($0.held), topics: Int(topics[$0.id]?.topics ?? 0),
                    topicsConsulted: Int(topics[$0.id]?.consulted ?? 0), state: planState($0, topics: topics[$0.id]))
        }
        report.decisions = meetings.documents.map { d in
            Decision(meeting: d.meetingName, date: CommitteeClock.day(d.startMs), title: d.title, document: d.document.label,
                     outcome: d.status.label + (d.changes.isEmpty ? "" : "（修改：\(d.changes)）"),
                     vote: d.vote.map { "赞成 \($0.inFavour)，反对 \($0.against)，弃权 \($0.abstaining)（应到 \($0.expected)，实到 \($0.present)）" } ?? "")
        }
        let attendance = Dictionary(meetings.members.map { ($0.memberID, $0) }, uniquingKeysWith: { a, _ in a })
        let authored = Dictionary(proposals.byMember.map { ($0.memberID, $0) }, uniquingKeysWith: { a, _ in a })
        let reported = Dictionary(opinions.byMember.map { ($0.memberID, $0) }, uniquingKeysWith: { a, _ in a })
        report.members = members.sorted { ($0.memberNumber, $0.id) < ($1.memberNumber, $1.id) }.map { m in
            let a = attendance[m.id]
            let p = authored[m.id]
            return Duty(memberID: m.id, number: m.memberNumber, name: m.name, sector: m.sector,
                        attended: Int(a?.attended ?? 0), onLeave: Int(a?.onLeave ?? 0), absent: Int(a?.absent ?? 0),
                        consultationActivities: Int(a?.consultationActivities ?? 0),
                        proposalsLed: Int(p?.led ?? 0), proposalsCosigned: Int(p?.cosigned ?? 0),
                        opinionsSubmitted: Int(reported[m.id]?.submitted ?? 0), opinionsAdopted: Int(reported[m.id]?.adopted ?? 0))
        }
        return report
    }

    static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }

    /// The summary as (section, item, value) rows: what the table, CSV and HTML show.
    /// The committee's label of a reply class, e.g. 解决采纳 for A.
    func label(_ name: String) -> String { replyClasses.first { $0.name == name }?.label ?? "" }

    var summary: [(section: String, item: String, value: String)] {
        var rows: [(String, String, String)] = [
            ("协商议题 topics", "收集 collected", String(topicsCollected)),
            ("协商议题 topics", "确定 decided", String(topicsDecided)),
            ("协商议题 topics", "解决 solved", String(topicsSolved)),
            ("协商议事活动 activities", "开展 held", String(consultationActivities)),
            ("协商议事活动 activities", "参与人次 person-times", String(participantPersonTimes)),
        ]
        for k in meetingsByKind {
            rows.append(("会议 meetings", k.kind, "\(k.held) 次，应到 \(k.expected)，实到 \(k.present)，请假 \(k.onLeave)，缺席 \(k.absent)，出席率 \(Self.percent(k.attendanceRate))"
                         + (k.withoutQuorum > 0 ? "；\(k.withoutQuorum) 次未达法定人数" : "")))
        }
        rows += [
            ("提案 proposals", "提交 submitted", String(proposalsSubmitted)),
            ("提案 proposals", "立案 filed", String(proposalsFiled)),
            ("提案 proposals", "不立案 not filed", String(proposalsNotFiled)),
            ("提案 proposals", "并案 merged", String(proposalsMerged)),
            ("提案 proposals", "转送 referred", String(proposalsReferred)),
        ]
        rows += [
            ("提案 proposals", "委员提案 by members (of filed)", String(filedByMembers)),
            ("提案 proposals", "集体提案 joint (of filed)", String(filedJointly)),
            ("提案 proposals", "大会期间 during the plenary (of filed)", String(filedDuringPlenary)),
            ("提案 proposals", "平时 between plenaries (of filed)", String(proposalsFiledInPeriod - filedDuringPlenary)),
        ]
        for c in filedByCategory { rows.append(("提案类别 categories", c.name, String(c.count))) }
        rows += [
            ("提案 proposals", "重点提案 key proposals chosen", String(keyProposals.count)),
            ("提案 proposals", "已办复 answered (of filed)", String(proposalsAnswered)),
            ("提案 proposals", "经会签 after 会签 (of answered)", String(answeredAfterCountersign)),
            ("提案 proposals", "办复率 answer rate", Self.percent(answerRate)),
            ("提案 proposals", "按期办复率 on time", Self.percent(onTimeRate)),
        ]
        for c in repliesByClass { rows.append(("答复 replies", "\(c.name)类 \(label(c.name))", String(c.count))) }
        rows += [
            ("满意度 satisfaction", "满意 satisfied", String(satisfied)),
            ("满意度 satisfaction", "基本满意 basically", String(basicallySatisfied)),
            ("满意度 satisfaction", "不满意 dissatisfied", String(dissatisfied)),
            ("满意度 satisfaction", "满意率 rate", Self.percent(satisfactionRate)),
        ]
        for c in overdueByUnit { rows.append(("逾期 overdue", c.name, String(c.count))) }
        rows += [
            ("社情民意 public opinion", "提交 submitted", String(opinionsSubmitted)),
            ("社情民意 public opinion", "报送 sent up", String(opinionsReported)),
            ("社情民意 public opinion", "采用 adopted", String(opinionsAdopted)),
        ]
        for c in opinionsAdoptedByLevel { rows.append(("社情民意 public opinion", "\(c.name)采用 adopted at", String(c.count))) }
        rows.append(("社情民意 public opinion", "获批示 instructed on", String(opinionsInstructed)))
        rows += [
            ("协商议事室 rooms", "总数 total", String(rooms)),
            ("协商议事室 rooms", "达到“六有” meeting 六有", String(roomsMeetingSixHaves)),
        ]
        for r in roomsShort { rows.append(("协商议事室 rooms", "未达标 short: \(r.name)", "缺 " + r.missing.joined(separator: "、"))) }
        rows += [
            ("委员下沉 下沉", "在任委员 active members", String(activeMembers)),
            ("委员下沉 下沉", "已下沉 in rooms", String(membersInRooms)),
            ("委员下沉 下沉", "覆盖率 coverage", Self.percent(sinkingCoverage)),
        ]
        return rows
    }

    /// The proposals filed in the period (the 立案 figure counts filing steps; these are the
    /// same proposals, counted by what they are).
    var proposalsFiledInPeriod: Int { filedByMembers + filedJointly }

    static let keyHeaders = ["编号 number", "案由 title", "领衔督办 supervisor", "主办单位 lead unit", "状态 state", "答复 reply", "反馈 feedback"]

    func keyRow(_ k: KeyProposal) -> [String] { [k.number, k.title, k.supervisor, k.leadUnit, k.state, k.replyClass, k.satisfaction] }

    static let unitHeaders = ["承办单位 unit", "交办 assigned", "已办复 answered", "按期 on time", "A", "B", "C", "D",
                              "满意", "基本满意", "不满意"]

    func unitRow(_ u: UnitHandling) -> [String] {
        [u.name, String(u.assigned), String(u.answered), String(u.answeredOnTime)] + u.finalClasses.map { String($0.count) }
            + [String(u.satisfied), String(u.basicallySatisfied), String(u.dissatisfied)]
    }

    static let planHeaders = ["年度 year", "季度 quarter", "形式 kind", "议题 title", "牵头 lead", "已召开 held", "协商议题 topics", "状态 state"]

    func planRow(_ p: PlanRow) -> [String] {
        [String(p.year), "第\(p.quarter)季度", p.kind, p.title, p.lead, String(p.held),
         p.topics == 0 ? "" : "\(p.topics)（已协商 \(p.topicsConsulted)）", p.state]
    }

    static let decisionHeaders = ["会议 meeting", "日期 date", "文件 document", "种类 kind", "结果 outcome", "表决 vote"]

    func decisionRow(_ d: Decision) -> [String] { [d.meeting, d.date, d.title, d.document, d.outcome, d.vote] }

    static let dutyHeaders = ["编号 number", "姓名 name", "界别 sector", "出席 attended", "请假 leave", "缺席 absent",
                              "协商活动 activities", "领衔提案 led", "附议提案 co-signed", "社情民意 opinions", "采用 adopted"]

    func dutyRow(_ d: Duty) -> [String] {
        [d.number, d.name, d.sector, String(d.attended), String(d.onLeave), String(d.absent),
         String(d.consultationActivities), String(d.proposalsLed), String(d.proposalsCosigned),
         String(d.opinionsSubmitted), String(d.opinionsAdopted)]
    }

    var table: String {
        var out = "政协工作报告 Committee report  \(from) — \(to)\n\n"
        var summaryTable = Table("类别 section", "项目 item", "数值 value")
        for row in summary { summaryTable.add(row.section, row.item, row.value) }
        out += summaryTable.rendered + "\n"
        if !unitHandling.isEmpty {
            var units = Table(); units.headers = Self.unitHeaders
            for u in unitHandling { units.add(unitRow(u)) }
            out += "\n承办单位办理情况 handling by lead unit\n" + units.rendered + "\n"
        }
        if !keyProposals.isEmpty {
            var table = Table(); table.headers = Self.keyHeaders
            for k in keyProposals { table.add(keyRow(k)) }
            out += "\n重点提案督办 key proposals\n" + table.rendered + "\n"
        }
        if !plan.isEmpty {
            var table = Table(); table.headers = Self.planHeaders
            for p in plan { table.add(planRow(p)) }
            out += "\n年度协商计划执行情况 the consultation plan\n" + table.rendered + "\n"
        }
        if !decisions.isEmpty {
            var table = Table(); table.headers = Self.decisionHeaders
            for d in decisions { table.add(decisionRow(d)) }
            out += "\n审议事项 documents decided\n" + table.rendered + "\n"
        }
        out += "\n委员履职情况 members' duty performance\n"
        var duty = Table(); duty.headers = Self.dutyHeaders
        for d in members { duty.add(dutyRow(d)) }
        out += duty.rendered + "\n"
        return out
    }

    /// Two CSV tables: the summary (section, item, value), a blank line, then the members'
    /// duty performance. RFC 4180 quoting; UTF-8 with a byte-order mark so spreadsheet
    /// programs read the Chinese.
    var csv: String {
        var out = "\u{FEFF}" + CSV.line(["类别 section", "项目 item", "数值 value"])
        for row in summary { out += CSV.line([row.section, row.item, row.value]) }
        if !unitHandling.isEmpty {
            out += "\r\n" + CSV.line(Self.unitHeaders)
            for u in unitHandling { out += CSV.line(unitRow(u)) }
        }
        if !keyProposals.isEmpty {
            out += "\r\n" + CSV.line(Self.keyHeaders)
            for k in keyProposals { out += CSV.line(keyRow(k)) }
        }
        if !plan.isEmpty {
            out += "\r\n" + CSV.line(Self.planHeaders)
            for p in plan { out += CSV.line(planRow(p)) }
        }
        if !decisions.isEmpty {
            out += "\r\n" + CSV.line(Self.decisionHeaders)
            for d in decisions { out += CSV.line(decisionRow(d)) }
        }
        out += "\r\n" + CSV.line(Self.dutyHeaders)
        for d in members { out += CSV.line(dutyRow(d)) }
        return out
    }
}

struct ReportCommand: GatewayCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The secretariat's report for a period: topics, activities, meetings and attendance, proposals, replies, satisfaction, overdue, 六有 rooms, 下沉 coverage, members' duty performance.",
        discussion: """
            A date-only --to counts that whole day. Formats: table (default), json, csv (the \
            summary, a blank line, the duty-performance table), html (one self-contained page \
            with charts, printable). --output writes to a file instead of standard output.

            Example: gateway report --from 2026-01-01 --to 2026-12-31 --format html \\
                         --output report-2026.html
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv, html }

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "First day (YYYY-MM-DD, or YYYY-MM-DD HH:MM).") var from: String
    @Option(help: "Last day, included (YYYY-MM-DD, or an exact YYYY-MM-DD HH:MM end).") var to: String
    @Option(help: "table, json, csv or html (default table; --json is the same as --format json).") var format: Format = .table
    @Option(help: "Write the report to this file.") var output: String?

    func validate() throws {
        guard CommitteeClock.parse(from) != nil else { throw ValidationError("--from \"\(from)\": write YYYY-MM-DD") }
        guard let end = endMs else { throw ValidationError("--to \"\(to)\": write YYYY-MM-DD") }
        guard end > CommitteeClock.parse(from)! else { throw ValidationError("--to must be after --from") }
    }

    var endMs: Int64? {
        guard let ms = CommitteeClock.parse(to) else { return nil }
        return to.count == 10 ? ms + 86_400_000 : ms
    }

    func perform() async throws -> Output {
        let report = try await CommitteeReport.assemble(connection, fromMs: CommitteeClock.parse(from)!, toMs: endMs!, from: from, to: to)
        let text: String
        let chosen = connection.json ? .json : format
        switch chosen {
        case .json: text = try jsonText(report) + "\n"
        case .csv: text = report.csv
        case .html: text = ReportPage.html(report)
        case .table: text = report.table
        }
        guard let output else { return .document(text) }
        do {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            Terminal.error("error: cannot write \(output): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        return .document("wrote the report (\(chosen.rawValue)) to \(output)\n")
    }
}
