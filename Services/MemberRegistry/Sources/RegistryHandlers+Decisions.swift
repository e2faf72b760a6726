import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// Resignations and additions as the committee handles them: a member asks to resign
/// (申请辞去) and stays 在任; a nominee for 增补 is not yet a member; the 常委会 decides each,
/// and the decision is recorded with its meeting, date and reason (docs/DOMAIN.md, "Members").
extension RegistryHandlers {
    static func registerDecisions(into h: inout RPCHandlers, database: ServiceDatabase, outbox: EventOutbox) {
        h.register(MemberV1.Members.requestResignation, mutating: true) { request, context in
            let reason = request.reason.trimmingCharacters(in: .whitespaces)
            if !request.withdraw && reason.isEmpty { throw RegistryError.invalid([("reason", "must say why")]) }
            if !request.date.isEmpty, let problem = Check.dateProblem(request.date) {
                throw RegistryError.invalid([("date", "\"\(request.date)\" \(problem)")])
            }
            return try await database.idempotentSession(context) { db in
                let old = try MemberStore.getForChange(db, id: request.id)
                guard old.status == .active else {
                    throw RegistryError.notAllowed(field: "id", "member \(old.id) \(old.name) is \(old.status.label), not 在任")
                        .saying("\(old.name)现为\(old.status.label)，不是在任委员。")
                }
                if request.withdraw {
                    guard old.resignationRequest != nil else {
                        throw RegistryError.notAllowed(field: "id", "member \(old.id) \(old.name) has not asked to resign")
                            .saying("\(old.name)没有提出辞去委员的申请，无可撤回。")
                    }
                    try MemberStore.setResignationRequest(db, id: old.id, nil)
                } else {
                    guard old.resignationRequest == nil else {
                        throw RegistryError.notAllowed(field: "id", "member \(old.id) \(old.name) has already asked to resign; the 常委会 decides it")
                            .saying("\(old.name)已经提出辞去委员的申请，待常委会决定。")
                    }
                    var pending = MemberV1.ResignationRequest()
                    pending.date = request.date.isEmpty ? CommitteeClock.today() : request.date
                    pending.reason = reason
                    try MemberStore.setResignationRequest(db, id: old.id, pending)
                }
                let updated = try MemberStore.get(db, id: old.id)
                try record(db, outbox, context, DomainEvents.memberUpdated, updated,
                           action: request.withdraw ? "resignation withdrawn" : "resignation requested", reason: reason,
                           changes: MemberStore.changes(from: old, to: updated))
                var response = MemberV1.RequestResignationResponse()
                response.member = updated
                return response
            }.reply
        }

        h.register(MemberV1.Members.decide, mutating: true) { request, context in
            guard var decision = request.decision else { throw RegistryError.invalid([("decision", RPCError.FieldProblem.missing)]) }
            decision.meeting = decision.meeting.trimmingCharacters(in: .whitespaces)
            decision.note = decision.note.trimmingCharacters(in: .whitespaces)
            var problems: [(String, String)] = []
            switch decision.kind {
            case .acceptResignation, .confirmAddition: break
            case .remove, .decline: if decision.note.isEmpty { problems.append(("decision.note", "must say why")) }
            case .unspecified, .unrecognized: problems.append(("decision.kind", "must be accept-resignation, remove, confirm-addition or decline"))
            }
            if decision.meeting.isEmpty { problems.append(("decision.meeting", "name the 常委会会议 that decided it")) }
            if decision.date.isEmpty { decision.date = CommitteeClock.today() }
            if let problem = Check.dateProblem(decision.date) { problems.append(("decision.date", "\"\(decision.date)\" \(problem)")) }
            if !problems.isEmpty { throw RegistryError.invalid(problems) }
            let ready = decision
            return try await database.idempotentSession(context) { db in
                let old = try MemberStore.getForChange(db, id: request.id)
                let (status, reason) = try Self.outcome(of: ready, for: old)
                if let status {
                    try MemberStore.setStatus(db, id: old.id, status: status, date: ready.date, reason: reason)
                    if status == .active { try MemberStore.setAddedDuringTerm(db, id: old.id) }
                }
                if old.resignationRequest != nil { try MemberStore.setResignationRequest(db, id: old.id, nil) }
                try MemberStore.addDecision(db, id: old.id, ready)
                let updated = try MemberStore.get(db, id: old.id)
                let left = status == .resigned || status == .removed
                try record(db, outbox, context, left ? DomainEvents.memberResigned : DomainEvents.memberDecided, updated,
                           action: ready.kind.identifier, reason: "\(ready.meeting) \(ready.kind.label)" + (ready.note.isEmpty ? "" : "：\(ready.note)"),
                           changes: MemberStore.changes(from: old, to: updated))
                var response = MemberV1.DecideResponse()
                response.member = updated
                return response
            }.reply
        }
    }

    /// What a decision does to the member: the new status (nil: none) and its reason; a
    /// decision that does not fit the member's state is refused.
    static func outcome(of decision: MemberV1.PersonnelDecision, for member: MemberV1.Member) throws
        -> (status: MemberV1.MemberStatus?, reason: String) {
        let who = "member \(member.id) \(member.name)"
        switch decision.kind {
        case .acceptResignation:
            guard member.status == .active, let pending = member.resignationRequest else {
                throw RegistryError.notAllowed(field: "id", "\(who) has not asked to resign (gateway member resign)")
                    .saying("\(member.name)没有提出辞去委员的申请（先登记申请：gateway member resign）。")
            }
            guard decision.date >= pending.date else {
                throw RegistryError.notAllowed(field: "decision.date", "\(who) asked to resign on \(pending.date), after the decision's date \(decision.date)")
                    .saying("\(member.name)于 \(pending.date) 提出辞去申请，晚于决定日期 \(decision.date)。")
            }
            return (.resigned, pending.reason)
        case .remove:
            guard member.status == .active || member.status == .nominated else {
                throw RegistryError.notAllowed(field: "id", "\(who) is \(member.status.label), not 在任")
                    .saying("\(member.name)现为\(member.status.label)，不是在任委员。")
            }
            return (.removed, decision.note)
        case .confirmAddition:
            guard member.status == .nominated else {
                throw RegistryError.notAllowed(field: "id", "\(who) is \(member.status.label), not nominated for 增补")
                    .saying("\(member.name)现为\(member.status.label)，不是增补人选。")
            }
            return (.active, "增补")
        case .decline:
            if member.status == .nominated { return (.removed, "增补未获通过：\(decision.note)") }
            guard member.status == .active, member.resignationRequest != nil else {
                throw RegistryError.notAllowed(field: "id", "\(who) has no request or nomination to decline")
                    .saying("\(member.name)没有待决定的辞去申请或增补提名。")
            }
            return (nil, decision.note)
        case .unspecified, .unrecognized:
            throw RegistryError.invalid([("decision.kind", "unknown decision")])
        }
    }
}
