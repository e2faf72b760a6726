import Foundation
import XieshangRPC
import XieshangService
import XieshangLabels
import XieshangWire

/// The registry's SQL for members: every function runs inside the caller's transaction.
public enum MemberStore {
    // MARK: - Terms and catalogs

    /// The term number a request means: `requested`, or the current term for 0.
    public static func term(_ db: any SQLSession, _ requested: Int32, field: String = "term") throws -> Int32 {
        if requested != 0 {
            guard try db.value("SELECT 1 FROM terms WHERE number = ?", [requested], as: Bool.self) == true else {
                throw RegistryError.notFound(field: field, what: "term \(requested)")
            }
            return requested
        }
        guard let current = try db.value("SELECT number FROM terms WHERE current = 1", as: Int32.self) else {
            throw RegistryError.notAllowed(field: field, "there is no current term: add one first (gateway term add)")
                .saying("还没有本届：请先添加一届（gateway term add）。")
        }
        return current
    }

    public static func catalog(_ db: any SQLSession, _ kind: MemberV1.CatalogKind) throws -> [String] {
        try db.column("SELECT name FROM catalog WHERE kind = ? ORDER BY position", [kind.rawValue], as: String.self)
    }

    public static func rules(_ db: any SQLSession) throws -> MemberRules {
        MemberRules(sectors: Set(try catalog(db, .sector)), committees: Set(try catalog(db, .specialCommittee)))
    }

    // MARK: - Members

    static func member(_ row: SQLRow) -> MemberV1.Member {
        var m = MemberV1.Member()
        m.id = row["id"]
        m.term = row["term"]
        m.memberNumber = row["member_number"]
        m.name = row["name"]
        m.gender = .init(rawValue: row["gender"])
        m.ethnicity = row["ethnicity"]
        m.birthDate = row["birth_date"]
        m.party = row["party"]
        m.sector = row["sector"]
        m.workUnit = row["work_unit"]
        m.position = row["position"]
        m.phone = row["phone"]
        m.email = row["email"]
        m.role = .init(rawValue: row["role"])
        m.status = .init(rawValue: row["status"])
        m.statusDate = row["status_date"]
        m.statusReason = row["status_reason"]
        m.addedDuringTerm = row["added_during_term"]
        m.joinedDate = row["joined_date"]
        m.updatedAtMs = row["updated_at_ms"]
        let requested: String = row["resignation_date"]
        if !requested.isEmpty {
            var request = MemberV1.ResignationRequest()
            request.date = requested
            request.reason = row["resignation_reason"]
            m.resignationRequest = request
        }
        return m
    }

    /// Members with their committees and rooms filled in, in the order of `rows`.
    /// The members with these ids, in id order (unknown ids are left out).
    static func members(_ db: any SQLSession, ids: [Int64]) throws -> [MemberV1.Member] {
        guard !ids.isEmpty else { return [] }
        let rows = try db.rows("SELECT * FROM members WHERE id IN (\(sqlPlaceholders(count: ids.count))) ORDER BY id", ids)
        return try members(db, rows)
    }

    /// A page of the term's members by member number, after `after`; and whether more follow.
    static func members(_ db: any SQLSession, term: Int32, after: String, limit: Int) throws -> (members: [MemberV1.Member], more: Bool) {
        let rows = try db.rows("SELECT * FROM members WHERE term = ? AND member_number > ? ORDER BY member_number LIMIT ?", [term, after, limit + 1])
        return (try members(db, Array(rows.prefix(limit))), rows.count > limit)
    }

    static func members(_ db: any SQLSession, _ rows: [SQLRow]) throws -> [MemberV1.Member] {
        var members = rows.map(member)
        guard !members.isEmpty else { return [] }
        let ids = members.map(\.id)
        let marks = sqlPlaceholders(count: ids.count)
        var committees: [Int64: [String]] = [:]
        for row in try db.rows("SELECT member_id, committee FROM member_committees WHERE member_id IN (\(marks)) ORDER BY committee", ids) {
            committees[row["member_id"], default: []].append(row["committee"])
        }
        var rooms: [Int64: [Int64]] = [:]
        for row in try db.rows("SELECT member_id, room_id FROM room_members WHERE member_id IN (\(marks)) ORDER BY room_id", ids) {
            rooms[row["member_id"], default: []].append(row["room_id"])
        }
        var decisions: [Int64: [MemberV1.PersonnelDecision]] = [:]
        for row in try db.rows("SELECT * FROM member_decisions WHERE member_id IN (\(marks)) ORDER BY id", ids) {
            var d = MemberV1.PersonnelDecision()
            d.kind = .init(rawValue: row["kind"])
            d.meeting = row["meeting"]
            d.meetingID = row["meeting_id"]
            d.date = row["date"]
            d.note = row["note"]
            decisions[row["member_id"], default: []].append(d)
        }
        var functions: [Int64: [MemberV1.MemberFunction]] = [:]
        for row in try db.rows("SELECT * FROM member_functions WHERE member_id IN (\(marks)) ORDER BY kind, committee, station_id, room_id", ids) {
            var f = MemberV1.MemberFunction()
            f.kind = .init(rawValue: row["kind"])
            f.committee = row["committee"]
            f.stationID = row["station_id"]
            f.roomID = row["room_id"]
            functions[row["member_id"], default: []].append(f)
        }
        for index in members.indices {
            members[index].functions = functions[members[index].id] ?? []
            members[index].decisions = decisions[members[index].id] ?? []
            members[index].committees = committees[members[index].id] ?? []
            members[index].roomIDs = rooms[members[index].id] ?? []
        }
        return members
    }

    /// Makes the transaction the only one changing members until it ends: replicas on
    /// PostgreSQL take turns as SQLite's one writer does, so a change reads the member as the
    /// last one left it (its audit entry says what really changed) and a member number is
    /// checked free by one at a time. The registry's changes are a person's pace.
    public static func lockForChanges(_ db: any SQLSession) throws {
        try db.serialize("registry-members")
    }

    /// The member about to be changed, read under `lockForChanges`.
    public static func getForChange(_ db: any SQLSession, id: Int64, field: String = "id") throws -> MemberV1.Member {
        try lockForChanges(db)
        return try get(db, id: id, field: field)
    }

    public static func get(_ db: any SQLSession, id: Int64, field: String = "id") throws -> MemberV1.Member {
        guard let row = try db.row("SELECT * FROM members WHERE id = ?", [id]) else {
            throw RegistryError.notFound(field: field, what: "member \(id)")
        }
        return try members(db, [row])[0]
    }

    public static func byNumber(_ db: any SQLSession, term: Int32) throws -> [String: MemberV1.Member] {
        let all = try members(db, try db.rows("SELECT * FROM members WHERE term = ?", [term]))
        return Dictionary(all.map { ($0.memberNumber, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public static func insert(_ db: any SQLSession, _ m: MemberV1.Member) throws -> MemberV1.Member {
        if try db.value("SELECT 1 FROM members WHERE term = ? AND member_number = ?", [m.term, m.memberNumber], as: Bool.self) == true {
            throw RegistryError.alreadyExists(field: "member.member_number", what: "member number \(m.memberNumber) in term \(m.term)")
                .saying("第 \(m.term) 届已有编号为 \(m.memberNumber) 的委员。")
        }
        let id = try db.insert("""
            INSERT INTO members (term, member_number, name, gender, ethnicity, birth_date, party, sector, work_unit,
                position, phone, email, role, status, status_date, status_reason, added_during_term, joined_date, updated_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [m.term, m.memberNumber, m.name, m.gender.rawValue, m.ethnicity, m.birthDate, m.party, m.sector,
                             m.workUnit, m.position, m.phone, m.email, m.role.rawValue, m.status.rawValue, m.statusDate,
                             m.statusReason, m.addedDuringTerm, m.joinedDate, Date.nowMs], returning: "id")
        try setCommittees(db, id, m.committees)
        try setFunctions(db, id, m.functions)
        return try get(db, id: id)
    }

    /// Writes every editable field, and status when `includeStatus` (imports carry it).
    public static func update(_ db: any SQLSession, _ m: MemberV1.Member, includeStatus: Bool = false) throws -> MemberV1.Member {
        if try db.value("SELECT 1 FROM members WHERE term = ? AND member_number = ? AND id != ?", [m.term, m.memberNumber, m.id], as: Bool.self) == true {
            throw RegistryError.alreadyExists(field: "member.member_number", what: "member number \(m.memberNumber) in term \(m.term)")
                .saying("第 \(m.term) 届已有编号为 \(m.memberNumber) 的委员。")
        }
        try db.execute("""
            UPDATE members SET member_number = ?, name = ?, gender = ?, ethnicity = ?, birth_date = ?, party = ?, sector = ?,
                work_unit = ?, position = ?, phone = ?, email = ?, role = ?, added_during_term = ?, joined_date = ?, updated_at_ms = ?
            WHERE id = ?
            """, [m.memberNumber, m.name, m.gender.rawValue, m.ethnicity, m.birthDate, m.party, m.sector, m.workUnit,
                             m.position, m.phone, m.email, m.role.rawValue, m.addedDuringTerm, m.joinedDate, Date.nowMs, m.id])
        if includeStatus {
            try setStatus(db, id: m.id, status: m.status, date: m.statusDate, reason: m.statusReason)
        }
        try setCommittees(db, m.id, m.committees)
        try setFunctions(db, m.id, m.functions)
        return try get(db, id: m.id)
    }

    public static func setStatus(_ db: any SQLSession, id: Int64, status: MemberV1.MemberStatus, date: String, reason: String) throws {
        try db.execute("UPDATE members SET status = ?, status_date = ?, status_reason = ?, updated_at_ms = ? WHERE id = ?", [status.rawValue, date, reason, Date.nowMs, id])
    }

    /// Records a member's request to resign (a date), or withdraws it (nil).
    public static func setResignationRequest(_ db: any SQLSession, id: Int64, _ request: MemberV1.ResignationRequest?) throws {
        try db.execute("UPDATE members SET resignation_date = ?, resignation_reason = ?, updated_at_ms = ? WHERE id = ?", [request?.date ?? "", request?.reason ?? "", Date.nowMs, id])
    }

    /// A nominee the 常委会 added during the term (增补).
    public static func setAddedDuringTerm(_ db: any SQLSession, id: Int64) throws {
        try db.execute("UPDATE members SET added_during_term = 1 WHERE id = ?", [id])
    }

    /// Records a decision of the 常委会 about a member.
    public static func addDecision(_ db: any SQLSession, id: Int64, _ d: MemberV1.PersonnelDecision) throws {
        try db.execute("INSERT INTO member_decisions (member_id, kind, meeting, meeting_id, date, note) VALUES (?, ?, ?, ?, ?, ?)", [id, d.kind.rawValue, d.meeting, d.meetingID, d.date, d.note])
    }

    /// Replaces a member's functions; a station or room that does not exist is NOT_FOUND.
    private static func setFunctions(_ db: any SQLSession, _ id: Int64, _ functions: [MemberV1.MemberFunction]) throws {
        try db.execute("DELETE FROM member_functions WHERE member_id = ?", [id])
        for (index, f) in functions.enumerated() {
            if f.stationID != 0, try db.value("SELECT 1 FROM stations WHERE id = ?", [f.stationID], as: Bool.self) != true {
                throw RegistryError.notFound(field: "member.functions[\(index)]", what: "work station \(f.stationID)")
            }
            if f.roomID != 0, try db.value("SELECT 1 FROM rooms WHERE id = ?", [f.roomID], as: Bool.self) != true {
                throw RegistryError.notFound(field: "member.functions[\(index)]", what: "room \(f.roomID)")
            }
            try db.execute("INSERT INTO member_functions (member_id, kind, committee, station_id, room_id) VALUES (?, ?, ?, ?, ?)", [id, f.kind.rawValue, f.committee, f.stationID, f.roomID])
        }
    }

    private static func setCommittees(_ db: any SQLSession, _ id: Int64, _ committees: [String]) throws {
        try db.execute("DELETE FROM member_committees WHERE member_id = ?", [id])
        for committee in committees {
            try db.execute("INSERT INTO member_committees (member_id, committee) VALUES (?, ?)", [id, committee])
        }
    }

    // MARK: - Listing and groups

    /// The filters of a list request as SQL over `members m`.
    static func filters(_ db: any SQLSession, _ r: MemberV1.ListMembersRequest, term: Int32) throws -> (sql: String, arguments: [any SQLValueConvertible]) {
        var clauses = ["m.term = ?"]
        var arguments: [any SQLValueConvertible] = [term]
        if !r.sector.isEmpty { clauses.append("m.sector = ?"); arguments += [r.sector] }
        if !r.committee.isEmpty {
            clauses.append("m.id IN (SELECT member_id FROM member_committees WHERE committee = ?)")
            arguments += [r.committee]
        }
        if r.role != .unspecified { clauses.append(r.roleAndAbove ? "m.role >= ?" : "m.role = ?"); arguments += [r.role.rawValue] }
        if r.status != .unspecified { clauses.append("m.status = ?"); arguments += [r.status.rawValue] }
        if r.roomID != 0 {
            clauses.append("m.id IN (SELECT member_id FROM room_members WHERE room_id = ?)")
            arguments += [r.roomID]
        }
        if r.stationID != 0 {
            clauses.append("m.id IN (SELECT rm.member_id FROM room_members rm JOIN rooms ON rooms.id = rm.room_id WHERE rooms.station_id = ?)")
            arguments += [r.stationID]
        }
        let query = r.query.trimmingCharacters(in: .whitespaces)
        if !query.isEmpty {
            if db.engine == .postgres {
                // pg_trgm's GIN indexes (members_name_trgm, members_work_unit_trgm) answer
                // ILIKE substrings of three characters or more, Chinese ones in a cluster with
                // a UTF-8 locale (under C, pg_trgm makes no trigrams of them); shorter ones,
                // and those, read the term's members. The answers are the same.
                let pattern = "%" + likeEscaped(query) + "%"
                clauses.append("(m.name ILIKE ? OR m.work_unit ILIKE ?)")
                arguments += [pattern, pattern]
            } else if query.count >= 3 {
                // The trigram index answers substrings of three characters or more.
                clauses.append("m.id IN (SELECT rowid FROM members_fts WHERE members_fts MATCH ?)")
                arguments += ["\"" + query.replacingOccurrences(of: "\"", with: "\"\"") + "\""]
            } else {
                let pattern = "%" + likeEscaped(query) + "%"
                clauses.append("(m.name LIKE ? ESCAPE '\\' OR m.work_unit LIKE ? ESCAPE '\\')")
                arguments += [pattern, pattern]
            }
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    /// `text` as a LIKE pattern that matches it literally: a backslash escapes, PostgreSQL's
    /// default and SQLite's with `ESCAPE '\'`.
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    public static func list(_ db: any SQLSession, _ r: MemberV1.ListMembersRequest) throws -> MemberV1.ListMembersResponse {
        let term = try term(db, r.term, field: "term")
        let pageSize = r.pageSize == 0 ? 50 : Int(r.pageSize)
        let after: Int64
        if r.pageToken.isEmpty {
            after = 0
        } else {
            guard let token = Int64(r.pageToken), token >= 0 else {
                throw RegistryError.invalid([("page_token", "\"\(r.pageToken)\" is not a page token from this service")])
            }
            after = token
        }
        let (clause, arguments) = try filters(db, r, term: term)
        var response = MemberV1.ListMembersResponse()
        response.total = Int32(try db.value("SELECT COUNT(*) FROM members m WHERE \(clause)", arguments, as: Int.self) ?? 0)
        let rows = try db.rows("SELECT m.* FROM members m WHERE \(clause) AND m.id > ? ORDER BY m.id LIMIT ?", arguments + [after, pageSize + 1])
        response.members = try members(db, Array(rows.prefix(pageSize)))
        if rows.count > pageSize, let last = response.members.last { response.nextPageToken = String(last.id) }
        return response
    }

    public static func resolve(_ db: any SQLSession, _ r: MemberV1.ResolveGroupRequest) throws -> [Int64] {
        let term = try term(db, r.term)
        guard let query = GroupRule.query(r.kind, in: tables) else {
            throw RegistryError.invalid([("kind", "must be one of \(MemberV1.GroupKind.spellings)")])
        }
        // The group must exist: a list name from the managed lists, a station or room on record.
        switch r.kind {
        case .sector:
            guard try catalog(db, .sector).contains(r.name) else {
                throw RegistryError.invalid([("name", "unknown sector \"\(r.name)\"")])
            }
        case .specialCommittee:
            guard try catalog(db, .specialCommittee).contains(r.name) else {
                throw RegistryError.invalid([("name", "unknown special committee \"\(r.name)\"")])
            }
        case .station:
            _ = try PlaceStore.station(db, id: r.id, field: "id")
        case .room:
            _ = try PlaceStore.room(db, id: r.id, field: "id")
        default:
            break
        }
        return try GroupRule.members(db, query, term: term, name: r.name, id: r.id)
    }

    /// The registry's own tables, as the group rule reads them.
    static let tables = GroupRule.Tables(members: "members", committees: "member_committees", roomMembers: "room_members", rooms: "rooms")

    // MARK: - Rooms

    /// Returns false when the member was already assigned.
    public static func assign(_ db: any SQLSession, member: Int64, room: Int64) throws -> Bool {
        try db.execute("INSERT INTO room_members (room_id, member_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [room, member]) > 0
    }

    public static func unassign(_ db: any SQLSession, member: Int64, room: Int64) throws -> Bool {
        try db.execute("DELETE FROM room_members WHERE room_id = ? AND member_id = ?", [room, member]) > 0
    }

    // MARK: - Audit

    /// The fields a person reads in the history, as text.
    public static func auditFields(_ m: MemberV1.Member) -> [(String, String)] {
        [("member_number", m.memberNumber), ("name", m.name), ("gender", m.gender.label), ("ethnicity", m.ethnicity),
         ("birth_date", m.birthDate), ("party", m.party), ("sector", m.sector), ("committees", m.committees.joined(separator: ";")),
         ("work_unit", m.workUnit), ("position", m.position), ("phone", m.phone), ("email", m.email), ("role", m.role.label),
         ("status", m.status.label), ("status_date", m.statusDate), ("status_reason", m.statusReason),
         ("added_during_term", m.addedDuringTerm ? "是" : "否"), ("joined_date", m.joinedDate),
         ("rooms", m.roomIDs.map(String.init).joined(separator: ";")),
         ("functions", m.functions.map(\.label).joined(separator: ";")),
         ("resignation_request", m.resignationRequest.map { "\($0.date) \($0.reason)" } ?? ""),
         ("decisions", m.decisions.map(\.label).joined(separator: ";"))]
    }

    public static func changes(from old: MemberV1.Member?, to new: MemberV1.Member) -> [MemberV1.FieldChange] {
        let before = old.map { Dictionary(uniqueKeysWithValues: auditFields($0)) } ?? [:]
        return auditFields(new).compactMap { field, value in
            let previous = before[field] ?? ""
            guard previous != value else { return nil }
            var change = MemberV1.FieldChange()
            change.field = field
            change.oldValue = previous
            change.newValue = value
            return change
        }
    }

    public static func audit(_ db: any SQLSession, member: Int64, actor: String, action: String, reason: String = "", changes: [MemberV1.FieldChange]) throws {
        let encoded = changes.map { ["field": $0.field, "old": $0.oldValue, "new": $0.newValue] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: encoded, options: [.sortedKeys]), as: UTF8.self)
        try db.execute("INSERT INTO member_audit (member_id, at_ms, actor, action, reason, changes) VALUES (?, ?, ?, ?, ?, ?)", [member, Date.nowMs, actor, action, reason, json])
    }

    public static func history(_ db: any SQLSession, member: Int64) throws -> [MemberV1.AuditEntry] {
        _ = try get(db, id: member, field: "member_id")
        return try db.rows("SELECT * FROM member_audit WHERE member_id = ? ORDER BY id", [member]).map { row in
            var entry = MemberV1.AuditEntry()
            entry.atMs = row["at_ms"]
            entry.actor = row["actor"]
            entry.action = row["action"]
            entry.reason = row["reason"]
            let json: String = row["changes"]
            let list = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: String]] ?? []
            entry.changes = list.map {
                var change = MemberV1.FieldChange()
                change.field = $0["field"] ?? ""
                change.oldValue = $0["old"] ?? ""
                change.newValue = $0["new"] ?? ""
                return change
            }
            return entry
        }
    }
}

extension Date {
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
