import XieshangRPC
import XieshangWire
import XieshangService

/// What each caller reads of a meeting (README, "What each role reads"), decided here and
/// nowhere else, so every read method (Get, List, Calendar) and every error text that names
/// a meeting applies the same rule:
///
/// - the office (admin, staff) and the other services read everything;
/// - drafts are the office's: to anyone else a draft does not exist (NOT_FOUND, as for an
///   id that was never used, so its existence does not leak either);
/// - a member reads a published, closed or cancelled meeting's public fields (title, kind,
///   number, organiser, place, times, mode, status, agenda, counts); the meeting in full
///   (the online link, minutes and outcomes, the invitees) only when invited, and then
///   every other invitee without their check-in code, leave type, leave reason or check-in
///   time: a member's own code and leave are theirs alone;
/// - the member who runs a room's 协商议事活动 (its convener: SchedulerHandlers+Conveners)
///   reads it as an invitee does, drafts included, whether invited or not;
/// - a unit (a government department) takes part in no meeting as an invitee (invitees are
///   people), so it reads the public fields only.
public enum MeetingVisibility {
    /// Whether `principal` reads meetings in full, drafts included.
    public static func readsEverything(_ principal: Principal) -> Bool {
        principal.isOffice || principal.role == .service
    }

    /// Whether `principal` may know that `meeting` exists (`runs`: they run it as its room's convener).
    public static func mayKnow(_ meeting: MeetingV1.Meeting, _ principal: Principal, runs: Bool = false) -> Bool {
        readsEverything(principal) || meeting.status != .draft || runs
    }

    /// `meeting`, or NOT_FOUND (exactly as for an id never used) when `principal` may not
    /// know it exists.
    public static func require(_ meeting: MeetingV1.Meeting, knownTo principal: Principal, runs: Bool = false, field: String = "id") throws -> MeetingV1.Meeting {
        guard mayKnow(meeting, principal, runs: runs) else { throw SchedulerError.notFound(field: field, what: "meeting \(meeting.id)") }
        return meeting
    }

    /// The meeting as `principal` reads it, given whether they are invited to it; nil when
    /// they may not know it exists.
    public static func meeting(_ meeting: MeetingV1.Meeting, for principal: Principal, invited: Bool, runs: Bool = false) -> MeetingV1.Meeting? {
        guard mayKnow(meeting, principal, runs: runs) else { return nil }
        if readsEverything(principal) { return meeting }
        var visible = meeting
        // What staff recorded outside the meeting's times names staff and their reasons: the office's.
        visible.recordNotes = []
        if invited || runs { return visible }
        visible.onlineLink = ""
        visible.minutes = ""
        visible.outcomes = ""
        return visible
    }

    /// The invitees `principal` reads: all of them for the office; for an invited member
    /// and for the member who runs it the list with only their own codes and leave; nobody
    /// else reads the list.
    public static func invitees(_ invitees: [MeetingV1.Invitee], for principal: Principal, runs: Bool = false) -> [MeetingV1.Invitee] {
        if readsEverything(principal) { return invitees }
        guard let member = principal.memberID, runs || invitees.contains(where: { $0.memberID == member }) else { return [] }
        return invitees.map { invitee in
            guard invitee.memberID != member else { return invitee }
            var other = invitee
            other.checkInCode = ""
            other.leaveType = .unspecified
            other.leaveReason = ""
            other.checkedInAtMs = 0
            return other
        }
    }
}
