import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// CSV import: every row validated, all-or-nothing unless the caller asks for the good
/// rows, upserting by member number so a repeated import changes nothing.
enum MemberImport {
    /// The largest member file, whole (about 120,000 rows of the demo's kind).
    static let maxBytes = 32 << 20
    /// An upload's id: the client's, bounded like a request id.
    static let maxUploadIDBytes = 64
    /// Imports parsed and planned at once: each holds its whole file and its rows in
    /// memory, so twenty at once would take the registry's memory with them. The others wait.
    static let gate = ImportGate(width: 1)

    static func run(
        _ request: MemberV1.ImportMembersRequest, database: ServiceDatabase, outbox: EventOutbox, context: RPCCallContext
    ) async throws -> MemberV1.ImportMembersResponse {
        if request.uploadID.utf8.count > maxUploadIDBytes {
            throw RegistryError.invalid([("upload_id", "must be at most \(maxUploadIDBytes) bytes")])
        }
        if request.more {
            guard !request.uploadID.isEmpty else { throw RegistryError.invalid([("upload_id", "name the upload the part belongs to")]) }
            return try await keepPart(request, database: database, context: context)
        }
        var csv = request.csv
        if !request.uploadID.isEmpty {
            let principal = context.principal.description
            let kept = try await database.readSession { db in try UploadStore.bytes(db, principal: principal, upload: request.uploadID) }
            csv = kept + csv
        }
        if csv.count > maxBytes { throw RegistryError.invalid([("csv", "is \(csv.count) bytes, over the \(maxBytes >> 20) MiB a member file may be")]) }
        let whole = csv
        return try await gate.run {
            let rows: [MemberCSV.Row]
            do {
                // Tens of thousands of rows: parsed off the socket thread, which goes on
                // serving other calls meanwhile.
                rows = try await offSocketThread { try MemberCSV.parse(whole) }
            } catch MemberCSV.ParseError.notUTF8 {
                throw RegistryError.invalid([("csv", "is not UTF-8 text: save it as \"CSV UTF-8 (逗号分隔)\" (Excel's plain \"CSV\" on a Chinese Windows writes GB18030/GBK) and import again")])
            } catch MemberCSV.ParseError.header(let problem) {
                throw RegistryError.invalid([("csv", "line 1: \(problem)")])
            }
            // A dry run writes nothing, so it needs no stored reply either.
            if request.dryRun {
                let response = try await database.readSession { db in try plan(db, request, rows, context: context, write: false) }
                if !request.uploadID.isEmpty { try await forget(request.uploadID, database: database, context: context) }
                return response
            }
            return try await database.idempotentSession(context) { db in
                let response = try plan(db, request, rows, context: context, write: true, outbox: outbox)
                // The parts go with the import that used them, in its transaction.
                try UploadStore.forget(db, principal: context.principal.description, upload: request.uploadID)
                return response
            }.reply
        }
    }

    /// Keeps one part of a large file (once per request id, so a retried part is not kept
    /// twice), refusing an upload that grows past `maxBytes`.
    private static func keepPart(
        _ request: MemberV1.ImportMembersRequest, database: ServiceDatabase, context: RPCCallContext
    ) async throws -> MemberV1.ImportMembersResponse {
        let principal = context.principal.description
        return try await database.idempotentSession(context) { db in
            let (parts, bytes) = try UploadStore.size(db, principal: principal, upload: request.uploadID)
            if bytes + request.csv.count > maxBytes {
                throw RegistryError.invalid([("csv", "the upload would be over the \(maxBytes >> 20) MiB a member file may be")])
            }
            // Across its unfinished uploads, one key keeps at most two files' worth.
            if try UploadStore.kept(db, principal: principal) + request.csv.count > 2 * maxBytes {
                throw RPCError(.resourceExhausted, "\(principal) has \(2 * maxBytes >> 20) MiB of unfinished uploads kept; finish or abandon them (they are forgotten after a day)")
            }
            try UploadStore.keep(db, principal: principal, upload: request.uploadID, part: parts, bytes: request.csv)
            var response = MemberV1.ImportMembersResponse()
            response.receivedBytes = Int64(bytes + request.csv.count)
            return response
        }.reply
    }

    private static func forget(_ upload: String, database: ServiceDatabase, context: RPCCallContext) async throws {
        try await database.writeSession { db in try UploadStore.forget(db, principal: context.principal.description, upload: upload) }
    }

    private static func plan(
        _ db: any SQLSession, _ request: MemberV1.ImportMembersRequest, _ rows: [MemberCSV.Row], context: RPCCallContext,
        write: Bool, outbox: EventOutbox? = nil
    ) throws -> MemberV1.ImportMembersResponse {
        if write { try MemberStore.lockForChanges(db) }
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
                try RegistryHandlers.record(db, outbox, context, DomainEvents.memberUpdated, updated, action: "imported",
                                            changes: MemberStore.changes(from: old, to: updated))
            } else {
                response.created += 1
                guard writeNow, let outbox else { continue }
                if member.statusDate.isEmpty { member.statusDate = member.joinedDate.isEmpty ? CommitteeClock.today() : member.joinedDate }
                let created = try MemberStore.insert(db, member)
                try RegistryHandlers.record(db, outbox, context, DomainEvents.memberAdded, created, action: "imported",
                                            changes: MemberStore.changes(from: nil, to: created))
            }
        }
        response.written = writeNow && (response.created + response.updated) > 0
        return response
    }
}

/// At most `width` imports at once; the others wait their turn, in order (a caller whose
/// deadline passes while waiting is cancelled by its own deadline, not by the gate).
actor ImportGate {
    private let width: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        if running >= width {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        defer { release() }
        return try await work()
    }

    private func release() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }
}
