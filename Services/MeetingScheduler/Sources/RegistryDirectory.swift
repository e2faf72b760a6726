import Foundation
import XieshangService
import XieshangWire

/// What scheduling asks of member-registry — a room, a term, members, the rooms a member
/// leads, a group's members — answered from the scheduler's read model (`RegistryModel`) while
/// that is in step with the registry, and by the registry itself otherwise.
///
/// The model answers only what it knows: a room, term, member, list name or station it has
/// not heard of, and a member it does not know as a room's convener, are asked of the
/// registry, so a refusal (NOT_FOUND, PERMISSION_DENIED) always comes from the registry's own
/// answer. What the model says yes to may be as old as the last event it applied: normally
/// milliseconds (the registry publishes each change as it commits, and the scheduler asks it
/// for anything missed every second), at most the staleness limit while it cannot hear the
/// registry; past that limit every question goes to the registry again (UNAVAILABLE while it
/// is down).
public struct RegistryDirectory: Sendable {
    /// The registry itself.
    public let remote: RegistryClient
    let database: ServiceDatabase
    /// Whether the model may answer now (the registry consumer is in step, within the limit).
    let inStep: @Sendable () -> Bool

    public init(remote: RegistryClient, database: ServiceDatabase, inStep: @escaping @Sendable () -> Bool) {
        self.remote = remote
        self.database = database
        self.inStep = inStep
    }

    /// The model's answer, or nil when it may not answer, cannot, or cannot be read (then the
    /// registry is asked).
    private func model<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T?) async -> T? {
        guard inStep() else { return nil }
        return (try? await database.readSession(body)) ?? nil
    }

    public func room(_ id: Int64, field: String) async throws -> MemberV1.Room {
        if let room = await model({ db in try RegistryModel.room(db, id) }) { return room }
        return try await remote.room(id, field: field)
    }

    /// The term numbered `number`, or the current one for 0.
    public func term(_ number: Int32, field: String) async throws -> MemberV1.Term {
        if let known = await model({ db in try Self.term(db, number) }) { return known }
        return try await remote.term(number, field: field)
    }

    /// A meeting's room (none for 0) and term (the current one for 0), as `room` and `term`
    /// answer them, from one read of the model when it knows both.
    public func place(room id: Int64, roomField: String, term number: Int32, termField: String) async throws -> (room: MemberV1.Room?, term: MemberV1.Term) {
        let known = await model { db -> (room: MemberV1.Room?, term: MemberV1.Term?)? in
            (id == 0 ? nil : try RegistryModel.room(db, id), try Self.term(db, number))
        }
        var room = known?.room
        if id != 0, room == nil { room = try await remote.room(id, field: roomField) }
        if let term = known?.term { return (room, term) }
        return (room, try await remote.term(number, field: termField))
    }

    /// Inside a transaction on the scheduler's own database: the room (none for 0) and the
    /// term (the current one for 0) from the model, when it may answer and knows both; nil
    /// otherwise (then `place` asks the registry).
    public func modelPlace(_ db: any SQLSession, room id: Int64, term number: Int32) throws -> (room: MemberV1.Room?, term: MemberV1.Term)? {
        guard inStep() else { return nil }
        var room: MemberV1.Room?
        if id != 0 {
            guard let known = try RegistryModel.room(db, id) else { return nil }
            room = known
        }
        guard let term = try Self.term(db, number) else { return nil }
        return (room, term)
    }

    private static func term(_ db: any SQLSession, _ number: Int32) throws -> MemberV1.Term? {
        let terms = try RegistryModel.terms(db)
        return number == 0 ? terms.first(where: \.current) : terms.first(where: { $0.number == number })
    }

    /// The members with these ids, in id order; an id the model does not know sends the
    /// whole question to the registry (NOT_FOUND naming `field` for one it does not know either).
    public func knownMembers(_ ids: [Int64], field: String) async throws -> [MemberV1.Member] {
        guard !ids.isEmpty else { return [] }
        let wanted = Set(ids).count
        if let found = await model({ db in try RegistryModel.members(db, ids) }), found.count == wanted { return found }
        return try await remote.knownMembers(ids, field: field)
    }

    /// Inside a transaction on the scheduler's own database: the members with these ids from
    /// the model, in id order, when it may answer and knows every one; nil otherwise (then
    /// `knownMembers` asks the registry, outside the transaction).
    public func modelMembers(_ db: any SQLSession, _ ids: [Int64]) throws -> [MemberV1.Member]? {
        guard !ids.isEmpty else { return [] }
        guard inStep() else { return nil }
        let found = try RegistryModel.members(db, ids)
        return found.count == Set(ids).count ? found : nil
    }

    /// The rooms member `id` leads (convenes, chairs the council of, or heads the station of).
    public func roomsLed(byMember id: Int64, field: String) async throws -> Set<Int64> {
        if let led = await model({ db in try Self.roomsLed(db, id) }) { return led }
        return try await remote.roomsLed(byMember: id, field: field)
    }

    /// Whether member `id` leads room `room`: the model's yes, or the registry's answer.
    public func leads(member id: Int64, room: Int64, field: String) async throws -> Bool {
        if let led = await model({ db in try Self.roomsLed(db, id) }), led.contains(room) { return true }
        return try await remote.roomsLed(byMember: id, field: field).contains(room)
    }

    /// Every active member of the groups, without duplicates, in id order.
    public func resolve(_ groups: [MeetingV1.GroupRef], term: Int32) async throws -> [Int64] {
        let known = await model { db -> [Int64]? in
            var ids = Set<Int64>()
            for group in groups {
                guard let members = try RegistryModel.resolve(db, group, term: term) else { return nil }
                ids.formUnion(members)
            }
            return ids.sorted()
        }
        if let known { return known }
        return try await remote.resolve(groups, term: term)
    }

    /// Health/Check's part about the model: how much it holds, how far it has applied the
    /// registry's events, and whether it answers now. Not following a registry that is down is
    /// no failure (the model answers meanwhile, then the registry is asked); a registry that is
    /// not the database the model was built from is (FAILING until an operator decides).
    public static func health(_ follower: EventConsumer, database: ServiceDatabase, inStep: Bool) async -> (ok: Bool, detail: String) {
        let counts = (try? await database.readSession { db in try RegistryModel.counts(db) }) ?? (members: 0, rooms: 0, terms: 0)
        let events = await EventConsumer.describe([follower]).detail
        let state: String
        if inStep {
            state = "answering"
        } else if follower.lastInStepMs == 0 {
            state = "not yet in step: asking member-registry"
        } else {
            state = "last in step \((Date.nowMilliseconds - follower.lastInStepMs) / 1000) s ago: asking member-registry"
        }
        return (!follower.isDiverged,
                "registry model: \(counts.members) members, \(counts.rooms) rooms, \(counts.terms) terms, \(state); \(events)")
    }

    /// The registry's rule (`RegistryClient.roomsLed(by:among:)`) over the model's member and
    /// rooms; nil for a member the model does not know.
    static func roomsLed(_ db: any SQLSession, _ id: Int64) throws -> Set<Int64>? {
        guard let member = try RegistryModel.members(db, [id]).first else { return nil }
        var rooms: [MemberV1.Room] = []
        for function in member.functions where function.kind == .stationHead {
            rooms += try RegistryModel.rooms(db, station: function.stationID)
        }
        return RegistryClient.roomsLed(by: member, among: rooms)
    }
}
