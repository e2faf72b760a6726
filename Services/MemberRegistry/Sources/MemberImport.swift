import Foundation
import GRDB
import XieshangRPC
import XieshangService
import XieshangWire

/// CSV import: every row validated, all-or-nothing unless the caller asks for the good
/// rows, upserting by member number so a repeated import changes nothing.
enum MemberImport {
    static let maxBytes = 8 << 20

    static func run(
        _ request: MemberV1.ImportMembersRequest, database: ServiceDatabase, outbox: EventOutbox, context: RPCCallContext
    ) async throws -> MemberV1.ImportMembersResponse {
        if request.csv.count > maxBytes { throw RegistryError.invalid([("csv", "is larger than \(maxBytes >> 20) MiB")]) }
        let rows: [MemberCSV.Row]
        do {
            rows = try MemberCSV.parse(request.csv)
        } catch .notUTF8 {
            throw RegistryError.invalid([("csv", "is not UTF-8 text")])
        } catch .header(let problem) {
            throw RegistryError.invalid([("csv", "line 1: \(problem)")])
        }
        // A dry run writes nothing, so it needs no stored reply either.
        if request.dryRun {
            return try await database.writer.read { db in try plan(db, request, rows, context: context, write: false) }
        }
        return try await database.idempotent(context) { db in
            try plan(db, request, rows, context: context, write: true, outbox: outbox)
        }.reply
    }

    private static func plan(
        _ db: Database, _ request: MemberV1.ImportMembersRequest, _ rows: [MemberCSV.Row], context: RPCCallContext,
        write: Bool, outbox: EventOutbox? = nil
    ) throws -> MemberV1.ImportMembersResponse {
        let term = try MemberStore.term(db, request.term)
        let rules = try MemberStore.rules(db)
        let existing = try MemberStore.byNumber(db, term: term)
        var response = MemberV1.ImportMembersResponse()
        response.rows = Int32(rows.count)
        var seen: [String: Int] = [:]
        var good: [(member: MemberV1.Member, columns: Set<String>)] = []
        for row in rows {
            var member = MemberRules.normalized(row.member)
            member.term = term
            var problems = row.problems
            problems += rules.problems(member, prefix: "")
                .filter { problem in !row.problems.contains { $0.field == problem.field } }
            if let first = seen[member.memberNumber], !member.memberNumber.isEmpty {
                problems.append(("member_number", "\(member.memberNumber) is already on line \(first)"))
            } else {
                seen[member.memberNumber] = row.line
            }
            if problems.isEmpty {
                good.append((member, row.columns))
            } else {
                for (field, reason) in problems {
                    var problem = MemberV1.RowProblem()
                    problem.line = Int32(row.line)
                    problem.field = field
                    problem.reason = reason
                    response.problems.append(problem)
                }
            }
        }
        let writeNow = write && (response.problems.isEmpty || request.importValidRows)
        for (parsed, columns) in good {
            var member = parsed
            if let old = existing[member.memberNumber] {
                // Only the file's columns change; the rest (and the rooms) stay as they are.
                member = MemberRules.normalized(MemberCSV.merge(parsed, columns: columns, into: old))
                if member.statusDate.isEmpty { member.statusDate = old.statusDate }
                if member == old {
                    response.unchanged += 1
                    continue
                }
                response.updated += 1
                guard writeNow, let outbox else { continue }
                let updated = try MemberStore.update(db, member, includeStatus: true)
                try RegistryHandlers.record(db, outbox, context, "member.updated", updated, action: "imported",
                                            changes: MemberStore.changes(from: old, to: updated))
            } else {
                response.created += 1
                guard writeNow, let outbox else { continue }
                if member.statusDate.isEmpty { member.statusDate = member.joinedDate.isEmpty ? Check.today() : member.joinedDate }
                let created = try MemberStore.insert(db, member)
                try RegistryHandlers.record(db, outbox, context, "member.added", created, action: "imported",
                                            changes: MemberStore.changes(from: nil, to: created))
            }
        }
        response.written = writeNow && (response.created + response.updated) > 0
        return response
    }
}
