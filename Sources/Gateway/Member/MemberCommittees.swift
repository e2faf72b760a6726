import ArgumentParser
import Foundation
import XieshangWire

extension MemberCommand {
    struct Committees: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the special committees (专委会), or add one.", discussion: "Example: gateway member committees")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Add this special committee.") var add: String?
        func perform() async throws -> Output { try await catalog(.specialCommittee, add, connection) }
    }
}
