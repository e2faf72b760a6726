import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// The duty record's methods (docs/DOMAIN.md, "履职"): a member reads, records and disputes
/// only their own; the office reads everyone's, ranks, reviews, recalculates and closes years.
public struct DutyHandlers: RPCService {
    let database: ServiceDatabase

    public init(database: ServiceDatabase) {
        self.database = database
    }

    public static var permissions: MethodPermissions {
        var p = MethodPermissions()
        let officeAndMembers = MethodPermissions.office.union([.member])
        p.allow(officeAndMembers, DutyV1.Duty.show.name, DutyV1.Duty.getEntry.name, DutyV1.Duty.record.name,
                DutyV1.Duty.dispute.name, DutyV1.Duty.rules.name)
        p.allow(MethodPermissions.office, DutyV1.Duty.ranking.name, DutyV1.Duty.review.name, DutyV1.Duty.recalculate.name,
                DutyV1.Duty.closeYear.name)
        p.allow(MethodPermissions.office, EventV1.Consumer.listSetAside.name)
        // It publishes no events: its (empty) stream is the administrator's alone.
        p.allow([.admin], EventV1.Events.since.name)
        return p
    }

    public func register(into h: inout RPCHandlers) {
        h.register(DutyV1.Duty.show) { request, context in
            let member = try Self.member(request.memberID, context)
            let year = try Self.year(request.year)
            return try await database.readSession { db in
                var response = DutyV1.ShowResponse()
                response.entries = try DutyStore.entries(db, member: member, year: year)
                response.year = try DutyStore.summary(db, member: member, year: year, response.entries)
                response.closed = try DutyStore.closedVersion(db, year) != nil
                return response
            }
        }
        h.register(DutyV1.Duty.ranking) { request, _ in
            let year = try Self.year(request.year)
            return try await database.readSession { db in
                var response = DutyV1.RankingResponse()
                response.members = try DutyStore.ranking(db, year: year, sector: request.sector.trimmingCharacters(in: .whitespaces))
                response.closed = try DutyStore.closedVersion(db, year) != nil
                response.rulesVersion = try DutyStore.rules(db, forYear: year).version
                return response
            }
        }
        h.register(DutyV1.Duty.getEntry) { request, context in
            let entry = try await database.readSession { db in try DutyStore.load(db, request.entryID) }
            try Self.requireOwn(entry, context)
            var response = DutyV1.EntryResponse()
            response.entry = entry
            return response
        }
        h.register(DutyV1.Duty.record, mutating: true, record)
        h.register(DutyV1.Duty.review, mutating: true, review)
        h.register(DutyV1.Duty.dispute, mutating: true, dispute)
        h.register(DutyV1.Duty.rules) { _, _ in
            try await database.readSession { db in
                var response = DutyV1.RulesResponse()
                let versions = try DutyStore.versions(db)
                response.current = versions.last
                response.earlier = Array(versions.dropLast().reversed())
                response.staleEntries = try DutyStore.staleEntries(db)
                response.closedYears = try DutyStore.closedYears(db)
                return response
            }
        }
        h.register(DutyV1.Duty.recalculate, mutating: true) { _, context in
            try await database.idempotentSession(context) { db in
                let (version, changed) = try DutyStore.recalculate(db, now: DutyStore.nowMs)
                var response = DutyV1.RecalculateResponse()
                response.version = version
                response.changed = changed
                return response
            }.reply
        }
        h.register(DutyV1.Duty.closeYear, mutating: true, closeYear)
        EventConsumer.registerSetAside(in: &h, database: database)
    }

    /// The member a call is about: a member's key reads its own record only.
    static func member(_ requested: Int64, _ context: RPCCallContext) throws -> Int64 {
        let member = try context.principal.scopedMember(requested, field: "member_id")
        guard member > 0 else { throw DutyError.invalid([("member_id", "name the member")]) }
        return member
    }

    static func year(_ year: Int32) throws -> Int32 {
        guard (2000...2100).contains(year) else { throw DutyError.invalid([("year", "must be a year from 2000 to 2100, not \(year)")]) }
        return year
    }

    /// A member reaches only their own entries; a refusal says nothing of the entry.
    static func requireOwn(_ e: DutyV1.Entry, _ context: RPCCallContext) throws {
        if context.principal.isOffice { return }
        guard let member = context.principal.memberID, member == e.memberID else {
            throw DutyError.permissionDenied("entry \(e.id) is not \(context.principal)'s")
        }
    }

    static func requireOpen(_ db: any SQLSession, _ year: Int32, field: String) throws {
        if try DutyStore.closedVersion(db, year) != nil {
            throw DutyError.notAllowed(field: field, "\(year) is closed: its record is final")
                .saying("\(year) 年度的履职记录已经结束（定稿），不能再登记或提出异议。")
        }
    }

    /// The most entries a member may have awaiting staff at once.
    static let maxPending = 50

    static func blank(_ s: String) -> Bool { s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }

    /// An activity the other services do not record: staff record it (it counts), or the
    /// member records their own (it waits for staff).
    @Sendable func record(_ request: DutyV1.RecordRequest, _ context: RPCCallContext) async throws -> DutyV1.RecordResponse {
        let member = try Self.member(request.memberID, context)
        // Each problem in English and, for the member on the portal, in Chinese.
        var problems: [(String, String)] = []
        var zh: [String] = []
        func add(_ field: String, _ problem: String, _ chinese: String) {
            problems.append((field, problem))
            zh.append(chinese)
        }
        if !request.kind.isRecorded || !DutyV1.DutyKind.allCases.contains(request.kind) {
            let recorded = DutyRules.kinds.filter(\.isRecorded)
            add("kind", "one of \(recorded.map { "\($0.label) (\($0.identifier))" }.joined(separator: ", ")); the rest come from meetings, proposals and 社情民意",
                "类别只能是\(recorded.map(\.label).joined(separator: "、"))；其余的由会议、提案和社情民意自动记入。")
        }
        if Self.blank(request.title) { add("title", RPCError.FieldProblem.empty, "请写明做了什么事。") }
        let day = CommitteeClock.parse(request.date)
        if request.date.count != 10 || day == nil { add("date", "write YYYY-MM-DD", "日期请写成“年-月-日”，如 2026-05-12。") }
        if let day, day > DutyStore.nowMs { add("date", "is in the future", "日期不能晚于今天：只能登记已经做过的事。") }
        if day != nil, !(2000...2100).contains(Int(request.date.prefix(4)) ?? 0) { add("date", "must be in a year from 2000 to 2100", "日期的年份要在 2000 至 2100 年之间。") }
        if Self.blank(request.evidence) { add("evidence", RPCError.FieldProblem.empty, "请写明证明材料：文件、照片存放的地方或证明人。") }
        if !problems.isEmpty { throw DutyError.invalid(problems).saying(zh.joined()) }
        let by = context.principal.actor
        return try await database.idempotentSession(context) { db in
            guard try DutyStore.member(db, member) != nil else { throw DutyError.notFound(field: "member_id", what: "member \(member)") }
            // What a member records waits for staff; they may keep only so much waiting.
            if !context.principal.isOffice, try DutyStore.pendingCount(db, member: member) >= Self.maxPending {
                throw DutyError.exhausted("\(Self.maxPending) of member \(member)'s entries await staff; record more once staff have decided on them")
                    .saying("已有 \(Self.maxPending) 条登记在等待办公室确认；办公室处理后再登记。")
            }
            let year = Int32(request.date.prefix(4)) ?? 0
            try Self.requireOpen(db, year, field: "date")
            var e = DutyV1.Entry()
            e.memberID = member
            e.kind = request.kind
            e.year = year
            e.date = request.date
            e.title = request.title.trimmingCharacters(in: .whitespacesAndNewlines)
            e.evidence = request.evidence
            e.source = "recorded"
            e.status = context.principal.isOffice ? .counted : .pending
            e.history = [DutyStore.change(DutyStore.nowMs, by: by, action: "recorded", note: e.status == .pending ? "awaiting staff" : "")]
            var response = DutyV1.RecordResponse()
            response.entry = try DutyStore.add(db, e, sourceKey: nil)
            return response
        }.reply
    }

    /// Staff decide a pending entry (confirm, reject) or a dispute (uphold, amend, void).
    @Sendable func review(_ request: DutyV1.ReviewRequest, _ context: RPCCallContext) async throws -> DutyV1.ReviewResponse {
        var problems: [(String, String)] = []
        if request.decision == .unspecified || !DutyV1.Decision.allCases.contains(request.decision) {
            problems.append(("decision", "confirm, reject, uphold, amend or void"))
        }
        if request.decision != .confirm && Self.blank(request.note) { problems.append(("note", "say why")) }
        if request.decision == .amend {
            if request.kind == .unspecified && Self.blank(request.date) && Self.blank(request.title) {
                problems.append(("kind", "give the corrected kind, date or title"))
            }
            if !DutyV1.DutyKind.allCases.contains(request.kind) { problems.append(("kind", "unknown kind")) }
            if !Self.blank(request.date) && (request.date.count != 10 || CommitteeClock.parse(request.date) == nil) {
                problems.append(("date", "write YYYY-MM-DD"))
            }
        }
        if !problems.isEmpty { throw DutyError.invalid(problems) }
        let by = context.principal.actor
        return try await database.idempotentSession(context) { db in
            var e = try DutyStore.load(db, request.entryID)
            try Self.requireOpen(db, e.year, field: "entry_id")
            let now = DutyStore.nowMs
            switch request.decision {
            case .confirm, .reject:
                guard e.status == .pending else {
                    throw DutyError.notAllowed(field: "decision", "entry \(e.id) is \(e.status.label), not awaiting staff")
                        .saying("这条履职记录现为「\(e.status.label)」，不在待审核中，不能再确认或退回。")
                }
                e.status = request.decision == .confirm ? .counted : .rejected
            case .uphold, .amend, .void:
                guard e.disputed else {
                    throw DutyError.notAllowed(field: "decision", "entry \(e.id) is not disputed; uphold, amend and void decide a dispute")
                        .saying("委员没有对这条履职记录提出异议；维持、更正和作废是对异议的决定。")
                }
                e.disputed = false
                if request.decision == .void { e.status = .void }
                if request.decision == .amend {
                    var changes: [String] = []
                    if request.kind != .unspecified && request.kind != e.kind { changes.append("\(e.kind.label) → \(request.kind.label)"); e.kind = request.kind }
                    if !Self.blank(request.title) && request.title != e.title { changes.append("《\(e.title)》 → 《\(request.title)》"); e.title = request.title }
                    if !Self.blank(request.date) && request.date != e.date {
                        let year = Int32(request.date.prefix(4)) ?? 0
                        try Self.requireOpen(db, year, field: "date")
                        changes.append("\(e.date) → \(request.date)")
                        e.date = request.date
                        e.year = year
                    }
                    e.history.append(DutyStore.change(now, by: by, action: "amended", note: changes.joined(separator: "；")))
                }
            case .unspecified, .unrecognized:
                break
            }
            let (version, rules) = try DutyStore.rules(db, forYear: e.year)
            let before = e.points
            e.rulesVersion = version
            e.points = DutyStore.points(e, rules)
            e.history.append(DutyStore.change(now, by: by, action: request.decision.identifier,
                                              note: request.note + (before != e.points ? "（\(before) → \(e.points)）" : "")))
            try DutyStore.save(db, e)
            var response = DutyV1.ReviewResponse()
            response.entry = e
            return response
        }.reply
    }

    /// A member disputes an entry of their own; it counts as it is until staff decide.
    @Sendable func dispute(_ request: DutyV1.DisputeRequest, _ context: RPCCallContext) async throws -> DutyV1.DisputeResponse {
        if Self.blank(request.reason) { throw DutyError.invalid([("reason", RPCError.FieldProblem.empty)]) }
        let by = context.principal.actor
        return try await database.idempotentSession(context) { db in
            var e = try DutyStore.load(db, request.entryID)
            try Self.requireOwn(e, context)
            try Self.requireOpen(db, e.year, field: "entry_id")
            guard !e.disputed else {
                throw DutyError.notAllowed(field: "entry_id", "entry \(e.id) is already disputed, awaiting staff")
                    .saying("这条记录已提出过异议，正在等待办公室处理。")
            }
            guard e.status == .counted || e.status == .rejected else {
                throw DutyError.notAllowed(field: "entry_id", "entry \(e.id) is \(e.status.label): nothing to dispute")
                    .saying("这条记录目前为「\(e.status.label)」，没有可以提出异议的内容。")
            }
            e.disputed = true
            e.disputeReason = request.reason
            e.history.append(DutyStore.change(DutyStore.nowMs, by: by, action: "disputed", note: request.reason))
            try DutyStore.save(db, e)
            var response = DutyV1.DisputeResponse()
            response.entry = e
            return response
        }.reply
    }

    /// Closes a year: its entries are computed under the current rules once more and stay so.
    @Sendable func closeYear(_ request: DutyV1.CloseYearRequest, _ context: RPCCallContext) async throws -> DutyV1.CloseYearResponse {
        let year = try Self.year(request.year)
        let thisYear = DutyStore.year(DutyStore.nowMs)
        guard year <= thisYear else { throw DutyError.invalid([("year", "\(year) has not begun")]) }
        let by = context.principal.actor
        return try await database.idempotentSession(context) { db in
            try Self.requireOpen(db, year, field: "year")
            let (version, entries) = try DutyStore.close(db, year: year, by: by, now: DutyStore.nowMs)
            var response = DutyV1.CloseYearResponse()
            response.year = year
            response.rulesVersion = version
            response.entries = entries
            return response
        }.reply
    }
}
