import XieshangRPC
import XieshangWire

/// What the tracker asks the other services, through `Dependency` (which says what the
/// tracker's caller sees when one of them fails).
public struct Peers: Sendable {
    let registry: Dependency
    let scheduler: Dependency

    public init(registry: RPCClient, scheduler: RPCClient) {
        self.registry = Dependency(name: "member-registry", client: registry)
        self.scheduler = Dependency(name: "meeting-scheduler", client: scheduler)
    }

    private func call<Request: WireMessage, Response: WireMessage>(
        _ dependency: Dependency, _ method: WireMethod<Request, Response>, _ request: Request, field: String
    ) async throws -> Response {
        try await dependency.read(method, request, field: field)
    }

    /// Active members of the term with these ids; anyone else is refused, naming the field.
    public func members(_ ids: [Int64], term: Int32, field: String) async throws -> [Int64: MemberV1.Member] {
        guard !ids.isEmpty else { return [:] }
        var request = MemberV1.BatchGetMembersRequest()
        request.ids = ids
        let response = try await call(registry, MemberV1.Members.batchGet, request, field: field)
        if !response.missingIDs.isEmpty {
            throw ProposalError.notFound(field: field, what: "member \(response.missingIDs.map(String.init).joined(separator: ", "))")
        }
        for m in response.members where (term != 0 && m.term != term) || m.status != .active {
            throw ProposalError.invalid([(field, "member \(m.id) \(m.name) is not an active member of term \(term)")])
        }
        return Dictionary(uniqueKeysWithValues: response.members.map { ($0.id, $0) })
    }

    public func unit(_ id: Int64, field: String) async throws -> MemberV1.Unit {
        var request = MemberV1.GetUnitRequest()
        request.id = id
        let unit = try await call(registry, MemberV1.Units.get, request, field: field).unit ?? MemberV1.Unit()
        guard unit.active else { throw ProposalError.invalid([(field, "unit \(id) \(unit.name) no longer takes proposals")]) }
        return unit
    }

    public func currentTerm() async throws -> Int32 {
        let terms = try await call(registry, MemberV1.Terms.list, MemberV1.ListTermsRequest(), field: "term").terms
        guard let current = terms.first(where: \.current) else { throw ProposalError.notAllowed(field: "term", "member-registry has no current term") }
        return current.number
    }

    public func meeting(_ id: Int64, field: String) async throws -> MeetingV1.Meeting {
        var request = MeetingV1.GetMeetingRequest()
        request.id = id
        return try await call(scheduler, MeetingV1.Meetings.get, request, field: field).meeting ?? MeetingV1.Meeting()
    }
}
