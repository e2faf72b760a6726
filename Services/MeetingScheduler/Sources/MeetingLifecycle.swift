import XieshangLabels
import XieshangWire
import XieshangService

/// What may be done to a meeting in each status, and what status it leads to: the meeting's
/// lifecycle as a table (as `ProposalWorkflow` is the proposal's). The handlers ask it; a
/// refusal names the meeting's status and what that status allows.
///
///     draft ──publish──▶ published ──close──▶ closed
///       └────────cancel─────┴──────▶ cancelled
public enum MeetingLifecycle {
    public enum Action: String, CaseIterable, Sendable {
        case publish, change, cancel, invite, uninvite, setAgenda, enroll, requestLeave, decideLeave, checkIn, close, decideItem

        /// How a refusal says it: "cannot publish meeting 7".
        var verb: String {
            switch self {
            case .publish: "publish"
            case .change: "change"
            case .cancel: "cancel"
            case .invite: "invite to"
            case .uninvite: "change the invitations of"
            case .setAgenda: "change the agenda of"
            case .enroll: "register for"
            case .requestLeave: "ask leave from"
            case .decideLeave: "decide leave for"
            case .checkIn: "check in to"
            case .close: "close"
            case .decideItem: "record a decision at"
            }
        }

        /// How a refusal says it in Chinese: "不能报名".
        var zh: String {
            switch self {
            case .publish: "发布"
            case .change: "修改"
            case .cancel: "取消"
            case .invite: "邀请人员参加"
            case .uninvite: "调整邀请名单"
            case .setAgenda: "修改议程"
            case .enroll: "报名或退出报名"
            case .requestLeave: "请假"
            case .decideLeave: "审批请假"
            case .checkIn: "签到"
            case .close: "结束"
            case .decideItem: "记录议定事项"
            }
        }
    }

    public struct Rule: Sendable {
        /// The statuses the action is allowed from.
        public let from: Set<MeetingV1.MeetingStatus>
        /// The status it leads to; nil leaves the status as it is.
        public let to: MeetingV1.MeetingStatus?
    }

    private static let open: Set<MeetingV1.MeetingStatus> = [.draft, .published]

    public static let table: [Action: Rule] = [
        .publish: Rule(from: [.draft], to: .published),
        .change: Rule(from: open, to: nil),
        .cancel: Rule(from: open, to: .cancelled),
        .invite: Rule(from: open, to: nil),
        .uninvite: Rule(from: open, to: nil),
        .setAgenda: Rule(from: open, to: nil),
        .enroll: Rule(from: [.published], to: nil),
        .requestLeave: Rule(from: [.published], to: nil),
        .decideLeave: Rule(from: [.published], to: nil),
        .checkIn: Rule(from: [.published], to: nil),
        .close: Rule(from: [.published], to: .closed),
        .decideItem: Rule(from: [.published, .closed], to: nil),
    ]

    /// The actions `status` allows, in the table's order.
    public static func allowed(from status: MeetingV1.MeetingStatus) -> [Action] {
        Action.allCases.filter { table[$0]!.from.contains(status) }
    }

    /// Refuses `action` on `meeting` unless its status allows it (FAILED_PRECONDITION).
    public static func require(_ action: Action, _ meeting: MeetingV1.Meeting) throws {
        guard !table[action]!.from.contains(meeting.status) else { return }
        let why = meeting.status == .draft ? "is a draft (publish it first)" : "is already \(meeting.status.identifier)"
        let zh = meeting.status == .draft ? "「\(meeting.title)」还是草稿，尚未发布，现在不能\(action.zh)。"
            : "「\(meeting.title)」\(meeting.status.label)，不能再\(action.zh)。"
        throw SchedulerError.notAllowed(field: "id", "cannot \(action.verb) meeting \(meeting.id): it \(why)").saying(zh)
    }
}
