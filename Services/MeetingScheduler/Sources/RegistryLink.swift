import XieshangRPC
import XieshangWire

/// What the scheduler asks member-registry. A registry that is down or too slow becomes
/// `UNAVAILABLE` for the caller; the registry's own refusals keep their codes, with the
/// field named from the scheduler's request.
public struct RegistryLink: Sendable {
    let client: RPCClient

    public init(client: RPCClient) { self.client = client }

    private func call<Request: WireMessage, Response: WireMessage>(
        _ method: WireMethod<Request, Response>, _ request: Request, field: String
    ) async throws -> Response {
        do {
            return try await client.call(method, request, options: .read)
        } catch {
            switch error.code {
            case .unavailable, .deadlineExceeded, .resourceExhausted, .cancelled:
                throw SchedulerError.registryUnavailable(error.message)
            case .notFound:
                throw SchedulerError.notFound(field: field, what: error.violations.first?.description.replacingOccurrences(of: " not found", with: "") ?? error.message)
            case .invalidArgument:
                throw SchedulerError.invalid(error.violations.map { (field, $0.description) })
            default:
                throw error
            }
        }
    }

    public func room(_ id: Int64, field: String) async throws -> MemberV1.Room {
        var request = MemberV1.GetRoomRequest()
        request.id = id
        return try await call(MemberV1.Rooms.get, request, field: field).room ?? MemberV1.Room()
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
