import XieshangRPC
import XieshangWire

/// What the tracker asks the other services. Down or slow peers become UNAVAILABLE.
public struct Peers: Sendable {
    let registry: RPCClient
    let scheduler: RPCClient

    public init(registry: RPCClient, scheduler: RPCClient) {
        self.registry = registry
        self.scheduler = scheduler
    }

    private func call<Request: WireMessage, Response: WireMessage>(
        _ client: RPCClient, _ service: String, _ method: WireMethod<Request, Response>, _ request: Request, field: String
    ) async throws -> Response {
        do {
            return try await client.call(method, request, options: .read)
        } catch {
            switch error.code {
            case .unavailable, .deadlineExceeded, .resourceExhausted, .cancelled:
                throw ProposalError.unavailable(service, error.message)
            case .notFound:
                throw ProposalError.notFound(field: field, what: error.violations.first?.description.replacingOccurrences(of: " not found", with: "") ?? error.message)
            default:
                throw error
            }
        }
    }

    /// Active members of the term with these ids; anyone else is refused, naming the field.
    public func members(_ ids: [Int64], term: Int32, field: String) async throws -> [Int64: MemberV1.Member] {
        guard !ids.isEmpty else { return [:] }
        var request = MemberV1.BatchGetMembersRequest()
        request.ids = ids
        let response = try await call(registry, "member-registry", MemberV1.Members.batchGet, request, field: field)
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
        let unit = try await call(registry, "member-registry", MemberV1.Units.get, request, field: field).unit ?? MemberV1.Unit()
        guard unit.active else { throw ProposalError.invalid([(field, "unit \(id) \(unit.name) no longer takes proposals")]) }
        return unit
    }

    public func currentTerm() async throws -> Int32 {
        let terms = try await call(registry, "member-registry", MemberV1.Terms.list, MemberV1.ListTermsRequest(), field: "term").terms
        guard let current = terms.first(where: \.current) else { throw ProposalError.notAllowed(field: "term", "member-registry has no current term") }
        return current.number
    }

    public func meeting(_ id: Int64, field: String) async throws -> MeetingV1.Meeting {
        var request = MeetingV1.GetMeetingRequest()
        request.id = id
        return try await call(scheduler, "meeting-scheduler", MeetingV1.Meetings.get, request, field: field).meeting ?? MeetingV1.Meeting()
    }
}
