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

    /// The leader who supervises a key proposal (领衔督办): an active 主席 or 副主席 of the term.
    public func supervisor(_ id: Int64, term: Int32, field: String) async throws -> MemberV1.Member {
        let member = try await members([id], term: term, field: field)[id] ?? MemberV1.Member()
        guard member.role == .chair || member.role == .viceChair else {
            throw ProposalError.invalid([(field, "member \(id) \(member.name) is not the 主席 or a 副主席; key proposals are supervised by them")])
        }
        return member
    }

    /// The 主席会议 that chose key proposals: a meeting of that kind, published or held.
    public func chairpersonsCouncil(_ id: Int64, field: String) async throws -> MeetingV1.Meeting {
        let meeting = try await self.meeting(id, field: field)
        guard meeting.kind == .chairpersonsCouncil else {
            throw ProposalError.invalid([(field, "meeting \(id) is not a 主席会议; key proposals are chosen by one")])
        }
        guard meeting.status == .published || meeting.status == .closed else {
            throw ProposalError.invalid([(field, "meeting \(id) is \(meeting.status == .cancelled ? "cancelled" : "a draft"); record the choice of a 主席会议 that was held")])
        }
        return meeting
    }

    /// The assisting units that are asked to 会签 a reply: those still taking proposals,
    /// with their names; a unit no longer active is left out, not waited for.
    public func signoffUnits(_ ids: [Int64]) async throws -> [MemberV1.Unit] {
        var units: [MemberV1.Unit] = []
        for (index, id) in ids.enumerated() {
            let unit = try await registry.unit(id, field: "assisting_unit_ids[\(index)]")
            if unit.active { units.append(unit) }
        }
        return units
    }

    /// A member as the registry knows them, whatever their status now.
    public func member(_ id: Int64, field: String) async throws -> MemberV1.Member {
        try await registry.knownMembers([id], field: field).first ?? MemberV1.Member()
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

    /// An item of the annual consultation plan (meeting-scheduler's); NOT_FOUND naming the field.
    public func planItem(_ id: Int64, field: String) async throws -> MeetingV1.PlanItem {
        var request = MeetingV1.ListPlanRequest()
        request.id = id
        return try await scheduler.read(MeetingV1.Meetings.listPlan, request, field: field).items.first ?? MeetingV1.PlanItem()
    }

    public func meeting(_ id: Int64, field: String) async throws -> MeetingV1.Meeting {
        var request = MeetingV1.GetMeetingRequest()
        request.id = id
        return try await scheduler.read(MeetingV1.Meetings.get, request, field: field).meeting ?? MeetingV1.Meeting()
    }
}
