import ArgumentParser
import XieshangRPC
import XieshangWire

extension TermCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "List the terms.", discussion: "Example: gateway term list")
        @OptionGroup var connection: ConnectionOptions

        func perform() async throws -> Output {
            let terms = try await connection.call(MemberV1.Terms.list, MemberV1.ListTermsRequest(), options: .read)
            return termsOutput(terms.terms)
        }
    }
}
