import XieshangRPC
import XieshangWire

/// What the scheduler asks member-registry, through `Dependency` (which says what the
/// scheduler's caller sees when the registry fails).
public struct RegistryLink: Sendable {
    let registry: Dependency

    public init(client: RPCClient) { registry = Dependency(name: "member-registry", client: client) }

    private func call<Request: WireMessage, Response: WireMessage>(
        _ method: WireMethod<Request, Response>, _ request: Request, field: String
    ) async throws -> Response {
        try await registry.read(method, request, field: field)
    }

    public func room(_ id: Int64, field: String) async throws -> MemberV1.Room {
        var request = MemberV1.GetRoomRequest()
        request.id = id
        return try await call(MemberV1.Rooms.get, request, field: field).room ?? MemberV1.Room()
    }

    /// The term numbered `number`, or the current term for 0.
    public func term(_ number: Int32, field: String) async throws -> MemberV1.Term {
        let terms = try await call(MemberV1.Terms.list, MemberV1.ListTermsRequest(), field: field).terms
        if number == 0 {
            guard let current = terms.first(where: \.current) else {
                throw SchedulerError.failedPrecondition(field: field, "member-registry has no current term")
            }
            return current
        }
        guard let term = terms.first(where: { $0.number == number }) else {
            throw SchedulerError.notFound(field: field, what: "term \(number)")
        }
        return term
    }

    public func currentTerm() async throws -> Int32 {
        let terms = try await call(MemberV1.Terms.list, MemberV1.ListTermsRequest(), field: "term").terms
        guard let current = terms.first(where: \.current) else {
            throw SchedulerError.failedPrecondition(field: "term", "member-registry has no current term")
        }
        return current.number
    }

    /// The members with these ids; unknown ids are refused with NOT_FOUND naming them.
    public func members(_ ids: [Int64], field: String) async throws -> [MemberV1.Member] {
        guard !ids.isEmpty else { return [] }
        var request = MemberV1.BatchGetMembersRequest()
        request.ids = ids
        let response = try await call(MemberV1.Members.batchGet, request, field: field)
        if !response.missingIDs.isEmpty {
            throw SchedulerError.notFound(field: field, what: "member \(response.missingIDs.map(String.init).joined(separator: ", "))")
        }
        return response.members
    }

    /// Every active member of the groups, without duplicates, in id order.
    public func resolve(_ groups: [MeetingV1.GroupRef], term: Int32) async throws -> [Int64] {
        var ids = Set<Int64>()
        for (index, group) in groups.enumerated() {
            var request = MemberV1.ResolveGroupRequest()
            request.kind = group.kind
            request.name = group.name
            request.id = group.id
            request.term = term
            ids.formUnion(try await call(MemberV1.Members.resolveGroup, request, field: "groups[\(index)]").memberIDs)
        }
        return ids.sorted()
    }
}
