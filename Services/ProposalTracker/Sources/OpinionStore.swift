import Foundation
import XieshangLabels
import XieshangService
import XieshangWire

/// The 社情民意 items' SQL; every function runs inside the caller's transaction.
public enum OpinionStore {
    public static func load(_ db: any SQLSession, _ id: Int64, field: String = "id") throws -> ProposalV1.Opinion {
        guard let data = try db.value("SELECT body FROM opinions WHERE id = ?", [id], as: [UInt8].self) else {
            throw ProposalError.notFound(field: field, what: "社情民意 item \(id)")
        }
        return try ProposalV1.Opinion(decoding: [UInt8](data))
    }

    /// Writes the item (inserting it when it has no id yet) and returns it with its id.
    @discardableResult
    public static func save(_ db: any SQLSession, _ o: ProposalV1.Opinion) throws -> ProposalV1.Opinion {
        var o = o
        if o.id == 0 {
            o.id = try db.insert("INSERT INTO opinions (state, member_id, submitted_at_ms, proposal_id, body) VALUES (?, ?, ?, ?, ?)",
                                [o.state.rawValue, o.memberID, o.submittedAtMs, o.proposalID, [UInt8]()], returning: "id")
        }
        try db.execute("UPDATE opinions SET state = ?, body = ? WHERE id = ?", [o.state.rawValue, Data(try o.encode()), o.id])
        return o
    }

    /// How many of a member's items wait for the office (submitted, not yet sent up or declined).
    public static func waiting(_ db: any SQLSession, member: Int64) throws -> Int {
        try db.value("SELECT COUNT(*) FROM opinions WHERE member_id = ? AND state = ?",
                         [member, ProposalV1.OpinionState.submitted.rawValue], as: Int.self) ?? 0
    }

    public static func list(_ db: any SQLSession, _ r: ProposalV1.ListOpinionsRequest) throws -> ProposalV1.ListOpinionsResponse {
        var clauses: [String] = []
        var arguments: [any SQLValueConvertible] = []
        if r.memberID != 0 { clauses.append("member_id = ?"); arguments += [r.memberID] }
        if r.state != .unspecified { clauses.append("state = ?"); arguments += [r.state.rawValue] }
        if !r.pageToken.isEmpty {
            guard let after = Int64(r.pageToken) else { throw ProposalError.invalid([("page_token", "is not a page token from this service")]) }
            clauses.append("id > ?")
            arguments += [after]
        }
        let pageSize = r.pageSize == 0 ? 50 : Int(r.pageSize)
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let rows = try db.column("SELECT body FROM opinions \(filter) ORDER BY id LIMIT ?", arguments + [pageSize + 1], as: [UInt8].self)
        var response = ProposalV1.ListOpinionsResponse()
        (response.opinions, response.nextPageToken) = try ProposalStore.page(rows, size: pageSize, id: \ProposalV1.Opinion.id)
        return response
    }

    /// The figures of the items submitted in the period (docs/DOMAIN.md): how many were
    /// sent up, adopted (and at which levels) and instructed on, in all, by member, by sector
    /// and by month of submission.
    public static func statistics(_ db: any SQLSession, from: Int64, to: Int64) throws -> ProposalV1.OpinionStatisticsResponse {
        let items = try db.column("SELECT body FROM opinions WHERE submitted_at_ms >= ? AND submitted_at_ms < ? ORDER BY id",
                                      [from, to], as: [UInt8].self).map { try ProposalV1.Opinion(decoding: [UInt8]($0)) }
        var s = ProposalV1.OpinionStatisticsResponse()
        var total = ProposalV1.OpinionCount()
        total.name = "合计"
        var members: [Int64: ProposalV1.OpinionCount] = [:], sectors: [String: ProposalV1.OpinionCount] = [:], months: [String: ProposalV1.OpinionCount] = [:]
        var levels: [ProposalV1.OpinionLevel: Int32] = [:]
        func add(_ o: ProposalV1.Opinion, to c: inout ProposalV1.OpinionCount) {
            c.submitted += 1
            if !o.reports.isEmpty { c.reported += 1 }
            if !o.adoptions.isEmpty { c.adopted += 1 }
            if !o.instructions.isEmpty { c.instructed += 1 }
        }
        for o in items {
            add(o, to: &total)
            var member = members[o.memberID] ?? ProposalV1.OpinionCount()
            member.memberID = o.memberID
            member.name = o.memberName
            add(o, to: &member)
            members[o.memberID] = member
            let sectorName = o.sector.isEmpty ? "未注明界别" : o.sector
            var sector = sectors[sectorName] ?? ProposalV1.OpinionCount()
            sector.name = sectorName
            add(o, to: &sector)
            sectors[sectorName] = sector
            let monthName = String(CommitteeClock.day(o.submittedAtMs).prefix(7))
            var month = months[monthName] ?? ProposalV1.OpinionCount()
            month.name = monthName
            add(o, to: &month)
            months[monthName] = month
            for level in Set(o.adoptions.map(\.level)) { levels[level, default: 0] += 1 }
        }
        s.total = total
        s.adoptedByLevel = [ProposalV1.OpinionLevel.city, .province, .national].map { level in
            var c = ProposalV1.CountByName()
            c.name = level.label
            c.count = levels[level] ?? 0
            return c
        }
        s.byMember = members.values.sorted { ($0.adopted, $0.submitted, $1.memberID) > ($1.adopted, $1.submitted, $0.memberID) }
        s.bySector = sectors.values.sorted { ($0.submitted, $1.name) > ($1.submitted, $0.name) }
        s.byMonth = months.values.sorted { $0.name < $1.name }
        return s
    }
}
