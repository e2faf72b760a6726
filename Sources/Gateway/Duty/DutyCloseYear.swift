import ArgumentParser
import XieshangWire

extension DutyCommand {
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
