import ArgumentParser
import XieshangWire

extension DutyCommand {
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
}
