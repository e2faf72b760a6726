import ArgumentParser

extension MemberCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "List members, filtered.",
            discussion: "Example: gateway member list --role 常委 --status 在任 --all")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var filters: Filters

        func perform() async throws -> Output {
            try await listMembers(filters.request(), all: filters.all, connection)
        }
    }
}
