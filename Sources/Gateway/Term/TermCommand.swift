import ArgumentParser
import XieshangWire

struct TermCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "term", abstract: "The committee's terms (届).", subcommands: [Add.self, List.self, SetCurrent.self])
}

func termsOutput(_ terms: [MemberV1.Term]) -> Output {
    var output = Output(terms)
    var table = Table("届 term", "开始 start", "结束 end", "当前 current")
    for t in terms { table.add("第\(t.number)届", t.startDate, t.endDate, t.current ? "是" : "") }
    output.add(table)
    return output
}
