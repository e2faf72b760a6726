import ArgumentParser
import Foundation
import XieshangLabels
import XieshangWire

extension MeetingV1.MeetingKind: ExpressibleByArgument {}
extension MeetingV1.MeetingMode: ExpressibleByArgument {}
extension MeetingV1.MeetingStatus: ExpressibleByArgument {}
extension MeetingV1.LeaveType: ExpressibleByArgument {}
extension MeetingV1.DocumentKind: ExpressibleByArgument {}
extension MeetingV1.ItemStatus: ExpressibleByArgument {}

/// A time on the command line: `2026-12-01 09:00` in the committee's time zone.
struct Moment: ExpressibleByArgument {
    let ms: Int64
    init?(argument: String) {
        guard let ms = CommitteeClock.parse(argument) else { return nil }
        self.ms = ms
    }
    static var defaultValueDescription: String { "YYYY-MM-DD HH:MM" }
}

/// A group on the command line: `standing-committee`, `sector:教育界`, `room:3`.
struct GroupArgument: ExpressibleByArgument {
    let group: MeetingV1.GroupRef
    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1).map(String.init)
        guard let kind = MemberV1.GroupKind(parsing: parts[0]) else { return nil }
        var group = MeetingV1.GroupRef()
        group.kind = kind
        if parts.count == 2 {
            switch kind {
            case .station, .room:
                guard let id = Int64(parts[1]) else { return nil }
                group.id = id
            default:
                group.name = parts[1]
            }
        }
        self.group = group
    }
}

struct MeetingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meeting",
        abstract: "Meetings (会议): schedule, publish, invite, agenda, leave, check-in, close, find a slot, calendars.",
        subcommands: [Schedule.self, Publish.self, Change.self, Cancel.self, Show.self, List.self, Invite.self, Uninvite.self,
                      Agenda.self, Enroll.self, Leave.self, ApproveLeave.self, CheckIn.self, Close.self, FindSlot.self, ICal.self, Stats.self,
                      Numbering.self, Decide.self])
}

extension Output {
    /// A meeting field by field, then its invitees.
    static func meeting(_ meeting: MeetingV1.Meeting?, _ invitees: [MeetingV1.Invitee]) -> Output {
        let m = meeting ?? MeetingV1.Meeting()
        var table = Table("字段 field", "值 value")
        let groups = m.groups.map { g in g.kind.label + (g.name.isEmpty ? "" : " \(g.name)") + (g.id == 0 ? "" : " \(g.id)") }
        for (field, value) in [
            ("id", String(m.id)), ("名称 name", m.displayName.isEmpty ? m.title : "\(m.displayName)：\(m.title)"),
            ("类别 kind", m.kind.label), ("届 term", String(m.term)), ("时间 time", CommitteeClock.range(m.startMs, m.endMs)),
            ("地点 place", [m.roomName, m.venue].filter { !$0.isEmpty }.joined(separator: " ")),
            ("方式 mode", m.mode.label + (m.onlineLink.isEmpty ? "" : " \(m.onlineLink)")), ("组织 organiser", m.organiser),
            ("状态 status", m.status.label + (m.cancelReason.isEmpty ? "" : "（\(m.cancelReason)）")),
            ("邀请群体 groups", groups.joined(separator: "、")),
            ("报名 registration", m.openRegistration ? "开放报名，\(m.capacity) 座" : "按邀请"),
            ("邀请人数 invitees", String(m.inviteeCount)),
            ("议题 agenda", m.agenda.map(agendaText).joined(separator: "；")),
            ("出席 attendance", m.status == .closed ? attendanceText(m) : ""),
            ("补录 records", m.recordNotes.joined(separator: "；")),
        ] where !value.isEmpty { table.add(field, value) }
        var output = Output(m, table)
        if !invitees.isEmpty {
            output.line("")
            output.add(inviteeTable(invitees))
        }
        return output
    }
}

/// An agenda item as the office writes it: `1. 关于…的报告（60 分钟，张主席）[监督性调研报告：常委会通过，表决 赞成 30 反对 2 弃权 1]`.
func agendaText(_ a: MeetingV1.AgendaItem) -> String {
    "\(a.position). \(a.heading)" + (a.decision.map { "[\($0)]" } ?? "")
}

/// A closed meeting's attendance as offices publish it.
func attendanceText(_ m: MeetingV1.Meeting) -> String {
    let c = m.attendance ?? MeetingV1.AttendanceCount()
    return "应到 \(c.expected)，实到 \(c.present)，请假 \(c.onLeave)，缺席 \(c.absent)，出席率 " + String(format: "%.1f%%", m.attendanceRate * 100)
        + (c.observers > 0 ? "，列席 \(c.observers)" : "") + (c.participants > 0 ? "，参加人员 \(c.participants)" : "")
        + (m.quorumRequired ? (m.quorumMet ? "（达法定人数）" : "（未达法定人数）") : "")
}

func inviteeTable(_ invitees: [MeetingV1.Invitee]) -> Table {
    var table = Table("id", "委员 member", "姓名 name", "单位 organisation", "类别 category", "必到 required", "状态 attendance", "签到码 code")
    for i in invitees {
        table.add(String(i.id), i.memberID == 0 ? "" : String(i.memberID), i.name, i.organisation, i.category.label, i.required ? "是" : "",
                  i.attendance.label + (i.leaveType == .unspecified ? "" : "（\(i.leaveType.label)：\(i.leaveReason)）")
                    + (i.waitlistPosition > 0 ? " #\(i.waitlistPosition)" : ""), i.checkInCode)
    }
    return table
}
