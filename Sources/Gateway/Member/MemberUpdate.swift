import ArgumentParser
import XieshangRPC
import XieshangWire

extension MemberCommand {
    struct Update: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a member's details; fields not given keep their values.",
            discussion: "Example: gateway member update 12 --phone 13900000002 --committee 提案委员会 \\\n             --committee 经济委员会")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @OptionGroup var fields: Fields

        func perform() async throws -> Output {
            let updated = try await connection.with(.registry) { client in
                var get = MemberV1.GetMemberRequest()
                get.id = id
                var member = try await client.call(MemberV1.Members.get, get, options: .read).member ?? MemberV1.Member()
                fields.apply(to: &member)
                var request = MemberV1.UpdateMemberRequest()
                request.member = member
                return try await client.call(MemberV1.Members.update, request)
            }
            return Output.member(updated.member)
        }
    }
}
