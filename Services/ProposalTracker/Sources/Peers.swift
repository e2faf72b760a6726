import XieshangRPC
import XieshangService
import XieshangWire

/// What the tracker asks the other services, through `Dependency` (which says what the
/// tracker's caller sees when one of them fails).
public struct Peers: Sendable {
    let registry: RegistryClient
    let scheduler: Dependency

    public init(registry: RPCClient, scheduler: RPCClient) {
        self.registry = RegistryClient(client: registry)
        self.scheduler = Dependency(name: "meeting-scheduler", client: scheduler)
    }

    /// Active members of the term with these ids; anyone else is refused, naming the field.
    public func members(_ ids: [Int64], term: Int32, field: String) async throws -> [Int64: MemberV1.Member] {
        let members = try await registry.knownMembers(ids, field: field)
        for m in members where (term != 0 && m.term != term) || m.status != .active {
            throw ProposalError.invalid([(field, "member \(m.id) \(m.name) is not an active member of term \(term)")])
        }
        return Dictionary(uniqueKeysWithValues: members.map { ($0.id, $0) })
    }

    /// A unit that takes proposals; an inactive one is refused, naming the field.
    public func unit(_ id: Int64, field: String) async throws -> MemberV1.Unit {
        let unit = try await registry.unit(id, field: field)
        guard unit.active else { throw ProposalError.invalid([(field, "unit \(id) \(unit.name) no longer takes proposals")]) }
        return unit
    }

    public func currentTerm() async throws -> Int32 {
        try await registry.term(0, field: "term").number
    }

    public func meeting(_ id: Int64, field: String) async throws -> MeetingV1.Meeting {
        var request = MeetingV1.GetMeetingRequest()
        request.id = id
        return try await scheduler.read(MeetingV1.Meetings.get, request, field: field).meeting ?? MeetingV1.Meeting()
    }
}
