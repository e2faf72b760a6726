import ArgumentParser
import Foundation
import XieshangRPC
import XieshangWire

extension ProposalCommand {
    struct Stats: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats", abstract: "Proposal and topic figures for a period.", discussion: "Example: gateway proposal stats --from 2026-01-01 --to 2027-01-01")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "From.") var from: Moment?
        @Option(help: "Until.") var to: Moment?

        func perform() async throws -> Output {
            let s = try await connection.call(ProposalV1.Proposals.statistics, options: .read) { request in
                request.fromMs = from?.ms ?? 0
                request.toMs = to?.ms ?? 0
            }
            var output = Output(s)
            var table = Table("项目 measure", "数 count")
            table.add("提交 submitted", String(s.submitted))
            table.add("立案 filed", String(s.filed))
            table.add("不立案 not filed", String(s.notFiled))
            table.add("并案 merged", String(s.merged))
            table.add("转送 referred", String(s.referred))
            table.add("委员提案 / 集体提案 by members / jointly (of filed)", "\(s.filedByMembers) / \(s.filedJointly)")
            table.add("大会期间 / 平时 during / between plenaries (of filed)", "\(s.filedDuringPlenary) / \(s.filedByMembers + s.filedJointly - s.filedDuringPlenary)")
            for c in s.filedByCategory { table.add("类别 category: \(c.name)", String(c.count)) }
            table.add("重点提案 key proposals chosen", String(s.keyProposals.count))
            table.add("已办复 answered (of filed)", String(s.answered))
            table.add("经会签 after 会签 (of answered)", String(s.countersigned))
            table.add("办复率 answer rate", String(format: "%.1f%%", s.answerRate * 100))
            table.add("按期办复率 on time", String(format: "%.1f%%", s.onTimeRate * 100))
            for c in s.repliesByClass {
                let label = s.replyClasses.first { $0.name == c.name }?.label ?? ""
                table.add("答复 \(c.name)类 \(label)", String(c.count))
            }
            table.add("满意 / 基本满意 / 不满意", "\(s.satisfied) / \(s.basicallySatisfied) / \(s.dissatisfied)")
            table.add("满意率 satisfaction", String(format: "%.1f%%", s.satisfactionRate * 100))
            for c in s.overdueByUnit { table.add("逾期 overdue: \(c.name)", String(c.count)) }
            table.add("议题 收集 / 确定 / 解决", "\(s.topicsCollected) / \(s.topicsDecided) / \(s.topicsSolved)")
            output.add(table)
            return output
        }
    }
}
