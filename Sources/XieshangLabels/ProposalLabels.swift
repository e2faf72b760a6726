import XieshangWire

extension ProposalV1.ProposalState: ChineseLabelled {
    public var label: String {
        switch self {
        case .draft: "草稿"
        case .collecting: "征集附议"
        case .submitted: "已提交"
        case .filed: "立案"
        case .notFiled: "不立案"
        case .merged: "并案"
        case .referred: "转意见建议"
        case .withdrawn: "撤案"
        case .assigned: "交办"
        case .returnRequested: "申请退回"
        case .inHandling: "办理中"
        case .replied: "已答复"
        case .feedback: "已反馈"
        case .closed: "办结"
        case .countersigning: "会签中"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .draft: "draft"
        case .collecting: "collecting"
        case .submitted: "submitted"
        case .filed: "filed"
        case .notFiled: "not-filed"
        case .merged: "merged"
        case .referred: "referred"
        case .withdrawn: "withdrawn"
        case .assigned: "assigned"
        case .returnRequested: "return-requested"
        case .inHandling: "in-handling"
        case .replied: "replied"
        case .feedback: "feedback"
        case .closed: "closed"
        case .countersigning: "countersigning"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.Action: ChineseLabelled {
    public var label: String {
        switch self {
        case .inviteCosigners: "征集附议"
        case .cosign: "附议"
        case .decline: "不附议"
        case .submit: "提交"
        case .file: "立案"
        case .notFile: "不立案"
        case .merge: "并案"
        case .refer: "转送"
        case .return: "退回修改"
        case .withdraw: "撤案"
        case .assign: "交办"
        case .signFor: "签收"
        case .requestReturn: "申退"
        case .reassign: "重新交办"
        case .extend: "延期"
        case .reply: "答复"
        case .feedback: "反馈"
        case .close: "办结"
        case .track: "跟踪落实"
        case .designateKey: "列为重点提案"
        case .countersign: "会签"
        case .returnReply: "退回答复"
        case .opinion: "附议人意见"
        case .requestExtension: "申请延期"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .inviteCosigners: "invite-cosigners"
        case .cosign: "cosign"
        case .decline: "decline"
        case .submit: "submit"
        case .file: "file"
        case .notFile: "not-file"
        case .merge: "merge"
        case .refer: "refer"
        case .return: "return"
        case .withdraw: "withdraw"
        case .assign: "assign"
        case .signFor: "sign-for"
        case .requestReturn: "request-return"
        case .reassign: "reassign"
        case .extend: "extend"
        case .reply: "reply"
        case .feedback: "feedback"
        case .close: "close"
        case .track: "track"
        case .designateKey: "designate-key"
        case .countersign: "countersign"
        case .returnReply: "return-reply"
        case .opinion: "opinion"
        case .requestExtension: "request-extension"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.ReplyClass: ChineseLabelled {
    public var label: String {
        switch self {
        case .a: "A类"
        case .b: "B类"
        case .c: "C类"
        case .d: "D类"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .a: "a"
        case .b: "b"
        case .c: "c"
        case .d: "d"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.ContactMethod: ChineseLabelled {
    public var label: String {
        switch self {
        case .faceToFace: "面谈"
        case .forum: "座谈会"
        case .phone: "电话"
        case .letter: "书信"
        case .email: "邮件"
        case .other: "其他"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .faceToFace: "face-to-face"
        case .forum: "forum"
        case .phone: "phone"
        case .letter: "letter"
        case .email: "email"
        case .other: "other"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.Satisfaction: ChineseLabelled {
    public var label: String {
        switch self {
        case .satisfied: "满意"
        case .basically: "基本满意"
        case .dissatisfied: "不满意"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .satisfied: "satisfied"
        case .basically: "basically"
        case .dissatisfied: "dissatisfied"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.TopicStep: ChineseLabelled {
    public var label: String {
        switch self {
        case .collected: "收集议题"
        case .decided: "确定议题"
        case .researched: "议前调研"
        case .consulted: "协商议事"
        case .publicised: "公开公示"
        case .implemented: "办理实施"
        case .feedback: "结果反馈"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .collected: "collected"
        case .decided: "decided"
        case .researched: "researched"
        case .consulted: "consulted"
        case .publicised: "publicised"
        case .implemented: "implemented"
        case .feedback: "feedback"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.TopicSource: ChineseLabelled {
    public var label: String {
        switch self {
        case .visit: "民情大走访"
        case .petition: "来信来访"
        case .survey: "调查"
        case .member: "委员提出"
        case .disputeScreening: "矛盾纠纷大排查"
        case .civilitySurvey: "文明城市民意调查"
        case .proposalHandling: "提案办理"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .visit: "visit"
        case .petition: "petition"
        case .survey: "survey"
        case .member: "member"
        case .disputeScreening: "dispute-screening"
        case .civilitySurvey: "civility-survey"
        case .proposalHandling: "proposal-handling"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.TopicTheme: ChineseLabelled {
    public var label: String {
        switch self {
        case .centralWork: "中心工作"
        case .development: "经济社会发展"
        case .grassrootsDemocracy: "基层民主"
        case .disputes: "化解矛盾"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .centralWork: "central-work"
        case .development: "development"
        case .grassrootsDemocracy: "grassroots-democracy"
        case .disputes: "disputes"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.SignoffDecision: ChineseLabelled {
    public var label: String {
        switch self {
        case .pending: "待会签"
        case .agreed: "同意"
        case .returned: "退回"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .pending: "pending"
        case .agreed: "agreed"
        case .returned: "returned"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.OpinionState: ChineseLabelled {
    public var label: String {
        switch self {
        case .submitted: "已提交"
        case .reported: "已报送"
        case .adopted: "已采用"
        case .notAdopted: "未采用"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .submitted: "submitted"
        case .reported: "reported"
        case .adopted: "adopted"
        case .notAdopted: "not-adopted"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.OpinionLevel: ChineseLabelled {
    public var label: String {
        switch self {
        case .city: "市级"
        case .province: "省级"
        case .national: "全国"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .city: "city"
        case .province: "province"
        case .national: "national"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension ProposalV1.OpinionAction: ChineseLabelled {
    public var label: String {
        switch self {
        case .submit: "提交"
        case .edit: "编辑"
        case .report: "报送"
        case .adopt: "采用"
        case .instruct: "批示"
        case .decline: "不予采用"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .submit: "submit"
        case .edit: "edit"
        case .report: "report"
        case .adopt: "adopt"
        case .instruct: "instruct"
        case .decline: "decline"
        case .unspecified, .unrecognized: ""
        }
    }
}
