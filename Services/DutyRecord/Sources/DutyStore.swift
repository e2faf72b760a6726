import Foundation
import XieshangLabels
import XieshangService
import XieshangWire

/// The duty record's SQL; every function runs inside the caller's transaction.
public enum DutyStore {
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    // MARK: - Rules

    /// Makes `rules` the current version (a new one when they differ from the last); returns it.
    @discardableResult
    public static func install(_ db: any SQLSession, _ rules: DutyRules, now: Int64) throws -> Int32 {
        // Replicas starting together on PostgreSQL install one at a time (the second finds
        // the first's version, or numbers its own after it).
        try db.serialize("duty-rules")
        if let last = try db.row("SELECT version, text FROM rules_versions ORDER BY version DESC LIMIT 1"),
           (last["text"] as String) == rules.text {
            return last["version"]
        }
        let version = (try db.value("SELECT MAX(version) FROM rules_versions", as: Int32.self) ?? 0) + 1
        var body = DutyV1.RulesVersion()
        body.version = version
        body.rules = rules.rules
        body.loadedAtMs = now
        try db.execute("INSERT INTO rules_versions (version, text, body, loaded_at_ms) VALUES (?, ?, ?, ?)", [version, rules.text, Data(try body.encode()), now])
        return version
    }

    public static func versions(_ db: any SQLSession) throws -> [DutyV1.RulesVersion] {
        try db.column("SELECT body FROM rules_versions ORDER BY version", as: [UInt8].self).map { try DutyV1.RulesVersion(decoding: [UInt8]($0)) }
    }

    public static func rules(_ db: any SQLSession, version: Int32) throws -> DutyRules {
        guard let data = try db.value("SELECT body FROM rules_versions WHERE version = ?", [version], as: [UInt8].self) else {
            return .standard
        }
        return DutyRules(rules: try DutyV1.RulesVersion(decoding: [UInt8](data)).rules)
    }

    public static func currentVersion(_ db: any SQLSession) throws -> Int32 {
        try db.value("SELECT MAX(version) FROM rules_versions", as: Int32.self) ?? 0
    }

    /// The rules a year's entries are computed under: those it was closed with, else the current ones.
    public static func rules(_ db: any SQLSession, forYear year: Int32) throws -> (version: Int32, rules: DutyRules) {
        let version = try closedVersion(db, year) ?? currentVersion(db)
        return (version, try rules(db, version: version))
    }

    public static func closedVersion(_ db: any SQLSession, _ year: Int32) throws -> Int32? {
        try db.value("SELECT rules_version FROM closed_years WHERE year = ?", [year], as: Int32.self)
    }

    public static func closedYears(_ db: any SQLSession) throws -> [Int32] {
        try db.column("SELECT year FROM closed_years ORDER BY year", as: Int32.self)
    }

    // MARK: - Members

    public static func upsert(_ db: any SQLSession, _ m: MemberV1.Member) throws {
        try db.execute("""
            INSERT INTO members (id, number, name, sector, active) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET number = excluded.number, name = excluded.name, sector = excluded.sector, active = excluded.active
            """, [m.id, m.memberNumber, m.name, m.sector, m.status == .active])
    }

    public static func member(_ db: any SQLSession, _ id: Int64) throws -> (number: String, name: String, sector: String)? {
        try db.row("SELECT number, name, sector FROM members WHERE id = ?", [id]).map { ($0["number"], $0["name"], $0["sector"]) }
    }

    // MARK: - Entries

    /// The year an instant falls in, in the committee's time zone.
    public static func year(_ ms: Int64) -> Int32 { Int32(CommitteeClock.day(ms).prefix(4)) ?? 0 }

    /// What an entry counts for under `rules`: its kind's points once counted, else nothing.
    public static func points(_ e: DutyV1.Entry, _ rules: DutyRules) -> Int32 {
        e.status == .counted ? rules.points(e.kind) : 0
    }

    /// Adds an entry, scored under its year's rules; with a `sourceKey` (an event's fact), only
    /// once: nil when that fact is already recorded.
    @discardableResult
    public static func add(_ db: any SQLSession, _ entry: DutyV1.Entry, sourceKey: String?) throws -> DutyV1.Entry? {
        var e = entry
        let (version, rules) = try rules(db, forYear: e.year)
        e.rulesVersion = version
        e.points = points(e, rules)
        // A fact already recorded inserts nothing, and so returns no id.
        guard let id = try db.value("""
            INSERT INTO entries (member_id, year, kind, status, points, rules_version, source_key, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            RETURNING id
            """, [e.memberID, e.year, e.kind.rawValue, e.status.rawValue, e.points, e.rulesVersion, sourceKey, [UInt8]()], as: Int64.self) else { return nil }
        e.id = id
        try save(db, e)
        return e
    }

    public static func save(_ db: any SQLSession, _ e: DutyV1.Entry) throws {
        try db.execute("UPDATE entries SET member_id = ?, year = ?, kind = ?, status = ?, points = ?, rules_version = ?, body = ? WHERE id = ?", [e.memberID, e.year, e.kind.rawValue, e.status.rawValue, e.points, e.rulesVersion, Data(try e.encode()), e.id])
    }

    public static func load(_ db: any SQLSession, _ id: Int64) throws -> DutyV1.Entry {
        guard let data = try db.value("SELECT body FROM entries WHERE id = ?", [id], as: [UInt8].self) else {
            throw DutyError.notFound(field: "entry_id", what: "entry \(id)")
        }
        return try DutyV1.Entry(decoding: [UInt8](data))
    }

    public static func entries(_ db: any SQLSession, member: Int64, year: Int32) throws -> [DutyV1.Entry] {
        try db.column("SELECT body FROM entries WHERE member_id = ? AND year = ? ORDER BY id", [member, year], as: [UInt8].self)
            .map { try DutyV1.Entry(decoding: [UInt8]($0)) }
    }

    /// A member's year from its entries: the counted ones by kind, named as the year's rules name them.
    public static func summary(_ db: any SQLSession, member: Int64, year: Int32, _ entries: [DutyV1.Entry]) throws -> DutyV1.MemberYear {
        let rules = try rules(db, forYear: year).rules
        var y = DutyV1.MemberYear()
        y.memberID = member
        y.year = year
        if let known = try self.member(db, member) {
            y.memberNumber = known.number
            y.name = known.name
            y.sector = known.sector
        }
        var totals: [DutyV1.DutyKind: DutyV1.KindTotal] = [:]
        for e in entries {
            if e.status == .pending { y.pending += 1 }
            if e.disputed { y.disputed += 1 }
            guard e.status == .counted else { continue }
            y.entries += 1
            y.points += e.points
            var t = totals[e.kind] ?? DutyV1.KindTotal()
            t.kind = e.kind
            t.name = rules.rule(e.kind).name
            t.count += 1
            t.points += e.points
            totals[e.kind] = t
        }
        y.byKind = totals.values.sorted { $0.kind.rawValue < $1.kind.rawValue }
        return y
    }

    /// Every active member, and anyone with entries in the year, most points first.
    public static func ranking(_ db: any SQLSession, year: Int32, sector: String) throws -> [DutyV1.MemberYear] {
        var ids = Set(try db.column("SELECT id FROM members WHERE active = 1 AND (? = '' OR sector = ?)", [sector, sector], as: Int64.self))
        for id in try db.column("SELECT DISTINCT e.member_id FROM entries e LEFT JOIN members m ON m.id = e.member_id WHERE e.year = ? AND (? = '' OR m.sector = ?)", [year, sector, sector], as: Int64.self) {
            ids.insert(id)
        }
        return try ids.map { try summary(db, member: $0, year: year, entries(db, member: $0, year: year)) }
            .sorted { ($0.points, $1.memberID) > ($1.points, $0.memberID) }
    }

    /// Recomputes the points of every entry of the open years under the current rules,
    /// recording the change on each entry whose points move; returns how many moved.
    public static func recalculate(_ db: any SQLSession, now: Int64) throws -> (version: Int32, changed: Int32) {
        let version = try currentVersion(db)
        let rules = try rules(db, version: version)
        var changed: Int32 = 0
        let stale = try db.column("""
            SELECT body FROM entries WHERE rules_version != ? AND year NOT IN (SELECT year FROM closed_years)
            """, [version], as: [UInt8].self).map { try DutyV1.Entry(decoding: [UInt8]($0)) }
        for var e in stale {
            let points = points(e, rules)
            if points != e.points {
                e.history.append(change(now, by: "rules", action: "recalculated", note: "rules v\(e.rulesVersion) → v\(version): \(e.points) → \(points)"))
                changed += 1
            }
            e.points = points
            e.rulesVersion = version
            try save(db, e)
        }
        return (version, changed)
    }

    /// Closes a year under the rules in force (its entries rescored under them first); returns
    /// that version and how many entries the year holds.
    public static func close(_ db: any SQLSession, year: Int32, by: String, now: Int64) throws -> (version: Int32, entries: Int32) {
        _ = try recalculate(db, now: now)
        let version = try currentVersion(db)
        try db.execute("INSERT INTO closed_years (year, rules_version, closed_at_ms, closed_by) VALUES (?, ?, ?, ?)", [year, version, now, by])
        return (version, try db.value("SELECT COUNT(*) FROM entries WHERE year = ?", [year], as: Int32.self) ?? 0)
    }

    public static func pendingCount(_ db: any SQLSession, member: Int64) throws -> Int {
        try db.value("SELECT COUNT(*) FROM entries WHERE member_id = ? AND status = ?", [member, DutyV1.EntryStatus.pending.rawValue], as: Int.self) ?? 0
    }

    public static func staleEntries(_ db: any SQLSession) throws -> Int32 {
        try db.value("SELECT COUNT(*) FROM entries WHERE rules_version != ? AND year NOT IN (SELECT year FROM closed_years)", [try currentVersion(db)], as: Int32.self) ?? 0
    }

    static func change(_ at: Int64, by: String, action: String, note: String) -> DutyV1.EntryChange {
        var c = DutyV1.EntryChange()
        c.atMs = at
        c.by = by
        c.action = action
        c.note = note
        return c
    }
}
