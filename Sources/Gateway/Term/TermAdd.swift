import ArgumentParser
import XieshangWire

extension TermCommand {
    struct Add: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a term; the first one, or one given --current, becomes the current term.",
            discussion: "Example: gateway term add --number 5 --start 2022-01-15 --end 2027-01-14")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The term's number (第五届: 5).") var number: Int32
        @Option(help: "First day, YYYY-MM-DD.") var start: String
        @Option(help: "Last day, YYYY-MM-DD.") var end: String
        @Flag(help: "Make it the current term.") var current = false

        func perform() async throws -> Output {
            var term = MemberV1.Term()
            term.number = number
            term.startDate = start
            term.endDate = end
            term.current = current
            let created = try await connection.call(MemberV1.Terms.create) { $0.term = term }
            return termsOutput(created.term.map { [$0] } ?? [])
        }
    }
}
