import XieshangWire

extension MeetingV1.MeetingKind: ChineseLabelled {
    public var label: String {
        switch self {
        case .chairpersonsCouncil: "主席会议"
        case .standingCommittee: "常委会会议"
        case .thematicStanding: "专题议政性常委会会议"
        case .bimonthlyForum: "双月协商座谈会"
        case .sectorConsultation: "界别协商"
        case .counterpartConsultation: "对口协商会"
        case .proposalHandling: "提案办理协商会"
        case .specialCommittee: "专委会会议"
        case .plenary: "全体委员会议"
        case .grassroots: "协商议事活动"
        case .inspection: "视察"
        case .research: "调研"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .chairpersonsCouncil: "chairpersons-council"
        case .standingCommittee: "standing-committee"
        case .thematicStanding: "thematic-standing"
        case .bimonthlyForum: "bimonthly-forum"
        case .sectorConsultation: "sector-consultation"
        case .counterpartConsultation: "counterpart-consultation"
        case .proposalHandling: "proposal-handling"
        case .specialCommittee: "special-committee"
        case .plenary: "plenary"
        case .grassroots: "grassroots"
        case .inspection: "inspection"
        case .research: "research"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MeetingV1.MeetingMode: ChineseLabelled {
    public var label: String {
        switch self {
        case .inPerson: "现场"
        case .online: "线上"
        case .hybrid: "线上线下"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .inPerson: "in-person"
        case .online: "online"
        case .hybrid: "hybrid"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MeetingV1.MeetingStatus: ChineseLabelled {
    public var label: String {
        switch self {
        case .draft: "草稿"
        case .published: "已发布"
        case .closed: "已结束"
        case .cancelled: "已取消"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .draft: "draft"
        case .published: "published"
        case .closed: "closed"
        case .cancelled: "cancelled"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MeetingV1.Attendance: ChineseLabelled {
    public var label: String {
        switch self {
        case .invited: "已邀请"
        case .registered: "已报名"
        case .waitlisted: "候补"
        case .leaveRequested: "请假待批"
        case .leaveApproved: "已准假"
        case .checkedIn: "已签到"
        case .absent: "缺席"
        case .withdrawn: "已退出"
        case .notAttending: "未到（列席，不计缺席）"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .invited: "invited"
        case .registered: "registered"
        case .waitlisted: "waitlisted"
        case .leaveRequested: "leave-requested"
        case .leaveApproved: "leave-approved"
        case .checkedIn: "checked-in"
        case .absent: "absent"
        case .withdrawn: "withdrawn"
        case .notAttending: "not-attending"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MeetingV1.LeaveType: ChineseLabelled {
    public var label: String {
        switch self {
        case .businessTrip: "出差"
        case .abroad: "出国"
        case .illness: "生病"
        case .officialDuty: "公务"
        case .other: "其他"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .businessTrip: "business-trip"
        case .abroad: "abroad"
        case .illness: "illness"
        case .officialDuty: "official-duty"
        case .other: "other"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MeetingV1.ParticipantCategory: ChineseLabelled {
    public var label: String {
        switch self {
        case .member: "委员"
        case .stakeholder: "利益相关方"
        case .residentRepresentative: "群众代表"
        case .departmentOfficial: "部门负责人"
        case .deputy: "人大代表"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .member: "member"
        case .stakeholder: "stakeholder"
        case .residentRepresentative: "resident"
        case .departmentOfficial: "official"
        case .deputy: "deputy"
        case .unspecified, .unrecognized: ""
        }
    }
}

/// Chinese numerals for ordinals: 5 → 五, 12 → 十二, 21 → 二十一.
public func chineseNumber(_ n: Int) -> String {
    let digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
    guard n > 0 else { return digits[0] }
    if n < 10 { return digits[n] }
    if n < 20 { return "十" + (n % 10 == 0 ? "" : digits[n % 10]) }
    if n < 100 { return digits[n / 10] + "十" + (n % 10 == 0 ? "" : digits[n % 10]) }
    return String(n)
}

extension MeetingV1.Meeting {
    /// How the committee names a published meeting: 五届五次主席会议.
    public var ordinalName: String {
        guard ordinal > 0, term > 0 else { return title }
        // The plenary is the term's session itself: 五届五次会议.
        return "\(chineseNumber(Int(term)))届\(chineseNumber(Int(ordinal)))次\(kind == .plenary ? "会议" : kind.label)"
    }
}

extension MeetingV1.DocumentKind: ChineseLabelled {
    public var label: String {
        switch self {
        case .supervisionReport: "监督性调研报告"
        case .sectorConsultationReport: "界别协商报告"
        case .bimonthlyConsultationReport: "双月协商报告"
        case .inspectionReport: "视察报告"
        case .consultationPlan: "年度协商计划"
        case .personnel: "人事事项"
        case .other: "其他文件"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .supervisionReport: "supervision-report"
        case .sectorConsultationReport: "sector-consultation-report"
        case .bimonthlyConsultationReport: "bimonthly-consultation-report"
        case .inspectionReport: "inspection-report"
        case .consultationPlan: "consultation-plan"
        case .personnel: "personnel"
        case .other: "other"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MeetingV1.ItemStatus: ChineseLabelled {
    public var label: String {
        switch self {
        case .draft: "草案"
        case .adopted: "审议通过"
        case .adoptedWithChanges: "修改后通过"
        case .referred: "提请常委会"
        case .approved: "常委会通过"
        case .notAdopted: "未通过"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .draft: "draft"
        case .adopted: "adopted"
        case .adoptedWithChanges: "adopted-with-changes"
        case .referred: "referred"
        case .approved: "approved"
        case .notAdopted: "not-adopted"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MeetingV1.AgendaItem {
    /// The item as the agenda names it: `关于…的报告（60 分钟，张主席）`.
    public var heading: String {
        "\(title)（\(durationMinutes) 分钟\(presenter.isEmpty ? "" : "，\(presenter)")）"
    }

    /// What became of the item's document, nil for an item without one:
    /// `监督性调研报告：常委会通过，表决 赞成 30 反对 2 弃权 1（应到 45，实到 40，通过）`.
    public var decision: String? {
        guard document != .unspecified else { return nil }
        var state = [document.label + "：" + status.label]
        if referredFromMeetingID != 0 { state.append("主席会议 \(referredFromMeetingID) 提请") }
        if referredToMeetingID != 0 { state.append("提请常委会会议 \(referredToMeetingID)") }
        if !changes.isEmpty { state.append("修改：\(changes)") }
        if let v = vote {
            state.append((referredToMeetingID != 0 ? "常委会表决" : "表决") + " 赞成 \(v.inFavour) 反对 \(v.against) 弃权 \(v.abstaining)（应到 \(v.expected)，实到 \(v.present)\(v.passed ? "，通过" : "，未通过")）")
        } else if needsVote {
            state.append("待表决")
        }
        return state.joined(separator: "，")
    }
}
