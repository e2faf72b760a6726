import XieshangRPC
import XieshangWire

/// The one typed client of member-registry for the other services: what they ask it,
/// through `Dependency` (which says what a caller sees when the registry fails: UNAVAILABLE
/// naming it, in time). Unknown ids are answered as data (`missing`), so each service
/// decides what they mean to its caller, instead of parsing another service's error text.
public struct RegistryClient: Sendable {
    let registry: Dependency

    public init(client: RPCClient) { registry = Dependency(name: "member-registry", client: client) }

    public func room(_ id: Int64, field: String) async throws -> MemberV1.Room {
        var request = MemberV1.GetRoomRequest()
        request.id = id
        return try await registry.read(MemberV1.Rooms.get, request, field: field).room ?? MemberV1.Room()
    }

    public func unit(_ id: Int64, field: String) async throws -> MemberV1.Unit {
        var request = MemberV1.GetUnitRequest()
        request.id = id
        return try await registry.read(MemberV1.Units.get, request, field: field).unit ?? MemberV1.Unit()
    }

    /// The term numbered `number`, or the current one for 0: NOT_FOUND for a number the
    /// registry does not have, FAILED_PRECONDITION when it has no current term.
    public func term(_ number: Int32, field: String) async throws -> MemberV1.Term {
        let terms = try await registry.read(MemberV1.Terms.list, MemberV1.ListTermsRequest(), field: field).terms
        if number == 0 {
            guard let current = terms.first(where: \.current) else {
                throw RPCError(.failedPrecondition, "\(field): member-registry has no current term",
                               violations: [RpcV1.FieldViolation(field: field, description: "member-registry has no current term")])
            }
            return current
        }
        guard let term = terms.first(where: { $0.number == number }) else {
            throw RPCError(.notFound, "\(field): term \(number) not found",
                           violations: [RpcV1.FieldViolation(field: field, description: "term \(number) not found")])
        }
        return term
    }

    /// The members with these ids, in id order, and the ids the registry does not know.
    public func members(_ ids: [Int64], field: String) async throws -> (members: [MemberV1.Member], missing: [Int64]) {
        guard !ids.isEmpty else { return ([], []) }
        var request = MemberV1.BatchGetMembersRequest()
        request.ids = ids
        let response = try await registry.read(MemberV1.Members.batchGet, request, field: field)
        return (response.members, response.missingIDs)
    }

    /// The members with these ids; an unknown one is NOT_FOUND naming `field` and the ids.
    public func knownMembers(_ ids: [Int64], field: String) async throws -> [MemberV1.Member] {
        let (members, missing) = try await members(ids, field: field)
        guard missing.isEmpty else {
            let what = "member \(missing.map(String.init).joined(separator: ", ")) not found"
            throw RPCError(.notFound, "\(field): \(what)", violations: [RpcV1.FieldViolation(field: field, description: what)])
        }
        return members
    }

    /// The rooms whose own activities member `id` leads, as the registry says now: the
    /// rooms they convene (召集人) or chair the council of (议事会主席), and every room of a work
    /// station they head (站长). Empty for a member who is not active, or not known.
    public func roomsLed(byMember id: Int64, field: String) async throws -> Set<Int64> {
        guard let member = try await members([id], field: field).members.first else { return [] }
        let headsStation = member.functions.contains { $0.kind == .stationHead }
        let rooms = headsStation ? try await registry.read(MemberV1.Rooms.list, MemberV1.ListRoomsRequest(), field: field).rooms : []
        return Self.roomsLed(by: member, among: rooms)
    }

    /// The rule itself, for whoever already has the member's record and the rooms (the
    /// portal reads them on the member's behalf): the rooms `member` convenes or chairs the
    /// council of, and those of `rooms` in a station they head; none unless they are active.
    public static func roomsLed(by member: MemberV1.Member, among rooms: [MemberV1.Room]) -> Set<Int64> {
        guard member.status == .active else { return [] }
        var led = Set<Int64>()
        var stations = Set<Int64>()
        for function in member.functions {
            switch function.kind {
            case .roomConvener, .roomCouncilChair: led.insert(function.roomID)
            case .stationHead: stations.insert(function.stationID)
            default: break
            }
        }
        led.formUnion(rooms.filter { stations.contains($0.stationID) }.map(\.id))
        led.remove(0)
        return led
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
            ids.formUnion(try await registry.read(MemberV1.Members.resolveGroup, request, field: "groups[\(index)]").memberIDs)
        }
        return ids.sorted()
    }
}
