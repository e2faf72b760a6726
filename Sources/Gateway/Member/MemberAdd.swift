import ArgumentParser
import XieshangWire

extension MemberCommand {
    struct Add: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a member to the current term.",
            discussion: "Example: gateway member add --number 0001 --name 张伟 --sector 教育界 \\\n             --role 常委 --phone 13800000001")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fields: Fields
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0

        func validate() throws {
            if fields.memberNumber == nil { throw ValidationError("--number is required") }
            if fields.name == nil { throw ValidationError("--name is required") }
            if fields.sector == nil { throw ValidationError("--sector is required") }
        }

        func perform() async throws -> Output {
            var member = MemberV1.Member()
            member.term = term
            fields.apply(to: &member)
            let created = try await connection.call(MemberV1.Members.create) { $0.member = member }
            return Output.member(created.member)
        }
    }
}
