import ArgumentParser
import Foundation
import XieshangWire

extension MemberCommand {
    struct Sectors: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the sectors (界别), or add one.", discussion: "Example: gateway member sectors --add 环境资源界")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Add this sector.") var add: String?
        func perform() async throws -> Output { try await catalog(.sector, add, connection) }
    }
}
