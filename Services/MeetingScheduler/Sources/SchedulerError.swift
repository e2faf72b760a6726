import XieshangLabels
import XieshangService
import XieshangWire

/// What the scheduler refuses (`DomainRefusal`: the one place that maps it to a status code).
public typealias SchedulerError = DomainRefusal

extension DomainRefusal {
    /// A room or required members taken at that time: FAILED_PRECONDITION, each meeting in
    /// the way a violation of `field`.
    static func conflict(field: String, _ message: String, _ conflicts: [MeetingV1.Conflict]) -> DomainRefusal {
        .notAllowedBecause(field: field, message, because: conflicts.map { c in
            (c.meetingID == 0 ? "another booking" : "meeting \(c.meetingID) \(c.meetingTitle)") + " \(CommitteeClock.range(c.startMs, c.endMs))"
                + (c.memberIDs.isEmpty ? "" : ": members \(c.memberIDs.map(String.init).joined(separator: ", "))")
        })
    }

    /// The room is held by another meeting then (one the caller may not know of, id 0, is
    /// named only by its time).
    static func roomTaken(field: String, roomName: String, _ conflicts: [MeetingV1.Conflict]) -> DomainRefusal {
        let first = conflicts.first
        let english = first.map { c in
            (c.meetingID == 0 ? "another booking" : "meeting \(c.meetingID) \(c.meetingTitle)") + " (\(CommitteeClock.range(c.startMs, c.endMs)))"
        } ?? "a meeting that overlaps it"
        let zh = first.map { c in
            "「\(roomName)」在 \(CommitteeClock.range(c.startMs, c.endMs)) " + (c.meetingID == 0 ? "已有其他安排" : "已安排了「\(c.meetingTitle)」")
                + "，时间重叠；请换一个时间或地点。"
        } ?? "「\(roomName)」这段时间已有安排；请换一个时间或地点。"
        return conflict(field: field, "\(roomName) is taken by \(english)", conflicts).saying(zh)
    }
}
