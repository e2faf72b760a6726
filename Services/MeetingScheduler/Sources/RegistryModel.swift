import Foundation
import XieshangService
import XieshangWire

/// member-registry's rooms, terms, managed lists and members as meeting-scheduler keeps them:
/// a read model fed by the registry's events, each applied once with the consumer's cursor
/// (`EventConsumer`), so the model is the registry's state as of the last event applied. It
/// keeps of a member only what scheduling uses — name, work unit, term, status, role, sector,
/// special committees, rooms and functions — never their phone, e-mail or birth date.
///
/// It answers what it knows and says when it does not (nil, or an empty answer the caller
/// takes to the registry): `RegistryDirectory` decides when it may be asked at all.
public enum RegistryModel {
    /// The registry's event source name, as the consumer and the cursor name it.
    public static let source = "member-registry"

    // MARK: - Applying the registry's events

    public static func apply(_ event: EventV1.Event, _ db: any SQLSession) throws {
        switch event.type {
        case DomainEvents.memberAdded.name, DomainEvents.memberUpdated.name, DomainEvents.memberResigned.name,
             DomainEvents.memberRestored.name, DomainEvents.memberDecided.name,
             DomainEvents.memberAssigned.name, DomainEvents.memberUnassigned.name:
            if let member = try MemberV1.MemberEvent(decoding: event.payload).member { try save(db, member) }
        case DomainEvents.roomSaved.name:
            if let room = try DomainEvents.roomSaved.payload(of: event).room { try save(db, room) }
        case DomainEvents.termSaved.name:
            if let term = try DomainEvents.termSaved.payload(of: event).term { try save(db, term) }
        case DomainEvents.catalogChanged.name:
            let catalog = try DomainEvents.catalogChanged.payload(of: event)
            try db.execute("DELETE FROM registry_catalog WHERE kind = ?", [catalog.kind.rawValue])
            for name in catalog.names {
                try db.execute("INSERT INTO registry_catalog (kind, name) VALUES (?, ?) ON CONFLICT DO NOTHING", [catalog.kind.rawValue, name])
            }
        default:
            break
        }
    }

    /// What the model keeps of a member.
    static func kept(_ member: MemberV1.Member) -> MemberV1.Member {
        var kept = MemberV1.Member()
        kept.id = member.id
        kept.term = member.term
        kept.memberNumber = member.memberNumber
        kept.name = member.name
        kept.sector = member.sector
        kept.committees = member.committees
        kept.workUnit = member.workUnit
        kept.role = member.role
        kept.status = member.status
        kept.roomIDs = member.roomIDs
        kept.functions = member.functions
        return kept
    }

    static func save(_ db: any SQLSession, _ member: MemberV1.Member) throws {
        let kept = kept(member)
        try db.execute("""
            INSERT INTO registry_members (id, term, status, role, sector, body) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET term = excluded.term, status = excluded.status, role = excluded.role,
                sector = excluded.sector, body = excluded.body
            """, [kept.id, kept.term, kept.status.rawValue, kept.role.rawValue, kept.sector, Data(try kept.encode())])
        try db.execute("DELETE FROM registry_member_rooms WHERE member_id = ?", [kept.id])
        for room in Set(kept.roomIDs) {
            try db.execute("INSERT INTO registry_member_rooms (room_id, member_id) VALUES (?, ?)", [room, kept.id])
        }
        try db.execute("DELETE FROM registry_member_committees WHERE member_id = ?", [kept.id])
        for committee in Set(kept.committees) {
            try db.execute("INSERT INTO registry_member_committees (committee, member_id) VALUES (?, ?)", [committee, kept.id])
        }
    }

    static func save(_ db: any SQLSession, _ room: MemberV1.Room) throws {
        var kept = MemberV1.Room()
        kept.id = room.id
        kept.name = room.name
        kept.address = room.address
        kept.district = room.district
        kept.stationID = room.stationID
        kept.capacity = room.capacity
        try db.execute("""
            INSERT INTO registry_rooms (id, station_id, body) VALUES (?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET station_id = excluded.station_id, body = excluded.body
            """, [kept.id, kept.stationID, Data(try kept.encode())])
    }

    static func save(_ db: any SQLSession, _ term: MemberV1.Term) throws {
        try db.execute("""
            INSERT INTO registry_terms (number, current, body) VALUES (?, ?, ?)
            ON CONFLICT(number) DO UPDATE SET current = excluded.current, body = excluded.body
            """, [term.number, term.current, Data(try term.encode())])
    }

    // MARK: - Reading

    public static func room(_ db: any SQLSession, _ id: Int64) throws -> MemberV1.Room? {
        try db.value("SELECT body FROM registry_rooms WHERE id = ?", [id], as: [UInt8].self)
            .map { try MemberV1.Room(decoding: Array($0)) }
    }

    public static func terms(_ db: any SQLSession) throws -> [MemberV1.Term] {
        try db.column("SELECT body FROM registry_terms ORDER BY number", as: [UInt8].self)
            .map { try MemberV1.Term(decoding: Array($0)) }
    }

    /// The members of these ids the model knows, in id order.
    public static func members(_ db: any SQLSession, _ ids: [Int64]) throws -> [MemberV1.Member] {
        var found: [MemberV1.Member] = []
        for id in Set(ids).sorted() {
            if let body = try db.value("SELECT body FROM registry_members WHERE id = ?", [id], as: [UInt8].self) {
                found.append(try MemberV1.Member(decoding: Array(body)))
            }
        }
        return found
    }

    /// The rooms of a work station the model knows.
    public static func rooms(_ db: any SQLSession, station: Int64) throws -> [MemberV1.Room] {
        try db.column("SELECT body FROM registry_rooms WHERE station_id = ? ORDER BY id", [station], as: [UInt8].self)
            .map { try MemberV1.Room(decoding: Array($0)) }
    }

    /// The active members of a group in a term (0: the current one), in id order, by the
    /// registry's own rule (`GroupRule`, as `Members/ResolveGroup` applies it); nil when the model cannot say — a term, list
    /// name, station or room it has not heard of — so the caller asks the registry, whose answer
    /// (or refusal) is the one that counts.
    public static func resolve(_ db: any SQLSession, _ group: MeetingV1.GroupRef, term requested: Int32) throws -> [Int64]? {
        let terms = try terms(db)
        let term: Int32
        if requested != 0 {
            guard terms.contains(where: { $0.number == requested }) else { return nil }
            term = requested
        } else {
            guard let current = terms.first(where: \.current) else { return nil }
            term = current.number
        }
        guard let query = GroupRule.query(group.kind, in: tables) else { return nil }
        // A group the copy has not heard of is the registry's to judge.
        switch group.kind {
        case .sector:
            guard try listed(db, .sector, group.name) else { return nil }
        case .specialCommittee:
            guard try listed(db, .specialCommittee, group.name) else { return nil }
        case .station:
            guard try !rooms(db, station: group.id).isEmpty else { return nil }
        case .room:
            guard try room(db, group.id) != nil else { return nil }
        default:
            break
        }
        return try GroupRule.members(db, query, term: term, name: group.name, id: group.id)
    }

    /// The copy's tables, as the group rule reads them.
    static let tables = GroupRule.Tables(members: "registry_members", committees: "registry_member_committees",
                                         roomMembers: "registry_member_rooms", rooms: "registry_rooms")

    static func listed(_ db: any SQLSession, _ kind: MemberV1.CatalogKind, _ name: String) throws -> Bool {
        try db.value("SELECT 1 FROM registry_catalog WHERE kind = ? AND name = ?", [kind.rawValue, name], as: Bool.self) ?? false
    }

    /// How much the model holds, for health and the tests.
    public static func counts(_ db: any SQLSession) throws -> (members: Int, rooms: Int, terms: Int) {
        (try db.value("SELECT COUNT(*) FROM registry_members", as: Int.self) ?? 0,
         try db.value("SELECT COUNT(*) FROM registry_rooms", as: Int.self) ?? 0,
         try db.value("SELECT COUNT(*) FROM registry_terms", as: Int.self) ?? 0)
    }
}
