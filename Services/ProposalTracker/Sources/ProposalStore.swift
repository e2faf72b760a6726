import Foundation
import GRDB
import XieshangService
import XieshangWire

/// The tracker's SQL; every function runs inside the caller's transaction.
public enum ProposalStore {
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    public static func load(_ db: Database, _ id: Int64, field: String = "id") throws -> ProposalV1.Proposal {
        guard let data = try Data.fetchOne(db, sql: "SELECT body FROM proposals WHERE id = ?", arguments: [id]) else {
            throw ProposalError.notFound(field: field, what: "proposal \(id)")
        }
        return try ProposalV1.Proposal(decoding: [UInt8](data))
    }

    public static func insert(_ db: Database, _ p: ProposalV1.Proposal) throws -> ProposalV1.Proposal {
        try db.execute(sql: "INSERT INTO proposals (state, term, session, proposer_member_id, created_at_ms, body) VALUES (?, ?, ?, ?, ?, x'')",
                       arguments: [p.state.rawValue, p.term, p.session, p.proposerMemberID, p.createdAtMs])
        var saved = p
        saved.id = db.lastInsertedRowID
        try save(db, saved)
        return saved
    }

    /// Writes the proposal and the columns and index rows derived from it.
    public static func save(_ db: Database, _ p: ProposalV1.Proposal) throws {
        var p = p
        p.updatedAtMs = nowMs
        try db.execute(sql: """
            UPDATE proposals SET state = ?, term = ?, session = ?, number = ?, proposer_member_id = ?, lead_unit_id = ?,
                deadline_ms = ?, body = ? WHERE id = ?
            """, arguments: [p.state.rawValue, p.term, p.session, p.number.isEmpty ? nil : p.number, p.proposerMemberID,
                             p.leadUnitID, p.deadlineMs, Data(try p.encode()), p.id])
        try db.execute(sql: "DELETE FROM proposal_members WHERE proposal_id = ?", arguments: [p.id])
        if p.proposerMemberID != 0 {
            try db.execute(sql: "INSERT OR IGNORE INTO proposal_members VALUES (?, ?, 'proposer')", arguments: [p.id, p.proposerMemberID])
        }
        for c in p.cosigners {
            try db.execute(sql: "INSERT OR IGNORE INTO proposal_members VALUES (?, ?, ?)",
                           arguments: [p.id, c.memberID, c.decision == .signed ? "cosigner" : "invited"])
        }
        if p.key && p.supervisorMemberID != 0 {
            try db.execute(sql: "INSERT OR IGNORE INTO proposal_members VALUES (?, ?, 'supervisor')", arguments: [p.id, p.supervisorMemberID])
        }
        try db.execute(sql: "DELETE FROM proposal_units WHERE proposal_id = ?", arguments: [p.id])
        if p.leadUnitID != 0 {
            try db.execute(sql: "INSERT OR IGNORE INTO proposal_units VALUES (?, ?, 1)", arguments: [p.id, p.leadUnitID])
        }
        for unit in p.assistingUnitIDs {
            try db.execute(sql: "INSERT OR IGNORE INTO proposal_units VALUES (?, ?, 0)", arguments: [p.id, unit])
        }
    }

    /// The next filing number of the term and session: `5-3-0012`. Counting inside the
    /// write transaction makes concurrent filings take consecutive numbers.
    public static func nextNumber(_ db: Database, term: Int32, session: Int32) throws -> String {
        try db.execute(sql: """
            INSERT INTO filing_counters (term, session, last) VALUES (?, ?, 1)
            ON CONFLICT(term, session) DO UPDATE SET last = last + 1
            """, arguments: [term, session])
        let last = try Int.fetchOne(db, sql: "SELECT last FROM filing_counters WHERE term = ? AND session = ?", arguments: [term, session]) ?? 1
        return String(format: "%d-%d-%04d", term, session, last)
    }

    public static func record(_ db: Database, _ proposal: Int64, _ t: ProposalV1.Transition) throws {
        try db.execute(sql: "INSERT INTO transitions (proposal_id, action, at_ms, body) VALUES (?, ?, ?, ?)",
                       arguments: [proposal, t.action.rawValue, t.atMs, Data(try t.encode())])
    }

    public static func history(_ db: Database, _ proposal: Int64) throws -> [ProposalV1.Transition] {
        _ = try load(db, proposal)
        return try Data.fetchAll(db, sql: "SELECT body FROM transitions WHERE proposal_id = ? ORDER BY id", arguments: [proposal])
            .map { try ProposalV1.Transition(decoding: [UInt8]($0)) }
    }

    public static func list(_ db: Database, _ r: ProposalV1.ListProposalsRequest) throws -> ProposalV1.ListProposalsResponse {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if r.state != .unspecified { clauses.append("p.state = ?"); arguments += [r.state.rawValue] }
        if r.term != 0 { clauses.append("p.term = ?"); arguments += [r.term] }
        if r.memberID != 0 { clauses.append("p.id IN (SELECT proposal_id FROM proposal_members WHERE member_id = ?)"); arguments += [r.memberID] }
        if r.unitID != 0 { clauses.append("p.id IN (SELECT proposal_id FROM proposal_units WHERE unit_id = ?)"); arguments += [r.unitID] }
        if !r.pageToken.isEmpty {
            guard let after = Int64(r.pageToken) else { throw ProposalError.invalid([("page_token", "is not a page token from this service")]) }
            clauses.append("p.id > ?")
            arguments += [after]
        }
        let pageSize = r.pageSize == 0 ? 50 : Int(r.pageSize)
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let rows = try Data.fetchAll(db, sql: "SELECT p.body FROM proposals p \(filter) ORDER BY p.id LIMIT ?", arguments: arguments + [pageSize + 1])
        var response = ProposalV1.ListProposalsResponse()
        (response.proposals, response.nextPageToken) = try page(rows, size: pageSize, id: \ProposalV1.Proposal.id)
        return response
    }

    /// A page of stored messages (fetched one more than `size`, in id order), bounded in bytes
    /// as well as count — long ones make shorter pages, never a reply too large to send — and
    /// the token of the next page ("" at the end).
    static func page<Message: WireMessage>(_ rows: [Data], size: Int, id: KeyPath<Message, Int64>) throws -> ([Message], String) {
        var items: [Message] = []
        var bytes = 0
        for row in rows.prefix(size) {
            if !items.isEmpty && bytes + row.count > maxPageBytes { break }
            bytes += row.count
            items.append(try Message(decoding: [UInt8](row)))
        }
        let next = rows.count > items.count ? items.last.map { String($0[keyPath: id]) } ?? "" : ""
        return (items, next)
    }

    /// The most bytes of proposals one page of a list carries (1 MiB; a message may carry 4).
    public static let maxPageBytes = 1 << 20

    /// Proposals being handled whose deadline has passed or comes within `withinDays`.
    public static func overdue(_ db: Database, withinDays: Int32, unit: Int64, now: Int64) throws -> [ProposalV1.OverdueProposal] {
        let handling = [ProposalV1.ProposalState.assigned, .inHandling, .returnRequested, .countersigning]
            .map { String($0.rawValue) }.joined(separator: ", ")
        var sql = "SELECT body FROM proposals WHERE state IN (\(handling)) AND deadline_ms != 0 AND deadline_ms <= ?"
        var arguments: StatementArguments = [now + Int64(withinDays) * 86_400_000]
        if unit != 0 {
            sql += " AND id IN (SELECT proposal_id FROM proposal_units WHERE unit_id = ?)"
            arguments += [unit]
        }
        return try Data.fetchAll(db, sql: sql + " ORDER BY deadline_ms", arguments: arguments).map {
            var o = ProposalV1.OverdueProposal()
            let p = try ProposalV1.Proposal(decoding: [UInt8]($0))
            o.proposal = p
            o.daysLeft = (p.deadlineMs - now) / 86_400_000 - ((p.deadlineMs - now) < 0 && (p.deadlineMs - now) % 86_400_000 != 0 ? 1 : 0)
            return o
        }
    }

    // MARK: - Topics

    public static func loadTopic(_ db: Database, _ id: Int64, field: String = "id") throws -> ProposalV1.Topic {
        guard let data = try Data.fetchOne(db, sql: "SELECT body FROM topics WHERE id = ?", arguments: [id]) else {
            throw ProposalError.notFound(field: field, what: "topic \(id)")
        }
        return try ProposalV1.Topic(decoding: [UInt8](data))
    }

    public static func saveTopic(_ db: Database, _ t: ProposalV1.Topic) throws -> ProposalV1.Topic {
        var t = t
        if t.id == 0 {
            try db.execute(sql: "INSERT INTO topics (step, station_id, room_id, created_at_ms, body) VALUES (?, ?, ?, ?, x'')",
                           arguments: [t.step.rawValue, t.stationID, t.roomID, t.createdAtMs])
            t.id = db.lastInsertedRowID
        }
        try db.execute(sql: "UPDATE topics SET step = ?, body = ? WHERE id = ?", arguments: [t.step.rawValue, Data(try t.encode()), t.id])
        return t
    }

    public static func topics(_ db: Database, _ r: ProposalV1.ListTopicsRequest) throws -> [ProposalV1.Topic] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if r.step != .unspecified { clauses.append("step = ?"); arguments += [r.step.rawValue] }
        if r.stationID != 0 { clauses.append("station_id = ?"); arguments += [r.stationID] }
        if r.roomID != 0 { clauses.append("room_id = ?"); arguments += [r.roomID] }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try Data.fetchAll(db, sql: "SELECT body FROM topics \(filter) ORDER BY id LIMIT 1000", arguments: arguments)
            .map { try ProposalV1.Topic(decoding: [UInt8]($0)) }
    }
}
