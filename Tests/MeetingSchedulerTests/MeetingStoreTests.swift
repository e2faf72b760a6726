import Foundation
import MeetingScheduler
import Testing
import XieshangService
import XieshangWire

/// The store's writes return what they stored, without reading it back.
@Suite("the meeting store")
struct MeetingStoreTests {
    @Test("an added invitee is returned exactly as stored, with a six-digit code of its own in the meeting")
    func addedInviteeAsStored() async throws {
        let database = try ServiceDatabase.inMemory(migrations: SchedulerSchema.migrations)
        let checked = try await database.writeSession { db -> (Int, Set<String>) in
            var meeting = MeetingV1.Meeting()
            meeting.title = "委员活动"
            meeting.kind = .inspection
            meeting.term = 5
            meeting.startMs = 1_800_000_000_000
            meeting.endMs = 1_800_003_600_000
            meeting.mode = .inPerson
            meeting.venue = "市政协"
            let id = try MeetingStore.insert(db, meeting)
            var codes = Set<String>()
            var matching = 0
            for n in 1...200 {
                var invitee = MeetingV1.Invitee()
                invitee.meetingID = id
                invitee.memberID = n % 2 == 0 ? Int64(n) : 0
                invitee.name = "委员\(n)"
                invitee.category = n % 2 == 0 ? .member : .stakeholder
                invitee.required = n % 3 == 0
                invitee.attendance = .invited
                // Fields the insert does not write come back as the table's defaults.
                invitee.leaveReason = "not written"
                invitee.checkedInAtMs = 5
                let added = try MeetingStore.addInvitee(db, invitee)
                if added == (try MeetingStore.invitee(db, meeting: id, id: added.id)) { matching += 1 }
                codes.insert(added.checkInCode)
            }
            return (matching, codes)
        }
        #expect(checked.0 == 200)
        #expect(checked.1.count == 200 && checked.1.allSatisfy { $0.count == 6 && $0.allSatisfy(\.isNumber) })
    }
}
