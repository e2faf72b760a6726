import GRDB
import XieshangWire

/// Which of a term's members a group of a meeting's invitations holds: the one rule that
/// member-registry's `Members/ResolveGroup` and meeting-scheduler's copy of the registry
/// (`RegistryModel`) both apply, each over its own tables.
public enum GroupRule {
    /// Where a store keeps members (`id`, `term`, `status`, `role`, `sector`), their special
    /// committees (`member_id`, `committee`), their rooms (`member_id`, `room_id`) and the rooms
    /// (`id`, `station_id`).
    public struct Tables: Sendable {
        public let members: String
        public let committees: String
        public let roomMembers: String
        public let rooms: String

        public init(members: String, committees: String, roomMembers: String, rooms: String) {
            self.members = members
            self.committees = committees
            self.roomMembers = roomMembers
            self.rooms = rooms
        }
    }

    /// What the group is named by, besides its kind.
    public enum Target: Sendable { case none, name, id }

    /// The query for the group's active members of a term, in id order, with what it binds
    /// after the term (the group's name or id); nil for a kind that is no group.
    public static func query(_ kind: MemberV1.GroupKind, in t: Tables) -> (sql: String, target: Target)? {
        let all = "SELECT id FROM \(t.members) WHERE term = ? AND status = \(MemberV1.MemberStatus.active.rawValue)"
        let order = " ORDER BY id"
        switch kind {
        case .allMembers:
            return (all + order, .none)
        case .standingCommittee:
            return (all + " AND role >= \(MemberV1.Role.standingMember.rawValue)" + order, .none)
        case .chairpersonsCouncil:
            return (all + " AND role >= \(MemberV1.Role.secretaryGeneral.rawValue)" + order, .none)
        case .sector:
            return (all + " AND sector = ?" + order, .name)
        case .specialCommittee:
            return (all + " AND id IN (SELECT member_id FROM \(t.committees) WHERE committee = ?)" + order, .name)
        case .station:
            return (all + " AND id IN (SELECT rm.member_id FROM \(t.roomMembers) rm JOIN \(t.rooms) r ON r.id = rm.room_id WHERE r.station_id = ?)" + order, .id)
        case .room:
            return (all + " AND id IN (SELECT member_id FROM \(t.roomMembers) WHERE room_id = ?)" + order, .id)
        case .unspecified, .unrecognized:
            return nil
        }
    }

    /// Runs `query` for a group named `name` or numbered `id` in `term`.
    public static func members(_ db: Database, _ query: (sql: String, target: Target), term: Int32, name: String, id: Int64) throws -> [Int64] {
        try members(SQLiteSession(db), query, term: term, name: name, id: id)
    }

    /// The same on either engine.
    public static func members(_ db: any SQLSession, _ query: (sql: String, target: Target), term: Int32, name: String, id: Int64) throws -> [Int64] {
        var arguments: [any SQLValueConvertible] = [term]
        switch query.target {
        case .none: break
        case .name: arguments.append(name)
        case .id: arguments.append(id)
        }
        return try db.column(query.sql, arguments, as: Int64.self)
    }
}
