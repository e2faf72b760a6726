import Foundation
import XieshangService
import XieshangWire

/// The tracker's SQL; every function runs inside the caller's transaction.
public enum ProposalStore {
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    public static func load(_ db: any SQLSession, _ id: Int64, field: String = "id") throws -> ProposalV1.Proposal {
        guard let data = try db.value("SELECT body FROM proposals WHERE id = ?", [id], as: [UInt8].self) else {
            throw ProposalError.notFound(field: field, what: "proposal \(id)")
        }
        return try ProposalV1.Proposal(decoding: [UInt8](data))
    }

    public static func insert(_ db: any SQLSession, _ p: ProposalV1.Proposal) throws -> ProposalV1.Proposal {
        var saved = p
        saved.id = try db.insert(
            "INSERT INTO proposals (state, term, session, proposer_member_id, created_at_ms, body) VALUES (?, ?, ?, ?, ?, ?)",
            [p.state.rawValue, p.term, p.session, p.proposerMemberID, p.createdAtMs, [UInt8]()], returning: "id")
        try save(db, saved)
        return saved
    }

    /// Forgets which members a proposal concerns, before they are written again (through
    /// `proposal_members_by_proposal`: the table is keyed by member).
    static let membersOfProposalForgotten = "DELETE FROM proposal_members WHERE proposal_id = ?"

    /// Writes the proposal and the columns and index rows derived from it.
    public static func save(_ db: any SQLSession, _ p: ProposalV1.Proposal) throws {
        var p = p
        p.updatedAtMs = nowMs
        try db.execute("""
            UPDATE proposals SET state = ?, term = ?, session = ?, number = ?, proposer_member_id = ?, lead_unit_id = ?,
                deadline_ms = ?, body = ? WHERE id = ?
            """, [p.state.rawValue, p.term, p.session, p.number.isEmpty ? nil : p.number, p.proposerMemberID,
                             p.leadUnitID, p.deadlineMs, Data(try p.encode()), p.id])
        try db.execute(membersOfProposalForgotten, [p.id])
        if p.proposerMemberID != 0 {
            try db.execute("INSERT INTO proposal_members VALUES (?, ?, 'proposer') ON CONFLICT DO NOTHING", [p.id, p.proposerMemberID])
        }
        for c in p.cosigners {
            try db.execute("INSERT INTO proposal_members VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                           [p.id, c.memberID, c.decision == .signed ? "cosigner" : "invited"])
        }
        if p.key && p.supervisorMemberID != 0 {
            try db.execute("INSERT INTO proposal_members VALUES (?, ?, 'supervisor') ON CONFLICT DO NOTHING", [p.id, p.supervisorMemberID])
        }
        try db.execute("DELETE FROM proposal_units WHERE proposal_id = ?", [p.id])
        if p.leadUnitID != 0 {
            try db.execute("INSERT INTO proposal_units VALUES (?, ?, 1) ON CONFLICT DO NOTHING", [p.id, p.leadUnitID])
        }
        for unit in p.assistingUnitIDs {
            try db.execute("INSERT INTO proposal_units VALUES (?, ?, 0) ON CONFLICT DO NOTHING", [p.id, unit])
        }
    }

    /// The next filing number of the term and session: `5-3-0012`. Counting inside the
    /// write transaction makes concurrent filings take consecutive numbers: the counter's row
    /// stays locked until the filing commits (on PostgreSQL, against every replica), and a
    /// filing that rolls back gives its number back.
    public static func nextNumber(_ db: any SQLSession, term: Int32, session: Int32) throws -> String {
        let last = try db.value("""
            INSERT INTO filing_counters (term, session, last) VALUES (?, ?, 1)
            ON CONFLICT(term, session) DO UPDATE SET last = filing_counters.last + 1
            RETURNING last
            """, [term, session], as: Int.self) ?? 1
        return String(format: "%d-%d-%04d", term, session, last)
    }

    public static func record(_ db: any SQLSession, _ proposal: Int64, _ t: ProposalV1.Transition) throws {
        try db.execute("INSERT INTO transitions (proposal_id, action, at_ms, body) VALUES (?, ?, ?, ?)",
                       [proposal, t.action.rawValue, t.atMs, Data(try t.encode())])
    }

    public static func history(_ db: any SQLSession, _ proposal: Int64) throws -> [ProposalV1.Transition] {
        _ = try load(db, proposal)
        return try db.column("SELECT body FROM transitions WHERE proposal_id = ? ORDER BY id", [proposal], as: [UInt8].self)
            .map { try ProposalV1.Transition(decoding: [UInt8]($0)) }
    }

    public static func list(_ db: any SQLSession, _ r: ProposalV1.ListProposalsRequest) throws -> ProposalV1.ListProposalsResponse {
        var clauses: [String] = []
        var arguments: [any SQLValueConvertible] = []
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
        let rows = try db.column("SELECT p.body FROM proposals p \(filter) ORDER BY p.id LIMIT ?", arguments + [pageSize + 1], as: [UInt8].self)
        var response = ProposalV1.ListProposalsResponse()
        (response.proposals, response.nextPageToken) = try page(rows, size: pageSize, id: \ProposalV1.Proposal.id)
        return response
    }

    /// A page of stored messages (fetched one more than `size`, in id order), bounded in bytes
    /// as well as count — long ones make shorter pages, never a reply too large to send — and
    /// the token of the next page ("" at the end).
    static func page<Message: WireMessage>(_ rows: [[UInt8]], size: Int, id: KeyPath<Message, Int64>) throws -> ([Message], String) {
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
    public static func overdue(_ db: any SQLSession, withinDays: Int32, unit: Int64, now: Int64) throws -> [ProposalV1.OverdueProposal] {
        let handling = [ProposalV1.ProposalState.assigned, .inHandling, .returnRequested, .countersigning]
            .map { String($0.rawValue) }.joined(separator: ", ")
        var sql = "SELECT body FROM proposals WHERE state IN (\(handling)) AND deadline_ms != 0 AND deadline_ms <= ?"
        var arguments: [any SQLValueConvertible] = [now + Int64(withinDays) * 86_400_000]
        if unit != 0 {
            sql += " AND id IN (SELECT proposal_id FROM proposal_units WHERE unit_id = ?)"
            arguments += [unit]
        }
        return try db.column(sql + " ORDER BY deadline_ms", arguments, as: [UInt8].self).map {
            var o = ProposalV1.OverdueProposal()
            let p = try ProposalV1.Proposal(decoding: [UInt8]($0))
            o.proposal = p
            o.daysLeft = (p.deadlineMs - now) / 86_400_000 - ((p.deadlineMs - now) < 0 && (p.deadlineMs - now) % 86_400_000 != 0 ? 1 : 0)
            return o
        }
    }

    // MARK: - Topics

    public static func loadTopic(_ db: any SQLSession, _ id: Int64, field: String = "id") throws -> ProposalV1.Topic {
        guard let data = try db.value("SELECT body FROM topics WHERE id = ?", [id], as: [UInt8].self) else {
            throw ProposalError.notFound(field: field, what: "topic \(id)")
        }
        return try ProposalV1.Topic(decoding: [UInt8](data))
    }

    public static func saveTopic(_ db: any SQLSession, _ t: ProposalV1.Topic) throws -> ProposalV1.Topic {
        var t = t
        if t.id == 0 {
            t.id = try db.insert("INSERT INTO topics (step, station_id, room_id, created_at_ms, body) VALUES (?, ?, ?, ?, ?)",
                                [t.step.rawValue, t.stationID, t.roomID, t.createdAtMs, [UInt8]()], returning: "id")
        }
        try db.execute("UPDATE topics SET step = ?, body = ? WHERE id = ?", [t.step.rawValue, Data(try t.encode()), t.id])
        return t
    }

    public static func topics(_ db: any SQLSession, _ r: ProposalV1.ListTopicsRequest) throws -> [ProposalV1.Topic] {
        var clauses: [String] = []
        var arguments: [any SQLValueConvertible] = []
        if r.step != .unspecified { clauses.append("step = ?"); arguments += [r.step.rawValue] }
        if r.stationID != 0 { clauses.append("station_id = ?"); arguments += [r.stationID] }
        if r.roomID != 0 { clauses.append("room_id = ?"); arguments += [r.roomID] }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try db.column("SELECT body FROM topics \(filter) ORDER BY id LIMIT 1000", arguments, as: [UInt8].self)
            .map { try ProposalV1.Topic(decoding: [UInt8]($0)) }
    }
}
