import Foundation
import XieshangService
import XieshangLabels
import XieshangWire

/// The other services' events as entries of the members' records (docs/DOMAIN.md, "履职"):
/// which event makes which kind of duty, for whom. Applied by the event consumers in the
/// transaction that moves their cursor, so each fact is recorded once; each entry also names
/// its fact (`source_key`), so the same fact never counts twice.
public enum DutyLedger {
    public static func apply(_ event: EventV1.Event, _ db: any SQLSession, now: Int64) throws {
        switch event.type {
        case DomainEvents.memberAdded.name, DomainEvents.memberUpdated.name, DomainEvents.memberResigned.name,
             DomainEvents.memberRestored.name, DomainEvents.memberDecided.name:
            if let member = try MemberV1.MemberEvent(decoding: event.payload).member { try DutyStore.upsert(db, member) }
        case DomainEvents.meetingClosed.name:
            try meetingClosed(try DomainEvents.meetingClosed.payload(of: event), db, now: now)
        case DomainEvents.proposalFile.name:
            try proposalFiled(try DomainEvents.proposalFile.payload(of: event), db, now: now)
        case DomainEvents.opinionSubmit.name, DomainEvents.opinionAdopt.name, DomainEvents.opinionInstruct.name:
            try opinion(event.type, try ProposalV1.OpinionEvent(decoding: event.payload), db, now: now)
        default:
            break
        }
    }

    static func entry(_ member: Int64, _ kind: DutyV1.DutyKind, at ms: Int64, title: String, source: String, reference: String, now: Int64) -> DutyV1.Entry {
        var e = DutyV1.Entry()
        e.memberID = member
        e.kind = kind
        e.year = DutyStore.year(ms)
        e.date = CommitteeClock.day(ms)
        e.title = title
        e.source = source
        e.reference = reference
        e.status = .counted
        e.history = [DutyStore.change(now, by: source, action: "recorded", note: reference)]
        return e
    }

    /// A meeting closed: each member invitee present, on leave, or absent (when required). A
    /// 协商议事活动 attended counts as a consultation activity; a 列席 invitee who came, as attended.
    static func meetingClosed(_ e: MeetingV1.MeetingEvent, _ db: any SQLSession, now: Int64) throws {
        guard let m = e.meeting else { return }
        let name = m.displayName.isEmpty ? m.title : "\(m.displayName)：\(m.title)"
        for record in e.attendance where record.memberID != 0 {
            let kind: DutyV1.DutyKind
            switch record.attendance {
            case .checkedIn: kind = m.kind == .grassroots ? .consultationActivity : .meetingAttended
            case .leaveApproved where record.required: kind = .meetingLeave
            case .absent where record.required: kind = .meetingAbsent
            default: continue
            }
            try DutyStore.add(db, entry(record.memberID, kind, at: m.startMs, title: name, source: "meeting-scheduler", reference: "会议 \(m.id)", now: now),
                              sourceKey: "meeting:\(m.id):member:\(record.memberID)")
        }
    }

    /// A proposal filed: its proposing member leads it, each member who signed co-signs it.
    static func proposalFiled(_ e: ProposalV1.ProposalEvent, _ db: any SQLSession, now: Int64) throws {
        guard let p = e.proposal else { return }
        let at = e.transition?.atMs ?? now
        let reference = "提案 \(p.number.isEmpty ? String(p.id) : p.number)"
        if p.proposerMemberID != 0 {
            try DutyStore.add(db, entry(p.proposerMemberID, .proposalLed, at: at, title: p.title, source: "proposal-tracker", reference: reference, now: now),
                              sourceKey: "proposal:\(p.id):led:\(p.proposerMemberID)")
        }
        for c in p.cosigners where c.decision == .signed && c.memberID != p.proposerMemberID {
            try DutyStore.add(db, entry(c.memberID, .proposalCosigned, at: at, title: p.title, source: "proposal-tracker", reference: reference, now: now),
                              sourceKey: "proposal:\(p.id):cosigned:\(c.memberID)")
        }
    }

    /// 社情民意: submitted, adopted at a level (once per level), instructed on (once per instruction).
    static func opinion(_ type: String, _ e: ProposalV1.OpinionEvent, _ db: any SQLSession, now: Int64) throws {
        guard let o = e.opinion, o.memberID != 0 else { return }
        let at = e.step?.atMs ?? now
        let reference = "社情民意 \(o.id)"
        func add(_ kind: DutyV1.DutyKind, _ key: String) throws {
            try DutyStore.add(db, entry(o.memberID, kind, at: at, title: o.title, source: "proposal-tracker", reference: reference, now: now),
                              sourceKey: "opinion:\(o.id):\(key)")
        }
        switch type {
        case DomainEvents.opinionSubmit.name:
            try add(.opinionSubmitted, "submitted")
        case DomainEvents.opinionAdopt.name:
            guard let level = o.adoptions.last?.level else { return }
            let kind: DutyV1.DutyKind = level == .national ? .opinionAdoptedNational : level == .province ? .opinionAdoptedProvince : .opinionAdoptedCity
            try add(kind, "adopted:\(level.identifier)")
        case DomainEvents.opinionInstruct.name:
            try add(.opinionInstructed, "instructed:\(o.instructions.count)")
        default:
            break
        }
    }
}
