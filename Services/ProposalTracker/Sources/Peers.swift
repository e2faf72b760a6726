import Foundation
import XieshangLabels
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

    /// The term's session (次会议) at `at`: the last plenary the scheduler holds begun by
    /// then, or the next staff set for it less one; when the scheduler knows of none, one
    /// plenary a year from the term's first day (a term begun in January 2022 is in its fifth
    /// session in December 2026).
    public func session(term: Int32, at: Int64) async throws -> Int32 {
        var request = MeetingV1.SessionRequest()
        request.term = term
        request.atMs = at
        let known = try await scheduler.read(MeetingV1.Meetings.session, request, field: "proposal.session").session
        if known > 0 { return known }
        let start = try await registry.term(term, field: "proposal.term").startDate
        guard let startYear = Int(start.prefix(4)) else { return 1 }
        let year = CommitteeClock.calendar.component(.year, from: Date(timeIntervalSince1970: Double(at) / 1000))
        return Int32(max(1, year - startYear + 1))
    }

    /// The active members of a topic's room, or of its work station when it has no room:
    /// who is told of its notices.
    public func members(of topic: ProposalV1.Topic) async throws -> [Int64] {
        var group = MeetingV1.GroupRef()
        group.kind = topic.roomID != 0 ? .room : .station
        group.id = topic.roomID != 0 ? topic.roomID : topic.stationID
        return try await registry.resolve([group], term: 0)
    }

    public func meeting(_ id: Int64, field: String) async throws -> MeetingV1.Meeting {
        var request = MeetingV1.GetMeetingRequest()
        request.id = id
        return try await scheduler.read(MeetingV1.Meetings.get, request, field: field).meeting ?? MeetingV1.Meeting()
    }
}
