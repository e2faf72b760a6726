import ArgumentParser
import XieshangRPC
import XieshangWire

extension DutyCommand {
    struct Entry: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "An entry and its history.", discussion: "Example: gateway duty entry 17")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The entry.") var entry: Int64

        func perform() async throws -> Output {
            entryOutput(try await connection.call(DutyV1.Duty.getEntry, options: .read) { $0.entryID = entry }.entry)
        }
    }
}
