import Foundation
import XieshangService
import XieshangRPC
import XieshangWire

/// The registry's SQL for terms, catalogs, work stations, consultation rooms and units.
public enum PlaceStore {
    // MARK: - Terms

    static func term(_ row: SQLRow) -> MemberV1.Term {
        var term = MemberV1.Term()
        term.number = row["number"]
        term.startDate = row["start_date"]
        term.endDate = row["end_date"]
        term.current = row["current"]
        return term
    }

    public static func terms(_ db: any SQLSession) throws -> [MemberV1.Term] {
        try db.rows("SELECT * FROM terms ORDER BY number").map(term)
    }

    public static func createTerm(_ db: any SQLSession, _ t: MemberV1.Term) throws -> MemberV1.Term {
        var problems: [(String, String)] = []
        // A committee numbers its terms from 1; 第十届 is 10. A three-digit term is a typo.
        if t.number <= 0 || t.number > 99 { problems.append(("term.number", "must be between 1 and 99")) }
        if let problem = Check.dateProblem(t.startDate) { problems.append(("term.start_date", "\"\(t.startDate)\" \(problem)")) }
        if let problem = Check.dateProblem(t.endDate) { problems.append(("term.end_date", "\"\(t.endDate)\" \(problem)")) }
        if Check.isDate(t.startDate), Check.isDate(t.endDate), t.endDate <= t.startDate {
            problems.append(("term.end_date", "must be after the start date \(t.startDate)"))
        }
        if !problems.isEmpty { throw RegistryError.invalid(problems) }
        // Replicas change terms one at a time: each sees the other's, so two terms never
        // overlap and one is current.
        try db.serialize("registry-terms")
        if try db.value("SELECT 1 FROM terms WHERE number = ?", [t.number], as: Bool.self) == true {
            throw RegistryError.alreadyExists(field: "term.number", what: "term \(t.number)").saying("第 \(t.number) 届已经有了。")
        }
        // Terms follow each other: two terms never cover the same day.
        if let row = try db.row("SELECT number, start_date, end_date FROM terms WHERE start_date <= ? AND end_date >= ? ORDER BY start_date LIMIT 1", [t.endDate, t.startDate]) {
            throw RegistryError.invalid([("term.start_date", "overlaps term \(row[0] as Int32) (\(row[1] as String) to \(row[2] as String)); terms follow each other")])
        }
        // The first term, or one marked current, becomes the current one.
        let existingTerms = try db.value("SELECT COUNT(*) FROM terms", as: Int.self) ?? 0
        let current = t.current || existingTerms == 0
        if current { try db.execute("UPDATE terms SET current = 0") }
        try db.execute("INSERT INTO terms (number, start_date, end_date, current) VALUES (?, ?, ?, ?)", [t.number, t.startDate, t.endDate, current])
        return term(try db.row("SELECT * FROM terms WHERE number = ?", [t.number])!)
    }

    public static func setCurrentTerm(_ db: any SQLSession, _ number: Int32) throws -> MemberV1.Term {
        try db.serialize("registry-terms")
        guard try db.value("SELECT 1 FROM terms WHERE number = ?", [number], as: Bool.self) == true else {
            throw RegistryError.notFound(field: "number", what: "term \(number)")
        }
        try db.execute("UPDATE terms SET current = CASE WHEN number = ? THEN 1 ELSE 0 END", [number])
        return term(try db.row("SELECT * FROM terms WHERE number = ?", [number])!)
    }

    // MARK: - Catalogs

    public static func addCatalogEntry(_ db: any SQLSession, _ kind: MemberV1.CatalogKind, _ name: String) throws -> [String] {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard kind == .sector || kind == .specialCommittee else {
            throw RegistryError.invalid([("kind", "must be sector or special committee")])
        }
        if name.isEmpty { throw RegistryError.invalid([("name", RPCError.FieldProblem.empty)]) }
        if name.count > 64 { throw RegistryError.invalid([("name", "must be at most 64 characters")]) }
        try db.serialize("registry-catalog")
        if try MemberStore.catalog(db, kind).contains(name) {
            throw RegistryError.alreadyExists(field: "name", what: "\"\(name)\"").saying("「\(name)」已在名录中。")
        }
        let position = (try db.value("SELECT MAX(position) FROM catalog WHERE kind = ?", [kind.rawValue], as: Int.self) ?? 0) + 1
        try db.execute("INSERT INTO catalog (kind, name, position) VALUES (?, ?, ?)", [kind.rawValue, name, position])
        return try MemberStore.catalog(db, kind)
    }

    // MARK: - Stations

    static func station(_ row: SQLRow) -> MemberV1.Station {
        var s = MemberV1.Station()
        s.id = row["id"]
        s.name = row["name"]
        s.address = row["address"]
        s.district = row["district"]
        return s
    }

    public static func station(_ db: any SQLSession, id: Int64, field: String = "id") throws -> MemberV1.Station {
        guard let row = try db.row("SELECT * FROM stations WHERE id = ?", [id]) else {
            throw RegistryError.notFound(field: field, what: "work station \(id)")
        }
        return station(row)
    }

    public static func stations(_ db: any SQLSession) throws -> [MemberV1.Station] {
        try db.rows("SELECT * FROM stations ORDER BY id").map(station)
    }

    public static func saveStation(_ db: any SQLSession, _ s: MemberV1.Station) throws -> MemberV1.Station {
        let name = s.name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty { throw RegistryError.invalid([("station.name", RPCError.FieldProblem.empty)]) }
        if s.id != 0 { _ = try station(db, id: s.id, field: "station.id") }
        if try db.value("SELECT 1 FROM stations WHERE name = ? AND id != ?", [name, s.id], as: Bool.self) == true {
            throw RegistryError.alreadyExists(field: "station.name", what: "work station \"\(name)\"").saying("已有名为「\(name)」的委员工作站。")
        }
        if s.id == 0 {
            let id = try db.insert("INSERT INTO stations (name, address, district) VALUES (?, ?, ?)", [name, s.address, s.district], returning: "id")
            return try station(db, id: id)
        }
        try db.execute("UPDATE stations SET name = ?, address = ?, district = ? WHERE id = ?", [name, s.address, s.district, s.id])
        return try station(db, id: s.id)
    }

    // MARK: - Rooms

    static func room(_ row: SQLRow) -> MemberV1.Room {
        var r = MemberV1.Room()
        r.id = row["id"]
        r.name = row["name"]
        r.address = row["address"]
        r.district = row["district"]
        r.stationID = row["station_id"]
        r.capacity = row["capacity"]
        var six = MemberV1.SixHaves()
        six.site = row["has_site"]
        six.sign = row["has_sign"]
        six.facilities = row["has_facilities"]
        six.rules = row["has_rules"]
        six.records = row["has_records"]
        six.fixedMembers = row["has_fixed_members"]
        r.sixHaves = six
        r.memberCount = row["member_count"]
        return r
    }

    private static let roomSelect = """
        SELECT rooms.*, (SELECT COUNT(*) FROM room_members WHERE room_id = rooms.id) AS member_count FROM rooms
        """

    public static func room(_ db: any SQLSession, id: Int64, field: String = "id") throws -> MemberV1.Room {
        guard let row = try db.row("\(roomSelect) WHERE id = ?", [id]) else {
            throw RegistryError.notFound(field: field, what: "consultation room \(id)")
        }
        return room(row)
    }

    public static func rooms(_ db: any SQLSession, station: Int64) throws -> [MemberV1.Room] {
        if station != 0 { _ = try self.station(db, id: station, field: "station_id") }
        let filter = station == 0 ? "" : " WHERE station_id = ?"
        return try db.rows("\(roomSelect)\(filter) ORDER BY id", station == 0 ? [] : [station]).map(room)
    }

    public static func saveRoom(_ db: any SQLSession, _ r: MemberV1.Room) throws -> MemberV1.Room {
        let name = r.name.trimmingCharacters(in: .whitespaces)
        var problems: [(String, String)] = []
        if name.isEmpty { problems.append(("room.name", RPCError.FieldProblem.empty)) }
        if r.capacity <= 0 { problems.append(("room.capacity", "must be at least 1")) }
        if r.stationID == 0 { problems.append(("room.station_id", "must name the work station the room belongs to")) }
        if !problems.isEmpty { throw RegistryError.invalid(problems) }
        _ = try station(db, id: r.stationID, field: "room.station_id")
        if r.id != 0 { _ = try room(db, id: r.id, field: "room.id") }
        if try db.value("SELECT 1 FROM rooms WHERE station_id = ? AND name = ? AND id != ?", [r.stationID, name, r.id], as: Bool.self) == true {
            throw RegistryError.alreadyExists(field: "room.name", what: "room \"\(name)\" in station \(r.stationID)")
                .saying("这个工作站已有名为「\(name)」的协商议事室。")
        }
        let six = r.sixHaves ?? MemberV1.SixHaves()
        let values: [any SQLValueConvertible] = [name, r.address, r.district, r.stationID, r.capacity, six.site, six.sign,
                                                      six.facilities, six.rules, six.records, six.fixedMembers]
        if r.id == 0 {
            let id = try db.insert("""
                INSERT INTO rooms (name, address, district, station_id, capacity, has_site, has_sign, has_facilities, has_rules,
                    has_records, has_fixed_members) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, values, returning: "id")
            return try room(db, id: id)
        }
        try db.execute("""
            UPDATE rooms SET name = ?, address = ?, district = ?, station_id = ?, capacity = ?, has_site = ?, has_sign = ?,
                has_facilities = ?, has_rules = ?, has_records = ?, has_fixed_members = ? WHERE id = ?
            """, values + [r.id])
        return try room(db, id: r.id)
    }

    // MARK: - Units

    static func unit(_ row: SQLRow) -> MemberV1.Unit {
        var u = MemberV1.Unit()
        u.id = row["id"]
        u.name = row["name"]
        u.kind = row["kind"]
        u.contactPerson = row["contact_person"]
        u.phone = row["phone"]
        u.email = row["email"]
        u.active = row["active"]
        return u
    }

    public static func unit(_ db: any SQLSession, id: Int64, field: String = "id") throws -> MemberV1.Unit {
        guard let row = try db.row("SELECT * FROM units WHERE id = ?", [id]) else {
            throw RegistryError.notFound(field: field, what: "handling unit \(id)")
        }
        return unit(row)
    }

    public static func units(_ db: any SQLSession, includeInactive: Bool) throws -> [MemberV1.Unit] {
        try db.rows("SELECT * FROM units\(includeInactive ? "" : " WHERE active = 1") ORDER BY id").map(unit)
    }

    public static func saveUnit(_ db: any SQLSession, _ u: MemberV1.Unit) throws -> MemberV1.Unit {
        let name = u.name.trimmingCharacters(in: .whitespaces)
        var problems: [(String, String)] = []
        if name.isEmpty { problems.append(("unit.name", RPCError.FieldProblem.empty)) }
        if !u.phone.isEmpty && !Check.isPhone(u.phone) { problems.append(("unit.phone", "\"\(u.phone)\" is not a phone number")) }
        if !u.email.isEmpty && !Check.isEmail(u.email) { problems.append(("unit.email", "\"\(u.email)\" is not an e-mail address")) }
        if !problems.isEmpty { throw RegistryError.invalid(problems) }
        if u.id != 0 { _ = try unit(db, id: u.id, field: "unit.id") }
        if try db.value("SELECT 1 FROM units WHERE name = ? AND id != ?", [name, u.id], as: Bool.self) == true {
            throw RegistryError.alreadyExists(field: "unit.name", what: "handling unit \"\(name)\"").saying("已有名为「\(name)」的承办单位。")
        }
        let values: [any SQLValueConvertible] = [name, u.kind, u.contactPerson, u.phone, u.email, u.active]
        if u.id == 0 {
            let id = try db.insert("INSERT INTO units (name, kind, contact_person, phone, email, active) VALUES (?, ?, ?, ?, ?, ?)", values, returning: "id")
            return try unit(db, id: id)
        }
        try db.execute("UPDATE units SET name = ?, kind = ?, contact_person = ?, phone = ?, email = ?, active = ? WHERE id = ?", values + [u.id])
        return try unit(db, id: u.id)
    }
}
