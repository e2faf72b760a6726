import Foundation
import XieshangWire

/// The Chinese labels staff read and write for the registry's enums; the CLI and the CSV
/// accept either these or the English identifiers (`standing-member`, `ROLE_STANDING_MEMBER`).
public protocol ChineseLabelled: WireEnum {
    /// The label shown to staff, e.g. `常委`.
    var label: String { get }
    /// The English identifier used in flags, e.g. `standing-member`.
    var identifier: String { get }
}

extension ChineseLabelled {
    /// Parses a label, an identifier or a `.proto` name; nil for anything else.
    public init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard let match = Self.allCases.first(where: {
            $0.rawValue != 0 && ($0.label == text || $0.identifier == text.lowercased() || $0.protoName == text)
        }) else { return nil }
        self = match
    }

    /// Every accepted spelling, for error messages.
    public static var spellings: String {
        allCases.filter { $0.rawValue != 0 }.map { "\($0.label) (\($0.identifier))" }.joined(separator: ", ")
    }
}

extension MemberV1.Role: ChineseLabelled {
    public var label: String {
        switch self {
        case .member: "委员"
        case .standingMember: "常委"
        case .secretaryGeneral: "秘书长"
        case .viceChair: "副主席"
        case .chair: "主席"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .member: "member"
        case .standingMember: "standing-member"
        case .secretaryGeneral: "secretary-general"
        case .viceChair: "vice-chair"
        case .chair: "chair"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MemberV1.FunctionKind: ChineseLabelled {
    public var label: String {
        switch self {
        case .committeeDirector: "专委会主任"
        case .committeeDeputyDirector: "专委会副主任"
        case .stationHead: "站长"
        case .roomConvener: "召集人"
        case .roomCouncilChair: "议事会主席"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .committeeDirector: "committee-director"
        case .committeeDeputyDirector: "committee-deputy-director"
        case .stationHead: "station-head"
        case .roomConvener: "room-convener"
        case .roomCouncilChair: "room-council-chair"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MemberV1.MemberFunction {
    /// How staff read it: 专委会主任（提案委员会）, 站长（工作站 1）, 召集人（议事室 3）.
    public var label: String {
        switch kind {
        case .committeeDirector, .committeeDeputyDirector: "\(kind.label)（\(committee)）"
        case .stationHead: "\(kind.label)（工作站 \(stationID)）"
        case .roomConvener, .roomCouncilChair: "\(kind.label)（议事室 \(roomID)）"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MemberV1.Gender: ChineseLabelled {
    public var label: String {
        switch self {
        case .male: "男"
        case .female: "女"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .male: "male"
        case .female: "female"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MemberV1.MemberStatus: ChineseLabelled {
    public var label: String {
        switch self {
        case .active: "在任"
        case .resigned: "请辞"
        case .removed: "撤销"
        case .deceased: "去世"
        case .nominated: "增补待定"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .active: "active"
        case .resigned: "resigned"
        case .removed: "removed"
        case .deceased: "deceased"
        case .nominated: "nominated"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MemberV1.DecisionKind: ChineseLabelled {
    public var label: String {
        switch self {
        case .acceptResignation: "同意辞去"
        case .remove: "免去"
        case .confirmAddition: "增补"
        case .decline: "不予同意"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .acceptResignation: "accept-resignation"
        case .remove: "remove"
        case .confirmAddition: "confirm-addition"
        case .decline: "decline"
        case .unspecified, .unrecognized: ""
        }
    }
}

extension MemberV1.PersonnelDecision {
    /// How staff read it: 十届二十三次常委会会议 2026-12-20 同意辞去（工作调动）.
    public var label: String {
        "\(meeting) \(date) \(kind.label)" + (note.isEmpty ? "" : "（\(note)）")
    }
}

extension MemberV1.GroupKind: ChineseLabelled {
    public var label: String {
        switch self {
        case .allMembers: "全体委员"
        case .standingCommittee: "常委会"
        case .chairpersonsCouncil: "主席会议"
        case .sector: "界别"
        case .specialCommittee: "专委会"
        case .station: "委员工作站"
        case .room: "协商议事室"
        case .unspecified, .unrecognized: ""
        }
    }

    public var identifier: String {
        switch self {
        case .allMembers: "all"
        case .standingCommittee: "standing-committee"
        case .chairpersonsCouncil: "chairpersons-council"
        case .sector: "sector"
        case .specialCommittee: "committee"
        case .station: "station"
        case .room: "room"
        case .unspecified, .unrecognized: ""
        }
    }
}
