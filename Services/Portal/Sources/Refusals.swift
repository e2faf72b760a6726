import XieshangRPC
import XieshangService
import XieshangWire

/// A service's refusal of what a form sent, in the person's words.
///
/// Where the request's text broke the wire rules, each refused field comes back as a field
/// violation with a `reason` (`TEXT_TOO_LONG`, `FORBIDDEN_CHARACTER`, …) beside its path
/// (`proposal.title`): that is said here in Chinese, with the field's name as the forms show
/// it; and so is a field left empty, whose violation says `REQUIRED`. Another of a service's
/// rules (a date ahead, a state that changed) has no reason: the page shows the service's own
/// words in Chinese (`RPCError.localizedMessage`) where it gave them, else its English text.
enum Refusals {
    /// What the forms call the wire fields they fill: by the whole path where a form has its
    /// own word for it (案由 for a proposal's title), else by the path's last part.
    static let labels: [String: String] = [
        "proposal.title": "案由", "meeting.title": "活动主题", "topic.title": "议题", "notice.text": "公示内容",
        "title": "标题", "body": "内容", "reason": "理由", "text": "内容", "evidence": "证明材料",
        "category": "类别", "not_public_reason": "不公开的理由", "description": "群众反映的情况",
        "notes": "做了什么", "posted_at": "公示地点", "from_date": "公示开始", "to_date": "公示结束",
        "date": "日期", "minutes": "纪要", "outcomes": "成果", "name": "姓名", "organisation": "单位",
        "leave_reason": "事由",
    ]

    /// One line a violation, or nil when a violation is not one the portal can explain (the
    /// page then shows the service's own text). `form`: the posting form's own words for its
    /// fields, which win.
    static func explain(_ error: RPCError, labels form: [String: String] = [:]) -> [String]? {
        guard !error.violations.isEmpty else { return nil }
        var lines: [String] = []
        for violation in error.violations {
            let last = violation.field.split(separator: ".").last.map(String.init) ?? violation.field
            guard let label = form[violation.field] ?? form[last] ?? labels[violation.field] ?? labels[last], let problem = problem(violation.reason, field: last) else { return nil }
            lines.append("\(label)：\(problem)")
        }
        return lines
    }

    static func problem(_ reason: String, field: String) -> String? {
        switch reason {
        case "TEXT_TOO_LONG":
            return "太长了，最多 \(Pages.most(field)) 个字，请删减后再提交。"
        case "FORBIDDEN_CHARACTER":
            return "含有不能使用的看不见的字符（控制字符、零宽字符或改变文字方向的字符，常随从网页、聊天软件或文档复制的文字带入），请删去这些字符或重新输入后再提交。"
        case "INVALID_UTF8", "NUL_IN_STRING":
            return "含有无法识别的字符，请重新输入后再提交。"
        case "REQUIRED":
            return "不能为空（只有空格也算空），请填写后再提交。"
        case "TOO_MANY_ELEMENTS":
            return "项目太多，请分几次提交。"
        default:
            return nil
        }
    }
}
