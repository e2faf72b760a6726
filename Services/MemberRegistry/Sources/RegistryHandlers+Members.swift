import Foundation
import XieshangRPC
import XieshangService
import XieshangLabels
import XieshangWire

extension RegistryHandlers {
    /// Members: changes (each with its audit entry and event), reads, imports and exports.
    static func registerMembers(into h: inout RPCHandlers, database: ServiceDatabase, outbox: EventOutbox) {
        h.register(MemberV1.Members.create, mutating: true) { request, context in
            guard let input = request.member else { throw RegistryError.invalid([("member", RPCError.FieldProblem.missing)]) }
            return try await database.idempotentSession(context) { db in
                try MemberStore.lockForChanges(db)
                var member = MemberRules.normalized(input)
                member.term = try MemberStore.term(db, member.term, field: "member.term")
                let problems = try MemberStore.rules(db).problems(member)
                if !problems.isEmpty { throw RegistryError.invalid(problems) }
                if member.statusDate.isEmpty { member.statusDate = member.joinedDate.isEmpty ? CommitteeClock.today() : member.joinedDate }
                // An addition during the term (增补) is the 常委会's to decide: until then the
                // nominee is not an active member (Members/Decide).
                if member.addedDuringTerm { member.status = .nominated }
                member.decisions = []
                member.resignationRequest = nil
                let created = try MemberStore.insert(db, member)
                try record(db, outbox, context, DomainEvents.memberAdded, created, action: "created", changes: MemberStore.changes(from: nil, to: created))
                var response = MemberV1.CreateMemberResponse()
                response.member = created
                return response
            }.reply
        }

        h.register(MemberV1.Members.update, mutating: true) { request, context in
            guard let input = request.member else { throw RegistryError.invalid([("member", RPCError.FieldProblem.missing)]) }
            return try await database.idempotentSession(context) { db in
                let old = try MemberStore.getForChange(db, id: input.id, field: "member.id")
                var member = MemberRules.normalized(input)
                member.term = old.term
                let problems = try MemberStore.rules(db).problems(member)
                if !problems.isEmpty { throw RegistryError.invalid(problems) }
                let updated = try MemberStore.update(db, member)
                let changes = MemberStore.changes(from: old, to: updated)
                if !changes.isEmpty {
                    try record(db, outbox, context, DomainEvents.memberUpdated, updated, action: "updated", changes: changes)
                }
                var response = MemberV1.UpdateMemberResponse()
                response.member = updated
                return response
            }.reply
        }

        h.register(MemberV1.Members.get) { request, context in
            try context.principal.requireMember(request.id, field: "id")
            var response = MemberV1.GetMemberResponse()
            response.member = try await database.readSession { db in try MemberStore.get(db, id: request.id) }
            return response
        }

        h.register(MemberV1.Members.list) { request, _ in
            var problems: [(String, String)] = []
            if request.pageSize < 0 || request.pageSize > 500 { problems.append(("page_size", "must be between 1 and 500")) }
            if case .unrecognized = request.role { problems.append(("role", "unknown role")) }
            if case .unrecognized = request.status { problems.append(("status", "unknown status")) }
            if !problems.isEmpty { throw RegistryError.invalid(problems) }
            return try await database.readSession { db in try MemberStore.list(db, request) }
        }

        h.register(MemberV1.Members.changeStatus, mutating: true) { request, context in
            var problems: [(String, String)] = []
            let reason = request.reason.trimmingCharacters(in: .whitespaces)
            switch request.status {
            case .deceased, .active: break
            case .resigned, .removed, .nominated:
                problems.append(("status", "a resignation, a removal or an addition is the 常委会's decision: record it with Members/Decide (gateway member decide)"))
            default: problems.append(("status", "must be deceased, or active to correct a mistaken status"))
            }
            if reason.isEmpty { problems.append(("reason", "must say why")) }
            if !request.date.isEmpty, let problem = Check.dateProblem(request.date) { problems.append(("date", "\"\(request.date)\" \(problem)")) }
            if !problems.isEmpty { throw RegistryError.invalid(problems) }
            return try await database.idempotentSession(context) { db in
                let old = try MemberStore.getForChange(db, id: request.id)
                if old.status == .nominated {
                    throw RegistryError.notAllowed(field: "id", "member \(old.id) \(old.name) is nominated (增补): the 常委会 decides an addition (Members/Decide)")
                        .saying("\(old.name)是增补人选：增补由常委会决定（gateway member decide）。")
                }
                if old.status == request.status {
                    throw RegistryError.notAllowed(field: "status", "member \(old.id) \(old.name) is already \(old.status.label)")
                        .saying("\(old.name)已经是\(old.status.label)。")
                }
                try MemberStore.setStatus(db, id: old.id, status: request.status, date: request.date.isEmpty ? CommitteeClock.today() : request.date, reason: reason)
                let updated = try MemberStore.get(db, id: old.id)
                let restored = request.status == .active
                try record(db, outbox, context, restored ? DomainEvents.memberRestored : DomainEvents.memberResigned, updated,
                           action: restored ? "restored" : request.status.identifier, reason: reason,
                           changes: MemberStore.changes(from: old, to: updated))
                var response = MemberV1.ChangeStatusResponse()
                response.member = updated
                return response
            }.reply
        }

        for (method, assign) in [(MemberV1.Members.assignRoom, true), (MemberV1.Members.unassignRoom, false)] {
            h.register(method, mutating: true) { request, context in
                try await database.idempotentSession(context) { db in
                    let old = try MemberStore.getForChange(db, id: request.memberID, field: "member_id")
                    _ = try PlaceStore.room(db, id: request.roomID, field: "room_id")
                    if assign && old.status != .active {
                        throw RegistryError.notAllowed(field: "member_id", "member \(old.id) \(old.name) is \(old.status.label), not 在任")
                            .saying("\(old.name)现为\(old.status.label)，不是在任委员，不能安排到议事室。")
                    }
                    let changed = assign
                        ? try MemberStore.assign(db, member: old.id, room: request.roomID)
                        : try MemberStore.unassign(db, member: old.id, room: request.roomID)
                    let updated = try MemberStore.get(db, id: old.id)
                    if changed {
                        try record(db, outbox, context, assign ? DomainEvents.memberAssigned : DomainEvents.memberUnassigned, updated,
                                   action: assign ? "assigned" : "unassigned", room: request.roomID,
                                   changes: MemberStore.changes(from: old, to: updated))
                    }
                    var response = MemberV1.RoomAssignmentResponse()
                    response.member = updated
                    return response
                }.reply
            }
        }

        h.register(MemberV1.Members.batchGet) { request, _ in
            if request.ids.count > 5_000 { throw RegistryError.invalid([("ids", "at most 5000 ids per call")]) }
            return try await database.readSession { db in
                let ids = Array(Set(request.ids))
                var response = MemberV1.BatchGetMembersResponse()
                guard !ids.isEmpty else { return response }
                response.members = try MemberStore.members(db, ids: ids)
                let found = Set(response.members.map(\.id))
                response.missingIDs = request.ids.filter { !found.contains($0) }
                return response
            }
        }

        h.register(MemberV1.Members.resolveGroup) { request, _ in
            var response = MemberV1.ResolveGroupResponse()
            response.memberIDs = try await database.readSession { db in try MemberStore.resolve(db, request) }
            return response
        }

        h.register(MemberV1.Members.import, mutating: true) { request, context in
            try await MemberImport.run(request, database: database, outbox: outbox, context: context)
        }

        h.register(MemberV1.Members.export) { request, _ in
            if request.pageSize < 0 || request.pageSize > 10_000 { throw RegistryError.invalid([("page_size", "must be between 1 and 10000 (0: 5000)")]) }
            return try await database.readSession { db in
                let term = try MemberStore.term(db, request.term)
                let pageSize = request.pageSize == 0 ? 5000 : Int(request.pageSize)
                // Keyset pages by member number; the first page starts with the header.
                let (members, more) = try MemberStore.members(db, term: term, after: request.pageToken, limit: pageSize)
                var response = MemberV1.ExportMembersResponse()
                var csv = request.pageToken.isEmpty ? MemberCSV.header : ""
                var count = 0
                for member in members {
                    let line = MemberCSV.line(member)
                    // A page also stops at 1 MiB, so it always fits in a message.
                    if count > 0 && csv.utf8.count + line.utf8.count > 1 << 20 { break }
                    csv += line
                    count += 1
                }
                response.csv = Array(csv.utf8)
                response.count = Int32(count)
                if count < members.count || more { response.nextPageToken = members[count - 1].memberNumber }
                return response
            }
        }

        h.register(MemberV1.Members.history) { request, _ in
            var response = MemberV1.MemberHistoryResponse()
            response.entries = try await database.readSession { db in try MemberStore.history(db, member: request.memberID) }
            return response
        }
    }
}
