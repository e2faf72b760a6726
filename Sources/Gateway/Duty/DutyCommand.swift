import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension DutyV1.DutyKind: ExpressibleByArgument {}
extension DutyV1.Decision: ExpressibleByArgument {}

/// `gateway duty`: the members' 履职 record (duty-record).
struct DutyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duty",
        abstract: "The members' record of duty (履职档案): a member's year, the ranking, what staff record and review.",
        discussion: """
            Meetings attended, leave and absence, consultation activities, proposals filed (led and
            co-signed) and 社情民意 (submitted, adopted, instructed on) come from the other services by
            themselves; speeches, inspections, research, training and assistance are recorded here.
            Points follow the committee's rules (duty-record --rules); a closed year keeps its points.
            """,
        subcommands: [Show.self, Ranking.self, Report.self, Record.self, Review.self, Dispute.self, Entry.self, Rules.self, Recalculate.self, CloseYear.self])

    struct Show: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "A member's year: every entry with its source and points, and the totals by kind.",
            discussion: "Example: gateway duty show 13 --year 2026")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member (a member's own key: their own, the default).") var member: Int64?
        @Option(help: "The year.") var year: Int32

        func perform() async throws -> Output {
            let response = try await connection.call(DutyV1.Duty.show, options: .read) { request in
                request.memberID = member ?? 0
                request.year = year
            }
            let y = response.year ?? DutyV1.MemberYear()
            var output = Output(response)
            output.line("\(y.name)（委员 \(y.memberID)，\(y.sector)）\(y.year)年履职：\(y.points) 分，\(y.entries) 项\(response.closed ? "（已结算）" : "")"
                        + (y.pending > 0 ? "，待确认 \(y.pending) 项" : "") + (y.disputed > 0 ? "，有异议 \(y.disputed) 项" : ""))
            var totals = Table("类别 kind", "项 count", "分 points")
            for t in y.byKind { totals.add(t.name, String(t.count), String(t.points)) }
            output.add(totals)
            var entries = Table("id", "日期 date", "类别 kind", "事项 title", "来源 source", "状态 status", "分 points")
            for e in response.entries {
                entries.add(String(e.id), e.date, e.kind.label, e.title, e.reference.isEmpty ? e.source : e.reference,
                            e.status.label + (e.disputed ? "（有异议）" : ""), String(e.points))
            }
            output.add(entries)
            return output
        }
    }

    struct Ranking: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "The year's ranking of every active member by points, with who did nothing.",
            discussion: "Example: gateway duty ranking --year 2026 --sector 教育界")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The year.") var year: Int32
        @Option(help: "Only this sector.") var sector: String?

        func perform() async throws -> Output {
            let response = try await connection.call(DutyV1.Duty.ranking, options: .read) { request in
                request.year = year
                request.sector = sector ?? ""
            }
            var result = Output(response)
            var table = Table("名次 rank", "委员 member", "姓名 name", "界别 sector", "积分 points", "项 entries")
            for (index, m) in response.members.enumerated() {
                table.add(String(index + 1), String(m.memberID), m.name, m.sector, String(m.points), String(m.entries))
            }
            result.add(table)
            let idle = response.members.filter { $0.entries == 0 }
            result.line("\(year)年\(response.closed ? "（已结算）" : "")：\(response.members.count) 名委员，\(idle.count) 名无履职记录；规则第 \(response.rulesVersion) 版")
            return result
        }
    }

    struct Report: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "The committee's annual 履职报告: every member's duties by kind and points, who did nothing; as a table, CSV or a printable HTML page.",
            discussion: "Example: gateway duty report --year 2026 --format html --output duty-2026.html")
        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, html }
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The year.") var year: Int32
        @Option(help: "Only this sector.") var sector: String?
        @Option(help: "table, csv or html (default table).") var format: Format = .table
        @Option(help: "Write it to this file.") var output: String?

        func perform() async throws -> Output {
            let response = try await connection.call(DutyV1.Duty.ranking, options: .read) { request in
                request.year = year
                request.sector = sector ?? ""
            }
            let report = DutyReport(year: year, sector: sector ?? "", response)
            var result = Output(response)
            let text: String
            switch format {
            case .table: text = report.table
            case .csv: text = report.csv
            case .html: text = report.html
            }
            if let output {
                try text.write(toFile: output, atomically: true, encoding: String.Encoding.utf8)
                result.line("wrote the \(year) 履职报告 (\(response.members.count) members) to \(output)")
            } else {
                result.line(text)
            }
            return result
        }
    }

    struct Record: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an activity the other services do not: staff's counts at once, a member's own waits for staff.",
            discussion: "Example: gateway duty record --member 13 --kind 大会发言 --date 2026-01-12 --title 关于发展文旅产业的发言 --evidence 大会发言材料第5号")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The member (a member's own key: their own).") var member: Int64?
        @Option(help: "大会发言, 书面发言, 参加视察, 参加调研, 调研视察报告, 参加培训, 帮扶公益活动 or 其他履职活动 (plenary-speech, written-speech, inspection, research, research-report, training, assistance, other).")
        var kind: DutyV1.DutyKind
        @Option(help: "When (YYYY-MM-DD).") var date: String
        @Option(help: "What it was.") var title: String
        @Option(help: "What shows it: a document's number, a photo's place, a witness.") var evidence: String

        func perform() async throws -> Output {
            entryOutput(try await connection.call(DutyV1.Duty.record) { request in
                request.memberID = member ?? 0
                request.kind = kind
                request.date = date
                request.title = title
                request.evidence = evidence
            }.entry)
        }
    }

    struct Review: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Staff decide a member's pending entry (confirm, reject) or a dispute (uphold, amend, void).",
            discussion: """
                Examples:
                  gateway duty review 41 confirm
                  gateway duty review 17 amend --kind 会议请假 --note 会前已书面请假，经核实
                  gateway duty review 18 void --note 该次会议未通知本人
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The entry.") var entry: Int64
        @Argument(help: "confirm, reject, uphold, amend or void (确认, 不予确认, 维持, 更正, 作废).") var decision: DutyV1.Decision
        @Option(help: "amend: the corrected kind.") var kind: DutyV1.DutyKind?
        @Option(help: "amend: the corrected date.") var date: String?
        @Option(help: "amend: the corrected title.") var title: String?
        @Option(help: "Why (required but for confirm).") var note: String?

        func perform() async throws -> Output {
            entryOutput(try await connection.call(DutyV1.Duty.review) { request in
                request.entryID = entry
                request.decision = decision
                request.kind = kind ?? .unspecified
                request.date = date ?? ""
                request.title = title ?? ""
                request.note = note ?? ""
            }.entry)
        }
    }

    struct Dispute: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "A member disputes an entry of their own record; it stands until staff decide.",
            discussion: "Example: gateway duty dispute 17 --reason 会前已书面请假")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The entry.") var entry: Int64
        @Option(help: "What is wrong with it.") var reason: String

        func perform() async throws -> Output {
            entryOutput(try await connection.call(DutyV1.Duty.dispute) { request in
                request.entryID = entry
                request.reason = reason
            }.entry)
        }
    }

    struct Entry: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "An entry and its history.", discussion: "Example: gateway duty entry 17")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The entry.") var entry: Int64

        func perform() async throws -> Output {
            entryOutput(try await connection.call(DutyV1.Duty.getEntry, options: .read) { $0.entryID = entry }.entry)
        }
    }

    struct Rules: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "The scoring rules in force, the earlier versions, and what awaits recalculation.", discussion: "Example: gateway duty rules")
        @OptionGroup var connection: ConnectionOptions

        func perform() async throws -> Output {
            let response = try await connection.call(DutyV1.Duty.rules, options: .read)
            let current = response.current ?? DutyV1.RulesVersion()
            var output = Output(response)
            output.line("规则第 \(current.version) 版（\(CommitteeClock.minute(current.loadedAtMs)) 起）；已结算年度：\(response.closedYears.isEmpty ? "无" : response.closedYears.map(String.init).joined(separator: "、"))"
                        + (response.staleEntries > 0 ? "；\(response.staleEntries) 项按旧规则计分，待 gateway duty recalculate" : ""))
            var table = Table("类别 kind", "名称 name", "分 points")
            for r in current.rules { table.add(r.kind.identifier, r.name, String(r.points)) }
            output.add(table)
            return output
        }
    }

    struct Recalculate: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score the open years' entries under the rules in force (closed years keep theirs).", discussion: "Example: gateway duty recalculate")
        @OptionGroup var connection: ConnectionOptions

        func perform() async throws -> Output {
            let response = try await connection.call(DutyV1.Duty.recalculate)
            var output = Output(response)
            output.line("按规则第 \(response.version) 版重新计分：\(response.changed) 项分值变化")
            return output
        }
    }

    struct CloseYear: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "close-year", abstract: "Close a year: its points become final under the rules in force.", discussion: "Example: gateway duty close-year --year 2026")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The year.") var year: Int32

        func perform() async throws -> Output {
            let response = try await connection.call(DutyV1.Duty.closeYear) { $0.year = year }
            var output = Output(response)
            output.line("\(response.year)年已结算：\(response.entries) 项，按规则第 \(response.rulesVersion) 版")
            return output
        }
    }
}

func entryOutput(_ entry: DutyV1.Entry?) -> Output {
    let e = entry ?? .init()
    var table = Table("字段 field", "值 value")
    for (field, value) in [
        ("id", String(e.id)), ("委员 member", String(e.memberID)), ("日期 date", e.date), ("类别 kind", e.kind.label), ("事项 title", e.title),
        ("来源 source", e.reference.isEmpty ? e.source : "\(e.source)，\(e.reference)"), ("证明 evidence", e.evidence),
        ("状态 status", e.status.label + (e.disputed ? "（有异议：\(e.disputeReason)）" : "")),
        ("分 points", "\(e.points)（规则第 \(e.rulesVersion) 版）"),
    ] where !value.isEmpty { table.add(field, value) }
    var output = Output(e, table)
    var history = Table("时间 at", "经办 by", "事项 action", "说明 note")
    for c in e.history { history.add(CommitteeClock.minute(c.atMs), c.by, c.action, c.note) }
    output.add(history)
    return output
}
