import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// The annual consultation plan (年度协商计划): its items, and the meetings that carry them out
/// (docs/DOMAIN.md, "The annual consultation plan").
extension SchedulerHandlers {
    /// The most items one year's plan holds.
    static let maxPlanItems = 200

    /// What is wrong with a new plan item.
    static func planProblems(_ item: MeetingV1.PlanItem) -> [(field: String, problem: String)] {
        var problems: [(String, String)] = []
        if !(2000...2100).contains(item.year) { problems.append(("item.year", "must be a year from 2000 to 2100, not \(item.year)")) }
        if !(1...4).contains(item.quarter) { problems.append(("item.quarter", "must be 1 to 4, not \(item.quarter)")) }
        if item.kind == .unspecified || !MeetingV1.MeetingKind.allCases.contains(item.kind) {
            problems.append(("item.kind", "must be one of \(MeetingV1.MeetingKind.spellings)"))
        }
        if item.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append(("item.title", RPCError.FieldProblem.empty)) }
        if item.lead.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("item.lead", "say who leads it (办公室, or a special committee)")) }
        return problems
    }

    @Sendable func addPlanItem(_ request: MeetingV1.AddPlanItemRequest, _ context: RPCCallContext) async throws -> MeetingV1.AddPlanItemResponse {
        guard var item = request.item else { throw SchedulerError.invalid([("item", RPCError.FieldProblem.missing)]) }
        item.title = item.title.trimmingCharacters(in: .whitespacesAndNewlines)
        item.lead = item.lead.trimmingCharacters(in: .whitespaces)
        let problems = Self.planProblems(item)
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        let ready = item
        return try await database.idempotentSession(context) { db in
            // A year's plan has tens of items; the cap keeps every listing of it bounded.
            let count = try MeetingStore.planItemCount(db, year: ready.year)
            guard count < Self.maxPlanItems else {
                throw SchedulerError.notAllowed(field: "item.year", "the plan for \(ready.year) has \(count) items, the most a year takes")
                    .saying("\(ready.year) 年度协商计划已有 \(count) 项，已达上限。")
            }
            var response = MeetingV1.AddPlanItemResponse()
            response.item = try MeetingStore.addPlanItem(db, ready)
            return response
        }.reply
    }

    @Sendable func listPlan(_ request: MeetingV1.ListPlanRequest, _ context: RPCCallContext) async throws -> MeetingV1.ListPlanResponse {
        if request.id != 0 {
            return try await database.readSession { db in
                guard let item = try MeetingStore.planItems(db, id: request.id).first else {
                    throw SchedulerError.notFound(field: "id", what: "plan item \(request.id)")
                }
                var response = MeetingV1.ListPlanResponse()
                response.items = [item]
                return response
            }
        }
        guard (2000...2100).contains(request.year) else {
            throw SchedulerError.invalid([("year", "must be a year from 2000 to 2100, not \(request.year)")])
        }
        return try await database.readSession { db in
            var response = MeetingV1.ListPlanResponse()
            response.items = try MeetingStore.planItems(db, year: request.year)
            return response
        }
    }

    /// A meeting scheduled for a plan item must be of its year; the item must exist.
    static func checkPlanItem(_ db: any SQLSession, _ meeting: MeetingV1.Meeting) throws {
        guard meeting.planItemID != 0 else { return }
        guard let item = try MeetingStore.planItems(db, id: meeting.planItemID).first else {
            throw SchedulerError.notFound(field: "meeting.plan_item_id", what: "plan item \(meeting.planItemID)")
        }
        let year = CommitteeClock.calendar.component(.year, from: Date(timeIntervalSince1970: Double(meeting.startMs) / 1000))
        guard Int32(year) == item.year else {
            throw SchedulerError.invalid([("meeting.plan_item_id", "plan item \(item.id) is in the plan for \(item.year); this meeting is in \(year)")])
        }
    }
}
