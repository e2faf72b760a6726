import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// Registration, leave, check-in and closing: attendance.
extension SchedulerHandlers {
    @Sendable func enroll(_ request: MeetingV1.EnrollRequest, _ context: RPCCallContext) async throws -> MeetingV1.EnrollResponse {
        try context.principal.requireMember(request.memberID, field: "member_id")
        if let stored = try await database.storedReply(context, as: MeetingV1.EnrollResponse.self) { return stored }
        let member = try await registry.knownMembers([request.memberID], field: "member_id")[0]
        return try await database.idempotentSession(context) { [outbox] db in
            let meeting = try MeetingVisibility.require(MeetingStore.load(db, request.meetingID, field: "meeting_id"), knownTo: context.principal, field: "meeting_id")
            guard meeting.openRegistration else {
                throw SchedulerError.notAllowed(field: "meeting_id", "meeting \(meeting.id) takes invitations, not registrations")
                    .saying("「\(meeting.title)」按邀请参加，不接受报名。")
            }
            try MeetingLifecycle.require(.enroll, meeting)
            var invitee = try MeetingStore.invitee(db, meeting: meeting.id, member: member.id)
            if request.withdraw {
                guard var current = invitee, [.registered, .waitlisted, .invited].contains(current.attendance) else {
                    throw SchedulerError.notAllowed(field: "member_id", "member \(member.id) has no place to give up")
                        .saying("没有报名或候补「\(meeting.title)」，无需退出。")
                }
                current.attendance = .withdrawn
                current.waitlistPosition = 0
                try MeetingStore.setAttendance(db, current)
                try promoteWaitlist(db, meeting, outbox, context)
                try inviteeEvent(db, outbox, context, DomainEvents.invitationRemoved, meeting, current, note: "withdrew")
                var response = MeetingV1.EnrollResponse()
                response.invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: current.id)
                return response
            }
            if let current = invitee, [.registered, .waitlisted, .checkedIn].contains(current.attendance) {
                throw SchedulerError.notAllowed(field: "member_id", "member \(member.id) is already \(current.attendance.label)")
                    .saying("报名「\(meeting.title)」的状态已是「\(current.attendance.label)」，无需再报名。")
            }
            let seated = try MeetingStore.seated(db, meeting: meeting.id)
            let nextWait = try MeetingStore.nextWaitlistPosition(db, meeting: meeting.id)
            if invitee == nil {
                invitee = try addMember(db, meeting, member.id, member, fromGroup: false, required: false)
            }
            var current = invitee!
            if seated < Int(meeting.capacity) {
                current.attendance = .registered
                current.waitlistPosition = 0
            } else {
                current.attendance = .waitlisted
                current.waitlistPosition = nextWait
            }
            try MeetingStore.setAttendance(db, current)
            current = try MeetingStore.invitee(db, meeting: meeting.id, id: current.id)
            try inviteeEvent(db, outbox, context, DomainEvents.invitationAdded, meeting, current, note: current.attendance.identifier)
            var response = MeetingV1.EnrollResponse()
            response.invitee = current
            return response
        }.reply
    }

    @Sendable func requestLeave(_ request: MeetingV1.RequestLeaveRequest, _ context: RPCCallContext) async throws -> MeetingV1.RequestLeaveResponse {
        var problems: [(String, String)] = []
        switch request.type {
        case .businessTrip, .abroad, .illness, .officialDuty, .other: break
        default: problems.append(("type", "must be one of \(MeetingV1.LeaveType.spellings)"))
        }
        if request.reason.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("reason", RPCError.FieldProblem.empty)) }
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        return try await database.idempotentSession(context) { [outbox] db in
            let meeting = try MeetingVisibility.require(MeetingStore.load(db, request.meetingID, field: "meeting_id"), knownTo: context.principal, field: "meeting_id")
            try MeetingLifecycle.require(.requestLeave, meeting)
            var invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: request.inviteeID)
            try context.principal.requireMember(invitee.memberID, field: "invitee_id")
            guard [.invited, .registered].contains(invitee.attendance) else {
                throw SchedulerError.notAllowed(field: "invitee_id", "invitee \(invitee.id) \(invitee.name) is \(invitee.attendance.label)")
                    .saying("\(invitee.name)参加「\(meeting.title)」已是「\(invitee.attendance.label)」，不能再请假：已邀请或已报名时才能请假。")
            }
            invitee.attendance = .leaveRequested
            invitee.leaveType = request.type
            invitee.leaveReason = request.reason.trimmingCharacters(in: .whitespaces)
            invitee = try MeetingStore.setAttendance(db, invitee)
            try inviteeEvent(db, outbox, context, DomainEvents.leaveRequested, meeting, invitee)
            var response = MeetingV1.RequestLeaveResponse()
            response.invitee = invitee
            return response
        }.reply
    }

    @Sendable func decideLeave(_ request: MeetingV1.DecideLeaveRequest, _ context: RPCCallContext) async throws -> MeetingV1.DecideLeaveResponse {
        try await database.idempotentSession(context) { [outbox] db in
            let meeting = try MeetingVisibility.require(MeetingStore.load(db, request.meetingID, field: "meeting_id"), knownTo: context.principal, field: "meeting_id")
            try MeetingLifecycle.require(.decideLeave, meeting)
            var invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: request.inviteeID)
            guard invitee.attendance == .leaveRequested else {
                throw SchedulerError.notAllowed(field: "invitee_id", "invitee \(invitee.id) \(invitee.name) has not asked for leave")
                    .saying("\(invitee.name)没有请假待批，无需审批。")
            }
            invitee.attendance = request.approve ? .leaveApproved : (meeting.openRegistration ? .registered : .invited)
            invitee = try MeetingStore.setAttendance(db, invitee)
            try inviteeEvent(db, outbox, context, DomainEvents.leaveDecided, meeting, invitee, note: request.approve ? "approved" : "rejected: \(request.note)")
            var response = MeetingV1.DecideLeaveResponse()
            response.invitee = invitee
            return response
        }.reply
    }

    @Sendable func checkIn(_ request: MeetingV1.CheckInRequest, _ context: RPCCallContext) async throws -> MeetingV1.CheckInResponse {
        if (request.inviteeID == 0) == request.code.isEmpty {
            throw SchedulerError.invalid([("invitee_id", "give either the invitee's id (staff) or the invitee's code")])
        }
        let runner = try await runner(ofMeeting: request.meetingID, context, action: .checkIn, field: "meeting_id")
        return try await database.idempotentSession(context) { db in
            let meeting = try stillRun(db, request.meetingID, by: runner, context, field: "meeting_id")
            try MeetingLifecycle.require(.checkIn, meeting)
            let now = Date.nowMs
            if let early = MeetingRules.checkInTooEarly(meeting, now: now, opensBefore: checkInOpens) {
                try recordOutsideTimes(db, meeting, context, reason: request.recordReason, refusal: early, what: "recorded a check-in early")
            }
            var invitee: MeetingV1.Invitee
            if request.inviteeID != 0 {
                invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: request.inviteeID)
            } else {
                guard let found = try MeetingStore.invitee(db, meeting: meeting.id, code: request.code) else {
                    throw SchedulerError.notFound(field: "code", what: "an invitee of meeting \(meeting.id) with this code")
                }
                invitee = found
            }
            switch invitee.attendance {
            case .checkedIn:
                throw SchedulerError.notAllowed(field: "invitee_id", "\(invitee.name) checked in at \(CommitteeClock.minute(invitee.checkedInAtMs))")
                    .saying("\(invitee.name)已于 \(CommitteeClock.minute(invitee.checkedInAtMs)) 签到。")
            case .waitlisted, .withdrawn:
                throw SchedulerError.notAllowed(field: "invitee_id", "\(invitee.name) is \(invitee.attendance.label), without a seat")
                    .saying("\(invitee.name)是「\(invitee.attendance.label)」，没有席位，不能签到。")
            default: break
            }
            invitee.attendance = .checkedIn
            invitee.checkedInAtMs = Date.nowMs
            var response = MeetingV1.CheckInResponse()
            response.invitee = try MeetingStore.setAttendance(db, invitee)
            return response
        }.reply
    }

    @Sendable func close(_ request: MeetingV1.CloseMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.CloseMeetingResponse {
        let runner = try await runner(ofMeeting: request.id, context, action: .close, field: "id")
        return try await database.idempotentSession(context) { [outbox] db in
            var meeting = try stillRun(db, request.id, by: runner, context, field: "id")
            try MeetingLifecycle.require(.close, meeting)
            if let early = MeetingRules.closeTooEarly(meeting, now: Date.nowMs) {
                try recordOutsideTimes(db, meeting, context, reason: request.recordReason, refusal: early, what: "closed it before its recorded start")
                meeting = try MeetingStore.load(db, meeting.id)
            }
            var invitees = try MeetingStore.invitees(db, meeting.id)
            for index in invitees.indices {
                let closing = MeetingRules.closingAttendance(invitees[index])
                guard closing != invitees[index].attendance else { continue }
                invitees[index].attendance = closing
                try MeetingStore.setAttendance(db, invitees[index])
            }
            let count = MeetingRules.attendance(invitees)
            let present = invitees.filter { $0.attendance == .checkedIn }.map(\.name)
            try noteConvener(db, meeting.id, runner: runner, context,
                             did: "closed it, attesting \(present.count) present" + (present.isEmpty ? "" : " (\(present.joined(separator: "、")))"))
            meeting.status = .closed
            meeting.minutes = request.minutes
            meeting.outcomes = request.outcomes
            meeting.attendance = count
            meeting.attendanceRate = MeetingRules.attendanceRate(count)
            meeting.quorumRequired = MeetingRules.requiresQuorum(meeting.kind)
            meeting.quorumMet = meeting.quorumRequired && MeetingRules.quorumMet(count)
            meeting = try MeetingStore.save(db, meeting)
            // Each member invitee's attendance as closed: what the duty record counts.
            let records = invitees.filter { $0.memberID != 0 }.map { invitee in
                var record = MeetingV1.AttendanceRecord()
                record.memberID = invitee.memberID
                record.attendance = invitee.attendance
                record.required = MeetingRules.counted(invitee)
                return record
            }
            try meetingEvent(db, outbox, context, DomainEvents.meetingClosed, meeting, attendance: records)
            var response = MeetingV1.CloseMeetingResponse()
            response.meeting = meeting
            response.expected = count.expected
            response.present = count.present
            response.onLeave = count.onLeave
            response.absent = count.absent
            return response
        }.reply
    }

    /// Outside the meeting's times only staff may record, saying why; the reason is kept
    /// with the meeting. Anyone else, or staff without a reason, gets `refusal`.
    func recordOutsideTimes(_ db: any SQLSession, _ meeting: MeetingV1.Meeting, _ context: RPCCallContext, reason: String,
                            refusal: MeetingRules.TooEarly, what: String) throws {
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard context.principal.isOffice, !reason.isEmpty else {
            let office = context.principal.isOffice
            throw SchedulerError.notAllowed(field: "meeting_id", refusal.text + (office ? "; staff recording a meeting held otherwise give a record reason" : ""))
                .saying(refusal.zh + (office ? "办公室补记在其他时间举行的活动，请写明补记原因（--record-reason）。" : ""))
        }
        try MeetingStore.addRecordNote(db, meeting.id, what: what, reason: reason,
                                       MeetingRules.recordNote(what, by: context.principal.actor, at: Date.nowMs, reason: reason))
    }
}
