import Foundation
import XieshangService
import XieshangLabels
import XieshangWire

/// Events → recipients → text, as a table. Each rule names the event type it reads, who is
/// told, and what they are told (in Chinese, with the meeting's or proposal's details).
public struct NotificationRule: Sendable {
    public typealias Recipient = NotificationV1.Recipient
    public let eventType: String
    public let name: String
    public let recipients: @Sendable (EventV1.Event) throws -> [Recipient]
    public let text: @Sendable (EventV1.Event) throws -> (title: String, body: String)
    /// An iCalendar file to attach to e-mail, for meeting notices.
    public var attachment: (@Sendable (EventV1.Event) throws -> String)? = nil
}

public enum NotificationRules {
    public static let all: [NotificationRule] = [
        meetingRule(DomainEvents.meetingPublished, "会议通知") { m, _ in "\(m.title)。时间：\(when(m))；地点：\(place(m))。请准时参加，如需请假请及时提出。" },
        meetingRule(DomainEvents.meetingChanged, "会议变更") { m, e in "\(m.title)有变更（\(e.changedFields.map(field).joined(separator: "、"))）。时间：\(when(m))；地点：\(place(m))。" },
        meetingRule(DomainEvents.meetingCancelled, "会议取消") { m, e in "\(m.title)（原定\(when(m))）已取消。原因：\(e.reason)" },
        inviteeRule(DomainEvents.invitationAdded, "会议邀请") { m, i in "您已受邀参加\(name(m))：\(m.title)，\(when(m))，\(place(m))。\(i.attendance == .waitlisted ? "目前在候补名单第\(i.waitlistPosition)位。" : "")" },
        inviteeRule(DomainEvents.invitationRemoved, "取消邀请") { m, _ in "您不再需要参加\(name(m))：\(m.title)（\(when(m))）。" },
        inviteeRule(DomainEvents.leaveDecided, "请假审批") { m, i in
            "您对\(name(m))（\(when(m))）的请假申请\(i.attendance == .leaveApproved ? "已批准" : "未获批准，请按时参会")。"
        },
        proposalRule(DomainEvents.proposalFile, "提案立案", to: .proposers) { p, _ in "您的提案《\(p.title)》已立案，编号\(p.number)。" },
        proposalRule(DomainEvents.proposalNotFile, "提案未立案", to: .proposers) { p, t in "您的提案《\(p.title)》经审查不予立案。理由：\(t.reason)" },
        proposalRule(DomainEvents.proposalAssign, "提案交办", to: .proposers) { p, _ in "您的提案\(p.number)《\(p.title)》已交\(p.leadUnitName)主办，办理期限\(day(p.deadlineMs))。" },
        proposalRule(DomainEvents.proposalAssign, "交办通知", to: .units) { p, _ in "提案\(p.number)《\(p.title)》交由贵单位办理，请于\(day(p.deadlineMs))前答复。" },
        proposalRule(DomainEvents.proposalReassign, "交办通知", to: .units) { p, _ in "提案\(p.number)《\(p.title)》重新交由贵单位办理，请于\(day(p.deadlineMs))前答复。" },
        // A reply reaches the proposer when it is sent: at once, or after the assisting
        // units' 会签 (the last countersign); until then the assisting units are asked.
        proposalRule(DomainEvents.proposalReply, "提案答复", to: .proposers, when: sent) { p, _ in replied(p) },
        proposalRule(DomainEvents.proposalCountersign, "提案答复", to: .proposers, when: sent) { p, _ in replied(p) },
        proposalRule(DomainEvents.proposalReply, "答复会签", to: .assistingUnits, when: { p, _ in p.state == .countersigning }) { p, _ in
            "\(p.leadUnitName)拟对提案\(p.number)《\(p.title)》答复如下（\(p.replyClass.label)）：\(p.replyText) 请贵单位会签。"
        },
        proposalRule(DomainEvents.proposalReturnReply, "会签退回", to: .leadUnit) { p, t in
            "协办单位对提案\(p.number)《\(p.title)》的答复未同意会签：\(t.reason)。请修改后重新答复。"
        },
        proposalRule(DomainEvents.proposalReply, "重点提案答复", to: .supervisor, when: sent) { p, _ in supervised(p) },
        proposalRule(DomainEvents.proposalCountersign, "重点提案答复", to: .supervisor, when: sent) { p, _ in supervised(p) },
        proposalRule(DomainEvents.proposalDesignateKey, "重点提案督办", to: .supervisor) { p, _ in
            "主席会议确定提案\(p.number)《\(p.title)》为重点提案，由您领衔督办。主办单位：\(p.leadUnitName.isEmpty ? "待交办" : p.leadUnitName)。"
        },
        proposalRule(DomainEvents.proposalDesignateKey, "重点提案", to: .proposers) { p, _ in
            "您的提案\(p.number)《\(p.title)》被主席会议确定为重点提案，由\(p.supervisorName)领衔督办。"
        },
        proposalRule(DomainEvents.proposalDesignateKey, "重点提案督办", to: .units) { p, _ in
            "提案\(p.number)《\(p.title)》被确定为重点提案，由\(p.supervisorName)领衔督办，请重点办理。"
        },
        proposalRule(DomainEvents.proposalFeedback, "重点提案反馈", to: .supervisor) { p, _ in
            "重点提案\(p.number)《\(p.title)》的提案人反馈：\(p.satisfaction.label)\(p.feedbackNote.isEmpty ? "" : "（\(p.feedbackNote)）")。"
        },
        proposalRule(DomainEvents.proposalFeedback, "重新办理", to: .leadUnit, when: { p, _ in p.state == .inHandling }) { p, _ in
            "委员对提案\(p.number)《\(p.title)》的答复不满意（\(p.feedbackNote)），请重新办理。"
        },
        proposalRule(DomainEvents.proposalRequestExtension, "申请延期", to: .office) { p, t in
            "提案\(p.number)《\(p.title)》的承办单位申请延长办理期限（\(t.changes.first ?? "")）。理由：\(t.reason)。同意请用 gateway proposal act \(p.id) extend。"
        },
        proposalRule(DomainEvents.proposalClose, "提案办结", to: .proposers) { p, _ in "您的提案\(p.number)《\(p.title)》已办结。感谢您的履职。" },
        opinionRule(DomainEvents.opinionAdopt, "社情民意采用") { o in
            "您报送的社情民意信息《\(o.title)》已被采用：\(o.adoptions.last.map { "\($0.level.label)，\($0.usedIn)" } ?? "")。感谢您的履职。"
        },
        opinionRule(DomainEvents.opinionInstruct, "社情民意批示") { o in
            "您报送的社情民意信息《\(o.title)》获\(o.instructions.last?.leader ?? "")批示：\(o.instructions.last?.text ?? "")"
        },
        topicNoticeRule(DomainEvents.topicPublicised, "协商成果公示"),
        topicNoticeRule(DomainEvents.topicFeedback, "协商结果反馈"),
    ]

    /// Applies every rule for the event, and schedules or drops its reminders, in the
    /// consumer's transaction; returns how many notifications it wrote.
    @discardableResult
    public static func apply(_ event: EventV1.Event, _ db: any SQLSession, now: Int64, configuration: NotifierConfiguration = NotifierConfiguration()) throws -> Int {
        var written = 0
        for rule in all where rule.eventType == event.type {
            let recipients = try rule.recipients(event)
            guard !recipients.isEmpty else { continue }
            let (title, body) = try rule.text(event)
            let ics = try rule.attachment?(event) ?? ""
            for recipient in unique(recipients) {
                if try Inboxes.notify(db, recipient, rule: "\(rule.eventType)→\(rule.name)", title: title, body: body,
                                      source: event.source, sequence: Int64(clamping: event.sequence), now: now, configuration: configuration, ics: ics) {
                    written += 1
                }
            }
        }
        try Reminders.schedule(event, db, now: now, configuration: configuration)
        return written
    }

    static func unique(_ recipients: [NotificationV1.Recipient]) -> [NotificationV1.Recipient] {
        var seen = Set<String>()
        return recipients.filter { seen.insert("\($0.kind.rawValue):\($0.id)").inserted }
    }

    // MARK: - Rule makers

    static func meetingRule(_ type: WireEvent<MeetingV1.MeetingEvent>, _ heading: String,
                            _ body: @escaping @Sendable (MeetingV1.Meeting, MeetingV1.MeetingEvent) -> String) -> NotificationRule {
        NotificationRule(eventType: type.name, name: "invitees", recipients: { event in
            try type.payload(of: event).memberIDs.map { member($0) }
        }, text: { event in
            let e = try type.payload(of: event)
            let m = e.meeting ?? MeetingV1.Meeting()
            return ("\(heading)：\(name(m))", body(m, e))
        }, attachment: { event in
            // The same calendar entry as meeting-scheduler's export: same UID, higher SEQUENCE
            // when it changes, STATUS:CANCELLED when it is cancelled.
            let m = try type.payload(of: event).meeting ?? MeetingV1.Meeting()
            return ICalendar.document([m], name: name(m))
        })
    }

    static func inviteeRule(_ type: WireEvent<MeetingV1.InviteeEvent>, _ heading: String,
                            _ body: @escaping @Sendable (MeetingV1.Meeting, MeetingV1.Invitee) -> String) -> NotificationRule {
        NotificationRule(eventType: type.name, name: "invitee", recipients: { event in
            let invitee = try type.payload(of: event).invitee
            return invitee.map { $0.memberID == 0 ? [] : [member($0.memberID)] } ?? []
        }, text: { event in
            let e = try type.payload(of: event)
            let m = e.meeting ?? MeetingV1.Meeting()
            return ("\(heading)：\(name(m))", body(m, e.invitee ?? MeetingV1.Invitee()))
        })
    }

    enum ProposalAudience { case proposers, units, leadUnit, assistingUnits, supervisor, office }

    /// Whether the step sent the reply to the proposer.
    static let sent: @Sendable (ProposalV1.Proposal, ProposalV1.Transition) -> Bool = { p, _ in p.state == .replied }

    static func replied(_ p: ProposalV1.Proposal) -> String {
        "\(p.leadUnitName)已答复您的提案\(p.number)《\(p.title)》（\(p.replyClass.label)）。请在收到答复后反馈意见。"
    }

    static func supervised(_ p: ProposalV1.Proposal) -> String {
        "您领衔督办的重点提案\(p.number)《\(p.title)》已由\(p.leadUnitName)答复（\(p.replyClass.label)）\(p.signoffs.isEmpty ? "" : "，经协办单位会签")。"
    }

    static func proposalRule(_ type: WireEvent<ProposalV1.ProposalEvent>, _ heading: String, to audience: ProposalAudience,
                             when condition: @escaping @Sendable (ProposalV1.Proposal, ProposalV1.Transition) -> Bool = { _, _ in true },
                             _ body: @escaping @Sendable (ProposalV1.Proposal, ProposalV1.Transition) -> String) -> NotificationRule {
        NotificationRule(eventType: type.name, name: "\(audience)", recipients: { event in
            let e = try type.payload(of: event)
            let p = e.proposal ?? ProposalV1.Proposal()
            guard condition(p, e.transition ?? ProposalV1.Transition()) else { return [] }
            switch audience {
            case .proposers:
                return ([p.proposerMemberID].filter { $0 != 0 } + p.cosigners.filter { $0.decision == .signed }.map(\.memberID)).map { member($0) }
            case .units:
                return ([p.leadUnitID] + p.assistingUnitIDs).filter { $0 != 0 }.map { unit($0) }
            case .leadUnit:
                return p.leadUnitID == 0 ? [] : [unit(p.leadUnitID)]
            case .assistingUnits:
                return p.signoffs.filter { $0.decision == .pending }.map { unit($0.unitID) }
            case .supervisor:
                return p.key && p.supervisorMemberID != 0 ? [member(p.supervisorMemberID)] : []
            case .office:
                var staff = NotificationV1.Recipient()
                staff.kind = .staff
                return [staff]
            }
        }, text: { event in
            let e = try ProposalV1.ProposalEvent(decoding: event.payload)
            return ("\(heading)：\(e.proposal?.title ?? "")", body(e.proposal ?? ProposalV1.Proposal(), e.transition ?? ProposalV1.Transition()))
        })
    }

    /// A step of a member's 社情民意 item, told to that member.
    static func opinionRule(_ type: WireEvent<ProposalV1.OpinionEvent>, _ heading: String,
                            _ body: @escaping @Sendable (ProposalV1.Opinion) -> String) -> NotificationRule {
        NotificationRule(eventType: type.name, name: "member", recipients: { event in
            let o = try type.payload(of: event).opinion ?? ProposalV1.Opinion()
            return o.memberID == 0 ? [] : [member(o.memberID)]
        }, text: { event in
            let o = try type.payload(of: event).opinion ?? ProposalV1.Opinion()
            return ("\(heading)：\(o.title)", body(o))
        })
    }

    /// A topic's notice (公开公示, 结果反馈) to the members of its room (or work station), who
    /// tell the residents and participants they met: its text, where it is posted and its days.
    static func topicNoticeRule(_ type: WireEvent<ProposalV1.TopicEvent>, _ heading: String) -> NotificationRule {
        NotificationRule(eventType: type.name, name: "room members", recipients: { event in
            let e = try type.payload(of: event)
            return e.step?.notice == nil ? [] : e.memberIDs.map { member($0) }
        }, text: { event in
            let e = try type.payload(of: event)
            let n = e.step?.notice ?? ProposalV1.TopicNotice()
            return ("\(heading)：\(e.topic?.title ?? "")", "\(n.text)（\(n.postedAt)，\(n.fromDate) 至 \(n.toDate)）")
        })
    }

    // MARK: - Text

    static func member(_ id: Int64) -> NotificationV1.Recipient {
        var r = NotificationV1.Recipient()
        r.kind = .member
        r.id = id
        return r
    }

    static func unit(_ id: Int64) -> NotificationV1.Recipient {
        var r = NotificationV1.Recipient()
        r.kind = .unit
        r.id = id
        return r
    }

    static func name(_ m: MeetingV1.Meeting) -> String { m.displayName.isEmpty ? m.title : m.displayName }

    static func place(_ m: MeetingV1.Meeting) -> String {
        let place = [m.roomName, m.venue].filter { !$0.isEmpty }.joined(separator: " ")
        return m.onlineLink.isEmpty ? place : "\(place) 线上：\(m.onlineLink)"
    }

    static func format(_ ms: Int64, _ pattern: String) -> String { CommitteeClock.format(ms, pattern) }

    static func when(_ m: MeetingV1.Meeting) -> String { "\(format(m.startMs, "yyyy年M月d日 HH:mm"))–\(format(m.endMs, "HH:mm"))" }
    static func day(_ ms: Int64) -> String { format(ms, "yyyy年M月d日") }

    static func field(_ name: String) -> String {
        ["title": "名称", "start": "开始时间", "end": "结束时间", "room": "会议室", "venue": "地点", "mode": "方式",
         "online_link": "线上链接", "organiser": "组织单位", "agenda": "议程"][name] ?? name
    }
}
