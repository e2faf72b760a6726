import XieshangWire

extension DutyV1.DutyKind: ChineseLabelled {
    /// The kind's name in the default rules (the committee's rules file may name it otherwise).
    public var label: String {
        switch self {
        case .meetingAttended: "出席会议"
        case .meetingLeave: "会议请假"
        case .meetingAbsent: "会议缺席"
        case .consultationActivity: "参加协商议事活动"
        case .proposalLed: "领衔提案立案"
        case .proposalCosigned: "附议提案立案"
        case .opinionSubmitted: "报送社情民意"
        case .opinionAdoptedCity: "社情民意市级采用"
        case .opinionAdoptedProvince: "社情民意省级采用"
        case .opinionAdoptedNational: "社情民意全国采用"
        case .opinionInstructed: "社情民意获批示"
        case .plenarySpeech: "大会发言"
        case .writtenSpeech: "书面发言"
        case .inspection: "参加视察"
        case .research: "参加调研"
        case .researchReport: "调研视察报告"
        case .training: "参加培训"
        case .assistance: "帮扶公益活动"
        case .other: "其他履职活动"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .meetingAttended: "meeting-attended"
        case .meetingLeave: "meeting-leave"
        case .meetingAbsent: "meeting-absent"
        case .consultationActivity: "consultation-activity"
        case .proposalLed: "proposal-led"
        case .proposalCosigned: "proposal-cosigned"
        case .opinionSubmitted: "opinion-submitted"
        case .opinionAdoptedCity: "opinion-adopted-city"
        case .opinionAdoptedProvince: "opinion-adopted-province"
        case .opinionAdoptedNational: "opinion-adopted-national"
        case .opinionInstructed: "opinion-instructed"
        case .plenarySpeech: "plenary-speech"
        case .writtenSpeech: "written-speech"
        case .inspection: "inspection"
        case .research: "research"
        case .researchReport: "research-report"
        case .training: "training"
        case .assistance: "assistance"
        case .other: "other"
        case .unspecified, .unrecognized: ""
        }
    }

    /// Kinds staff record (or a member records and staff confirm); the others come from events.
    public var isRecorded: Bool { rawValue >= DutyV1.DutyKind.plenarySpeech.rawValue }
}

extension DutyV1.EntryStatus: ChineseLabelled {
    public var label: String {
        switch self {
        case .counted: "计入"
        case .pending: "待确认"
        case .rejected: "未确认"
        case .void: "已作废"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .counted: "counted"
        case .pending: "pending"
        case .rejected: "rejected"
        case .void: "void"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension DutyV1.Decision: ChineseLabelled {
    public var label: String {
        switch self {
        case .confirm: "确认"
        case .reject: "不予确认"
        case .uphold: "维持"
        case .amend: "更正"
        case .void: "作废"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .confirm: "confirm"
        case .reject: "reject"
        case .uphold: "uphold"
        case .amend: "amend"
        case .void: "void"
        case .unspecified, .unrecognized: ""
        }
    }
}
