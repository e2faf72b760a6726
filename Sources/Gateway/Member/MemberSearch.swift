import ArgumentParser
import Foundation

extension MemberCommand {
    struct Search: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find members whose name or work unit contains the text (Chinese works).",
            discussion: "Example: gateway member search 第一中学")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Text to look for in names and work units.") var text: String
        @OptionGroup var filters: Filters

        func validate() throws {
            if text.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the search text must not be empty") }
        }

        func perform() async throws -> Output {
            try await listMembers(filters.request(query: text), all: filters.all, connection)
        }
    }
}
