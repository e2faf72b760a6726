import Foundation
import MemberRegistry
import Testing
import XieshangRPC
import XieshangService
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

/// member-registry served in this process (`inproc://`, an in-memory database): the 常委会's
/// personnel decisions through the RPC surface itself, where the gateway offers no way round them.
@Suite("member-registry in process")
struct RegistryInProcessTests {
    @Test("ChangeStatus cannot resign, remove or add a member: those are the 常委会's decisions; a nominee is not restored")
    func decisionsNotEdits() async throws {
        let registry = try InProcessService("member-registry", migrations: RegistrySchema.migrations, context: try ZMQContext()) { database, outbox in
            RegistryHandlers(database: database, outbox: outbox)
        }
        let client = try registry.client()
        var term = MemberV1.CreateTermRequest()
        term.term = MemberV1.Term()
        term.term?.number = 10
        term.term?.startDate = "2022-01-15"
        term.term?.endDate = "2027-01-14"
        _ = try await client.call(MemberV1.Terms.create, term)
        // The sectors' catalogue comes with the national list (教育界 among them).

        func add(_ number: String, nominated: Bool) async throws -> MemberV1.Member {
            var m = MemberV1.Member()
            m.memberNumber = number
            m.name = "委员\(number)"
            m.sector = "教育界"
            m.addedDuringTerm = nominated
            var request = MemberV1.CreateMemberRequest()
            request.member = m
            return try #require(try await client.call(MemberV1.Members.create, request).member)
        }
        func change(_ id: Int64, _ status: MemberV1.MemberStatus) async -> RPCError? {
            var request = MemberV1.ChangeStatusRequest()
            request.id = id
            request.status = status
            request.reason = "直接修改"
            do {
                _ = try await client.call(MemberV1.Members.changeStatus, request)
                return nil
            } catch {
                return error
            }
        }

        let member = try await add("0001", nominated: false)
        #expect(member.status == .active)
        for status in [MemberV1.MemberStatus.resigned, .removed, .nominated] {
            let refused = await change(member.id, status)
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.violations.first?.field == "status")
        }
        let nominee = try await add("0002", nominated: true)
        #expect(nominee.status == .nominated)
        #expect(await change(nominee.id, .active)?.code == .failedPrecondition)

        // Nothing changed.
        var get = MemberV1.GetMemberRequest()
        get.id = member.id
        #expect(try await client.call(MemberV1.Members.get, get).member?.status == .active)
        get.id = nominee.id
        #expect(try await client.call(MemberV1.Members.get, get).member?.status == .nominated)
        // 去世 is recorded directly.
        #expect(await change(member.id, .deceased) == nil)
        await client.close()
        await registry.stop()
    }
}
